/**
 * The one place where failed HTTP requests of the http probe become TargetErrors. Rule: a
 * request that got no answer (refused, reset, DNS failure, timeout, abort) is a retryable
 * error; a TLS failure or a bad request (invalid URL, header) is not. An answer of any
 * status is never an error here: judging it is the probe's job. Messages name the method
 * and the URL without credentials or query string, and never a header value.
 */
import { TargetError } from '../../errors.js';
import { redactText } from '../../log.js';
import { NO_ANSWER_CODES, networkCode } from '../transport-errors.js';


/** `origin + path` of a URL: no user, password, query or fragment. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}


/** Turns what `fetch` threw for `method url` into a TargetError; `signal` tells an abort from a failure. */
export function httpError(err: unknown, method: string, url: string, signal?: AbortSignal): TargetError {
  if (err instanceof TargetError) return err;
  const where = `${method} ${safeUrl(url)}`;
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
  return new TargetError(redactText(`${where}: ${detail}${code ? ` (${code})` : ''}`), {
    retryable: fetchFailed && !tls,
    cause: err,
  });
}
