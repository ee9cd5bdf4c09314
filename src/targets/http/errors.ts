/**
 * The one place where failed HTTP requests of the http probe become TargetErrors. Rule: a
 * request that got no answer (refused, reset, DNS failure, timeout, abort) is a retryable
 * error; a TLS failure or a bad request (invalid URL, header) is not. An answer of any
 * status is never an error here: judging it is the probe's job. Messages name the method
 * and the URL without credentials or query string, and never a header value.
 */
import { TargetError } from '../../errors.js';
import { redactText } from '../../log.js';

const NO_ANSWER = new Set([
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

/** `origin + path` of a URL: no user, password, query or fragment. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The first `code` or DOMException name along the cause chain. */
function codeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, name, cause } = e as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    if (name === 'TimeoutError' || name === 'AbortError') return name;
    e = cause;
  }
  return undefined;
}

/** Turns what `fetch` threw for `method url` into a TargetError; `signal` tells an abort from a failure. */
export function httpError(err: unknown, method: string, url: string, signal?: AbortSignal): TargetError {
  if (err instanceof TargetError) return err;
  const where = `${method} ${safeUrl(url)}`;
  if (signal?.aborted) return new TargetError(`${where}: aborted before an answer`, { retryable: true, cause: err });
  const code = codeOf(err);
  if (code === 'TimeoutError' || code === 'AbortError') {
    return new TargetError(`${where}: timed out before an answer`, { retryable: true, cause: err });
  }
  if (code && NO_ANSWER.has(code)) {
    return new TargetError(`${where}: no answer (${code})`, { retryable: true, cause: err });
  }
  const detail = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
  const fetchFailed = err instanceof TypeError && err.message === 'fetch failed';
  const tls = code !== undefined && /CERT|TLS|SSL|SELF_SIGNED/.test(code);
  return new TargetError(redactText(`${where}: ${detail}${code ? ` (${code})` : ''}`), {
    retryable: fetchFailed && !tls,
    cause: err,
  });
}
