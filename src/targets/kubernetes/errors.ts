/**
 * The one place where failed Kubernetes calls become TargetErrors. Rule: 408, 429, 5xx,
 * timeouts and connection failures are retryable; every other status (400, 401, 403, 404,
 * 409, 422…) is not. Messages carry the API's Status reason and message, never request
 * headers, tokens or the raw exception (which stays only as `cause`).
 */
import { TargetError } from '../../errors.js';
import { redactText } from '../../log.js';
import { isRetryableStatus, NO_ANSWER_CODES, networkCode } from '../transport-errors.js';


interface ApiFailure {
  code: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Whether `err` is the client's ApiException (duck-typed: the class lives in the lazily loaded module). */
function isApiFailure(err: unknown): err is ApiFailure {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as Partial<ApiFailure>;
  return typeof e.code === 'number' && e.code >= 100 && e.code < 600 && 'body' in e;
}

/** The Kubernetes Status object's reason and message, or the first characters of a non-Status body. */
function statusText(body: unknown): string {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim().slice(0, 200);
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return '';
  const s = parsed as { reason?: unknown; message?: unknown };
  return [s.reason, s.message].filter((v): v is string => typeof v === 'string' && v !== '').join(': ');
}



/** Turns whatever a Kubernetes call threw into a TargetError naming `action`; `signal` tells an abort from a failure. */
export function kubernetesError(err: unknown, action: string, signal?: AbortSignal): TargetError {
  if (err instanceof TargetError) return err;
  if (signal?.aborted) return new TargetError(`Kubernetes ${action}: aborted before an answer`, { retryable: true, cause: err });
  if (isApiFailure(err)) {
    const text = statusText(err.body);
    const message = redactText(`Kubernetes ${action}: HTTP ${err.code}${text ? ` ${text}` : ''}`);
    const requestId = err.headers['audit-id'];
    return new TargetError(message, {
      retryable: isRetryableStatus(err.code),
      status: err.code,
      ...(requestId ? { requestId } : {}),
      cause: err,
    });
  }
  const code = networkCode(err);
  if (code === 'TimeoutError' || code === 'AbortError') {
    return new TargetError(`Kubernetes ${action}: request timed out or was aborted`, { retryable: true, cause: err });
  }
  if (code && NO_ANSWER_CODES.has(code)) {
    return new TargetError(`Kubernetes ${action}: cannot reach the API server (${code})`, { retryable: true, cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  const fetchFailed = err instanceof TypeError && message === 'fetch failed' && code === undefined;
  return new TargetError(redactText(`Kubernetes ${action}: ${message}${code ? ` (${code})` : ''}`), {
    retryable: fetchFailed,
    cause: err,
  });
}

/** Runs one API call (made with `signal`, if any); anything it throws comes out as a TargetError naming `action`. */
export async function kube<T>(action: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw kubernetesError(err, action, signal);
  }
}

/** Like `kube`, but a 404 answer resolves to `null` (the object is not there). */
export async function kubeOrNull<T>(action: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T | null> {
  try {
    return await kube(action, call, signal);
  } catch (err) {
    if (err instanceof TargetError && err.status === 404) return null;
    throw err;
  }
}
