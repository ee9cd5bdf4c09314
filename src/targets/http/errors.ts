/**
 * The one place where failed HTTP requests of the http probe become TargetErrors. Rule: a
 * request that got no answer (refused, reset, DNS failure, timeout, abort) is a retryable
 * error; a TLS failure or a bad request (invalid URL, header) is not. An answer of any
 * status is never an error here: judging it is the probe's job. Messages name the method
 * and the URL without credentials or query string, and never a header value.
 */
import type { TargetError } from '../../errors.js';
import { fetchFailure, safeUrl } from '../transport-errors.js';

/** Turns what `fetch` threw for `method url` into a TargetError; `signal` tells an abort from a failure. */
export function httpError(err: unknown, method: string, url: string, signal?: AbortSignal): TargetError {
  return fetchFailure(err, `${method} ${safeUrl(url)}`, signal);
}
