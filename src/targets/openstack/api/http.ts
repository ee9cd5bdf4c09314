/**
 * Every OpenStack HTTP call goes through here, over Node's global fetch. Rules:
 *
 * - each attempt has its own deadline (`timeout`), combined with the caller's signal;
 * - retryable failures (408, 429, 5xx, no answer) are retried a few times with capped,
 *   jittered backoff; a `Retry-After` on 429/503 is waited for instead (up to a limit —
 *   longer asks are returned to the caller as a retryable error);
 * - a POST (not idempotent: a server action) is retried only when the server surely did
 *   not act on it: 429, 503, or a refused connection;
 * - a 401 from a service drops the token and authenticates once more, then retries the
 *   call once; a second 401 is an error;
 * - the token travels in `X-Auth-Token` only; it is never logged or put in a message.
 */
import type { Logger } from '../../../log.js';
import { TargetError } from '../../../errors.js';
import { isRetryableStatus, networkCode } from '../../transport-errors.js';
import type { KeystoneAuth } from './auth.js';
import { findEndpoint, serviceBaseUrl } from './catalog.js';
import {
  openstackNetworkError,
  openstackShapeError,
  openstackStatusError,
  requestIdOf,
  retryAfterMs,
  type ServiceType,
} from '../errors.js';
import type { EndpointInterface } from '../settings.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How failed attempts are retried. `attempts` counts the first one. */
export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest `Retry-After` waited for; a longer one ends the retries. */
  maxRetryAfterMs: number;
}

/** A few attempts, a quarter second doubling up to 5 s, Retry-After honoured up to a minute. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5_000, maxRetryAfterMs: 60_000 };

/** One request, already addressed. `action` names it in errors and logs (`stop server 1f2e…`). */
export interface RawRequest {
  service: ServiceType;
  action: string;
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** Whether sending it twice is harmless; absent: every method but POST. */
  idempotent?: boolean;
}

/** An answer, body read as text. */
export interface RawResponse {
  status: number;
  headers: Headers;
  bodyText: string;
}

/** Sends requests with deadlines and retries; never authenticates. */
export interface Transport {
  /** The answer (any status: judging it is the caller's job). Throws a TargetError when no answer came. */
  send(request: RawRequest): Promise<RawResponse>;
}

export interface TransportOptions {
  timeoutMs: number;
  retry?: Partial<RetryPolicy>;
  log?: Logger | undefined;
  /** Random source for the jitter, [0, 1). */
  random?: () => number;
}

/** A transport over global fetch with the deadline and retry rules of this module. */
export function createTransport(options: TransportOptions): Transport {
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const random = options.random ?? Math.random;
  return {
    async send(request) {
      for (let attempt = 1; ; attempt++) {
        const last = attempt >= retry.attempts;
        let response: RawResponse;
        try {
          response = await sendOnce(request, options.timeoutMs);
        } catch (err) {
          const error = openstackNetworkError(err, request.service, request.action, request.signal);
          const mayRetry = error.retryable && !request.signal?.aborted && (isIdempotent(request) || networkCode(err) === 'ECONNREFUSED');
          if (last || !mayRetry) throw error;
          const delayMs = backoff(retry, attempt, random);
          options.log?.warn('openstack call retried', { ...where(request), attempt, reason: error.message, delayMs });
          await sleep(delayMs, request.signal);
          continue;
        }
        const delayMs = retryDelay(request, response, retry, attempt, random);
        if (last || delayMs === undefined) return response;
        options.log?.warn('openstack call retried', { ...where(request), attempt, status: response.status, delayMs });
        await sleep(delayMs, request.signal);
      }
    },
  };
}

function isIdempotent(request: RawRequest): boolean {
  return request.idempotent ?? request.method !== 'POST';
}

function where(request: RawRequest): Record<string, string> {
  return { service: request.service, action: request.action, method: request.method };
}

/** How long to wait before sending again, or undefined when this answer is final. */
function retryDelay(request: RawRequest, response: RawResponse, retry: RetryPolicy, attempt: number, random: () => number): number | undefined {
  const { status } = response;
  if (!isRetryableStatus(status)) return undefined;
  const notActedOn = status === 429 || status === 503;
  if (!isIdempotent(request) && !notActedOn) return undefined;
  if (!notActedOn) return backoff(retry, attempt, random);
  const asked = retryAfterMs(response.headers.get('retry-after'));
  if (asked === undefined) return backoff(retry, attempt, random);
  return asked <= retry.maxRetryAfterMs ? asked : undefined;
}

/** Capped exponential backoff with jitter: between half and all of min(max, base·2^(attempt-1)). */
export function backoff(retry: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

async function sendOnce(request: RawRequest, timeoutMs: number): Promise<RawResponse> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'gameday', ...request.headers };
  const init: RequestInit = { method: request.method, headers, signal, redirect: 'manual' };
  if (request.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(request.body);
  }
  const res = await fetch(request.url, init);
  const bodyText = await res.text();
  return { status: res.status, headers: res.headers, bodyText };
}

/** Waits `ms`; an abort of `signal` ends the wait with a retryable TargetError. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): TargetError => new TargetError('OpenStack call aborted while waiting to retry', { retryable: true });
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A call to one service: path relative to its catalog base URL (`/servers/detail`). */
export interface ServiceRequest {
  service: ServiceType;
  method: HttpMethod;
  path: string;
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  body?: unknown;
  /** Statuses that count as success; absent: any 2xx. */
  ok?: readonly number[];
  action: string;
  signal?: AbortSignal | undefined;
}

/** A successful answer: the body parsed as JSON (undefined when empty). */
export interface ServiceResponse {
  status: number;
  headers: Headers;
  body: unknown;
  requestId: string | undefined;
}

/** Sends one authenticated call and returns its successful answer; anything else throws a TargetError. */
export type OpenStackRequest = (request: ServiceRequest) => Promise<ServiceResponse>;

export interface RequesterOptions {
  transport: Transport;
  auth: KeystoneAuth;
  interface?: EndpointInterface | undefined;
  regionName?: string | undefined;
  computeMicroversion: string;
  log?: Logger | undefined;
}

/** The authenticated request function the Nova and Neutron clients are built on. */
export function createRequester(options: RequesterOptions): OpenStackRequest {
  return async (request) => {
    for (let reauthenticated = false; ; reauthenticated = true) {
      const session = await options.auth.session();
      const endpoint = findEndpoint(session.catalog, {
        type: request.service,
        ...(options.interface !== undefined && { interface: options.interface }),
        ...(options.regionName !== undefined && { region: options.regionName }),
      });
      const response = await options.transport.send({
        service: request.service,
        action: request.action,
        method: request.method,
        url: `${serviceBaseUrl(request.service, endpoint)}${request.path}${queryString(request.query)}`,
        headers: { 'X-Auth-Token': session.token, ...versionHeaders(request.service, options.computeMicroversion) },
        body: request.body,
        signal: request.signal,
      });
      if (response.status === 401 && !reauthenticated) {
        options.log?.info('openstack token rejected, authenticating again', { service: request.service, action: request.action });
        options.auth.invalidate(session.token);
        continue;
      }
      const accepted = request.ok ? request.ok.includes(response.status) : response.status >= 200 && response.status < 300;
      if (!accepted) {
        const note = response.status === 401 ? 'rejected again with a fresh token' : undefined;
        throw openstackStatusError(request.service, request.action, response, note);
      }
      return { status: response.status, headers: response.headers, body: parseBody(request, response), requestId: requestIdOf(response.headers) };
    }
  };
}

/** The microversion headers for compute (both the current and the legacy form); none for other services. */
export function versionHeaders(service: ServiceType, computeMicroversion: string): Record<string, string> {
  if (service !== 'compute') return {};
  return { 'OpenStack-API-Version': `compute ${computeMicroversion}`, 'X-OpenStack-Nova-API-Version': computeMicroversion };
}

function queryString(query: ServiceRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.append(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseBody(request: ServiceRequest, response: RawResponse): unknown {
  if (response.bodyText.trim() === '') return undefined;
  try {
    return JSON.parse(response.bodyText) as unknown;
  } catch {
    throw openstackShapeError(request.service, request.action, 'the body is not JSON', requestIdOf(response.headers));
  }
}
