import { TargetError } from '../errors.js';
import { redactText } from '../log.js';

/**
 * What every target that speaks HTTP shares about failed calls: which low-level errors
 * mean "no answer" (worth retrying), and which HTTP statuses may succeed on a retry. Each
 * target still turns errors into TargetErrors in its own errors.ts, with its own wording.
 */

/** `origin + path` of a URL: no user, password, query or fragment. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Socket and undici error codes that mean the request got no answer at all. */
export const NO_ANSWER_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The first `code` (ECONNREFUSED, UND_ERR_…) or DOMException name (TimeoutError, AbortError) along the cause chain. */
export function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') return undefined;
    const { code, name, cause } = e as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    if (name === 'TimeoutError' || name === 'AbortError') return name;
    e = cause;
  }
  return undefined;
}

/** Whether an HTTP status may succeed when retried: 408, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * What `fetch` threw, as a TargetError whose message starts with `where` (the target's own
 * wording of the call). The caller's aborted `signal` is told from a timeout; no answer at
 * all is retryable; a TLS failure is not. The message is redacted; the raw error stays as
 * `cause` only.
 */
export function fetchFailure(err: unknown, where: string, signal?: AbortSignal): TargetError {
  if (err instanceof TargetError) return err;
  if (signal?.aborted) return new TargetError(`${where}: aborted before an answer`, { retryable: true, cause: err });
  const code = networkCode(err);
  if (code === 'TimeoutError' || code === 'AbortError') {
    return new TargetError(`${where}: timed out before an answer`, { retryable: true, cause: err });
  }
  if (code && NO_ANSWER_CODES.has(code)) {
    return new TargetError(`${where}: no answer (${code})`, { retryable: true, cause: err });
  }
  const detail = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
  const fetchFailed = err instanceof TypeError && err.message === 'fetch failed';
  const tls = code !== undefined && /CERT|TLS|SSL|SELF_SIGNED/.test(code);
  return new TargetError(redactText(`${where}: ${detail}${code ? ` (${code})` : ''}`), { retryable: fetchFailed && !tls, cause: err });
}
