/**
 * The one place where failed OpenStack calls become TargetErrors. Rule: 408, 429, 5xx,
 * timeouts and requests that got no answer are retryable; every other status (400, 401,
 * 403, 404, 409…) is not. Messages name the service and the action, carry the status, the
 * API's own error message (Nova `{"itemNotFound": {message}}`, Neutron
 * `{"NeutronError": {type, message}}`, Keystone `{"error": {title, message}}`) and the
 * request id; never a header, a token or a password (every message goes through redaction).
 */
import { TargetError } from '../../errors.js';
import { redactText } from '../../log.js';
import { fetchFailure, isRetryableStatus } from '../transport-errors.js';

/** The catalog service types the client speaks to. */
export type ServiceType = 'identity' | 'compute' | 'network' | 'image';

/** The project name of each service, used in messages. */
export const SERVICE_NAMES: Readonly<Record<ServiceType, string>> = {
  identity: 'Keystone',
  compute: 'Nova',
  network: 'Neutron',
  image: 'Glance',
};

/** What a failed answer is made of. Only `headers` named here are ever read from it. */
export interface FailedAnswer {
  status: number;
  headers: Headers;
  bodyText: string;
}

/** The request id of an answer: `x-openstack-request-id`, else Nova's `x-compute-request-id`. */
export function requestIdOf(headers: Headers): string | undefined {
  return headers.get('x-openstack-request-id') ?? headers.get('x-compute-request-id') ?? undefined;
}

/**
 * The API's own words from an error body: `type: message` (Neutron), `title: message`
 * (Keystone), `fault: message` (Nova), or the first line of a non-JSON body (200 characters at most).
 */
export function apiErrorMessage(bodyText: string): string {
  const text = bodyText.trim();
  if (text === '') return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return firstLine(text.replace(/<[^>]*>/g, ' '));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return firstLine(text);
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'object' || value === null) continue;
    const v = value as { message?: unknown; type?: unknown; title?: unknown };
    const message = typeof v.message === 'string' ? v.message : '';
    if (key === 'NeutronError') return joinParts(v.type, message);
    if (key === 'error') return joinParts(v.title, message);
    return joinParts(key, message);
  }
  const flat = parsed as { message?: unknown; faultstring?: unknown };
  if (typeof flat.message === 'string') return firstLine(flat.message);
  if (typeof flat.faultstring === 'string') return firstLine(flat.faultstring);
  return '';
}

function joinParts(label: unknown, message: string): string {
  const parts = [label, message].filter((v): v is string => typeof v === 'string' && v !== '');
  return firstLine(parts.join(': '));
}

function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).find((l) => l !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** An answer with an unwanted status as a TargetError: `Nova stop server x: HTTP 409 conflictingRequest: … (request req-…)`. */
export function openstackStatusError(service: ServiceType, action: string, answer: FailedAnswer, note?: string): TargetError {
  const requestId = requestIdOf(answer.headers);
  const words = apiErrorMessage(answer.bodyText);
  const message = [
    `${SERVICE_NAMES[service]} ${action}: HTTP ${answer.status}`,
    words ? ` ${words}` : '',
    note ? ` (${note})` : '',
    requestId ? ` (request ${requestId})` : '',
  ].join('');
  return new TargetError(redactText(message), {
    retryable: isRetryableStatus(answer.status),
    status: answer.status,
    ...(requestId !== undefined && { requestId }),
  });
}

/** Whatever `fetch` threw as a TargetError; `signal` (the caller's) tells an abort from a timeout. */
export function openstackNetworkError(err: unknown, service: ServiceType, action: string, signal?: AbortSignal): TargetError {
  return fetchFailure(err, `${SERVICE_NAMES[service]} ${action}`, signal);
}

/** An answer whose body does not have the expected shape: not retryable (asking again gives the same body). */
export function openstackShapeError(service: ServiceType, action: string, problem: string, requestId?: string): TargetError {
  const suffix = requestId ? ` (request ${requestId})` : '';
  return new TargetError(redactText(`${SERVICE_NAMES[service]} ${action}: unexpected answer: ${problem}${suffix}`), {
    retryable: false,
    ...(requestId !== undefined && { requestId }),
  });
}

/** Milliseconds a `Retry-After` header asks to wait (seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
