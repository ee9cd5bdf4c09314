/**
 * The one place where failed Prometheus calls become TargetErrors. Rule: no answer at all
 * (refused, reset, DNS, timeout) and 408/429/5xx (503 is how Prometheus reports a query
 * timeout or an overloaded engine) are retryable; 400 `bad_data`, 422 `execution` and any
 * other status are not: asking the same again gets the same answer. Messages name the call
 * (`query "up == 0"`), carry the status and Prometheus' own `errorType: error` words, and go
 * through redaction; a header, a token or a password is never part of one.
 */
import { TargetError } from '../../errors.js';
import { redactText } from '../../log.js';
import { fetchFailure, isRetryableStatus } from '../transport-errors.js';

/** What a call is, in messages: `query "sum(up)"`, `alerts`, `ready`. Long queries are cut at 120 characters. */
export function describeCall(endpoint: string, query?: string): string {
  if (query === undefined) return endpoint;
  const oneLine = query.replace(/\s+/g, ' ').trim();
  return `${endpoint} ${JSON.stringify(oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine)}`;
}

/** Prometheus' own words from an error body: `bad_data: 1:5: parse error: …`, or the first line of a non-JSON body. */
export function apiErrorWords(bodyText: string): string {
  const text = bodyText.trim();
  if (text === '') return '';
  try {
    const parsed = JSON.parse(text) as { errorType?: unknown; error?: unknown };
    const parts = [parsed.errorType, parsed.error].filter((v): v is string => typeof v === 'string' && v !== '');
    if (parts.length > 0) return firstLine(parts.join(': '));
  } catch {
    // not JSON: a reverse proxy's page or plain text
  }
  return firstLine(text.replace(/<[^>]*>/g, ' '));
}

function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).find((l) => l !== '') ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** A hint for statuses that mean the settings are wrong rather than the query. */
function hintFor(status: number): string {
  if (status === 401 || status === 403) return ' (check targets.prometheus.auth)';
  if (status === 404) return ' (check targets.prometheus.url and its path prefix)';
  return '';
}

/** An answer with an error status: `Prometheus query "x{": HTTP 400 bad_data: 1:3: parse error: …`. */
export function prometheusStatusError(call: string, status: number, bodyText: string): TargetError {
  const words = apiErrorWords(bodyText);
  const message = `Prometheus ${call}: HTTP ${status}${words ? ` ${words}` : ''}${hintFor(status)}`;
  return new TargetError(redactText(message), { retryable: isRetryableStatus(status), status });
}

/** A 2xx answer whose body is not what the API documents (a proxy's page, another service): not retryable. */
export function prometheusShapeError(call: string, status: number, problem: string): TargetError {
  return new TargetError(redactText(`Prometheus ${call}: unexpected answer (HTTP ${status}): ${problem}`), { retryable: false, status });
}

/**
 * What `fetch` (or reading the body) threw. `signal` is the caller's: its abort is told
 * from the request's own deadline, which is reported with its length.
 */
export function prometheusNetworkError(err: unknown, call: string, signal: AbortSignal | undefined, deadline: { signal: AbortSignal; text: string }): TargetError {
  if (!signal?.aborted && deadline.signal.aborted) {
    return new TargetError(`Prometheus ${call}: no answer within ${deadline.text} (targets.prometheus.timeout)`, { retryable: true, cause: err });
  }
  return fetchFailure(err, `Prometheus ${call}`, signal);
}
