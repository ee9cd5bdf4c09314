/**
 * The one place where failed calls to JupyterHub and its proxy become TargetErrors. Rule:
 * 408, 429, 5xx (a 503 from the proxy while the hub is down), timeouts and requests that got
 * no answer are retryable; every other status (400, 403, 404, 409…) is not. Messages name
 * the service and the action, carry the status and the API's own words (JupyterHub's
 * `{"status", "message"}`, the proxy's plain text), and the URL's origin and path only —
 * never a header, a token or a query (every message goes through redaction).
 */
import { TargetError } from '../../errors.js';
import { redactText } from '../../log.js';
import { fetchFailure, isRetryableStatus, safeUrl } from '../transport-errors.js';

/** Who answered: the hub (REST API, health, single-user servers through the proxy) or the proxy's routes API. */
export type Service = 'JupyterHub' | 'proxy';

/**
 * The API's own words from an error body: JupyterHub's `{"status": 403, "message": …}`
 * (a single-user server's `{"message", "reason"}` too), else the first line of a text or
 * HTML body; 200 characters at most.
 */
export function apiErrorMessage(bodyText: string): string {
  const text = bodyText.trim();
  if (text === '') return '';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const { message, reason } = parsed as { message?: unknown; reason?: unknown };
      if (typeof message === 'string' && message !== '') {
        return firstLine(typeof reason === 'string' && reason !== '' ? `${message}: ${reason}` : message);
      }
    }
    return firstLine(text);
  } catch {
    return firstLine(text.replace(/<[^>]*>/g, ' '));
  }
}

function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).find((l) => l !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** An answer with an unwanted status: `JupyterHub start server of alice: HTTP 400 alice is already running`. */
export function statusError(service: Service, action: string, status: number, bodyText: string, hint?: string): TargetError {
  const words = apiErrorMessage(bodyText);
  const message = `${service} ${action}: HTTP ${status}${words ? ` ${words}` : ''}${hint ? ` (${hint})` : ''}`;
  return new TargetError(redactText(message), { retryable: isRetryableStatus(status), status });
}

/** Whatever `fetch` threw as a TargetError; `signal` (the caller's) tells an abort from a timeout. */
export function networkError(err: unknown, service: Service, action: string, url: string, signal?: AbortSignal): TargetError {
  return fetchFailure(err, `${service} ${action} (${safeUrl(url)})`, signal);
}

/** An answer whose body does not have the expected shape: not retryable (asking again gives the same body). */
export function shapeError(service: Service, action: string, problem: string): TargetError {
  return new TargetError(redactText(`${service} ${action}: unexpected answer: ${problem}`), { retryable: false });
}

/** A setting or parameter problem found when a check or fault runs: never retryable. */
export function configError(message: string, cause?: unknown): TargetError {
  return new TargetError(redactText(message), { retryable: false, ...(cause !== undefined && { cause }) });
}
