/**
 * The Prometheus HTTP API client of one run: built once from `targets.prometheus`, cached in
 * the run's client cache. Every call has a deadline (the settings' `timeout`, combined with
 * the caller's signal) and turns every failure into a TargetError (errors.ts); it never
 * retries by itself: the engine checks again at its own pace, and a probe error is recorded
 * as such. Secrets are read when the client is built, registered for redaction, and sent only
 * to the configured URL.
 */
import type { z } from 'zod';
import { errorMessage, TargetError } from '../../errors.js';
import { parseDuration } from '../../duration.js';
import { registerSecret } from '../../log.js';
import { resolveSecret, type SecretRef } from '../../secrets.js';
import type { Ctx } from '../types.js';
import { describeCall, prometheusNetworkError, prometheusShapeError, prometheusStatusError } from './errors.js';
import { PrometheusSettings, type PrometheusAuth } from './settings.js';
import {
  Envelope,
  toAlert,
  toQueryResult,
  WireAlertsData,
  WireQueryData,
  WireRulesData,
  type Alert,
  type Answer,
  type QueryResult,
  type RuleGroup,
} from './types.js';

/** Options every call takes: the caller's signal (a run's abort, a probe's deadline). */
export interface CallOptions {
  signal?: AbortSignal | undefined;
}

/** What probes, tests and benches use to ask Prometheus. */
export interface PrometheusClient {
  /** The base URL calls are made against (it never holds credentials). */
  readonly url: string;
  /** An instant query evaluated at `time` (unix seconds; default: Prometheus' now). */
  query(expr: string, options?: CallOptions & { time?: number | undefined }): Promise<Answer<QueryResult>>;
  /** A range query from `start` to `end` (unix seconds) every `step` seconds: a matrix. */
  queryRange(expr: string, range: { start: number; end: number; step: number }, options?: CallOptions): Promise<Answer<QueryResult>>;
  /** Every active (pending or firing) alert. */
  alerts(options?: CallOptions): Promise<Answer<Alert[]>>;
  /** The rule groups; `type` keeps alerting or recording rules only. */
  rules(options?: CallOptions & { type?: 'alert' | 'record' }): Promise<Answer<RuleGroup[]>>;
  /** Whether Prometheus is ready to serve queries (`/-/ready` 200); false on its 503 "not ready". */
  ready(options?: CallOptions): Promise<boolean>;
}

/** How to build a client outside a run (tests, benches). */
export interface PrometheusClientOptions {
  url: string;
  /** Deadline of one request in milliseconds; default 10 s. */
  timeoutMs?: number | undefined;
  /** The Authorization header value, already resolved (`Bearer …`, `Basic …`). */
  authorization?: string | undefined;
  headers?: Record<string, string> | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** The run's client, built from `targets.prometheus` by its first caller. */
export function prometheusClient(ctx: Ctx): PrometheusClient {
  return ctx.clients.get('prometheus', () => {
    const settings = readSettings(ctx);
    return createPrometheusClient({
      url: settings.url,
      timeoutMs: parseDuration(settings.timeout),
      authorization: settings.auth === undefined ? undefined : authorizationOf(settings.auth),
      headers: settings.headers,
    });
  });
}

function readSettings(ctx: Ctx): PrometheusSettings {
  const raw = ctx.settings['prometheus'];
  if (raw === undefined) throw new TargetError('no targets.prometheus in the config: give at least its url', { retryable: false });
  const parsed = PrometheusSettings.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new TargetError(`invalid targets.prometheus settings: ${issues}`, { retryable: false, cause: parsed.error });
}

/** The Authorization header for `auth`; a secret that cannot be read is named (never shown) in the error. */
export function authorizationOf(auth: PrometheusAuth): string {
  if ('bearer' in auth) return `Bearer ${secret('auth.bearer', auth.bearer)}`;
  const { username, password } = auth.basic;
  const encoded = Buffer.from(`${username}:${secret('auth.basic.password', password)}`).toString('base64');
  // the encoded form is what would appear in a dump of the request: mask it too
  registerSecret(encoded);
  return `Basic ${encoded}`;
}

function secret(where: string, ref: SecretRef): string {
  try {
    return resolveSecret(ref);
  } catch (err) {
    throw new TargetError(`targets.prometheus.${where}: ${errorMessage(err)}`, { retryable: false, cause: err });
  }
}

/** A client for `options.url`. Nothing is sent until the first call. */
export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeoutText = `${timeoutMs} ms`;
  const headers: Record<string, string> = { ...options.headers, Accept: 'application/json' };
  if (options.authorization !== undefined) headers['Authorization'] = options.authorization;

  /** One GET; the answer's status and body text, or a TargetError when there was no answer. */
  async function get(path: string, params: URLSearchParams, call: string, signal: AbortSignal | undefined): Promise<{ status: number; body: string }> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const query = params.size > 0 ? `?${params.toString()}` : '';
    try {
      const res = await fetch(`${base}${path}${query}`, { headers, signal: combined, redirect: 'manual' });
      return { status: res.status, body: await res.text() };
    } catch (err) {
      throw prometheusNetworkError(err, call, signal, { signal: deadline, text: timeoutText });
    }
  }

  /** A JSON API call: the envelope's data and warnings, or a TargetError with Prometheus' own words. */
  async function api(path: string, params: URLSearchParams, call: string, signal: AbortSignal | undefined): Promise<Answer<unknown>> {
    // Prometheus stops evaluating a query at its own timeout too (capped by --query.timeout)
    if (path.startsWith('/api/v1/query')) params.set('timeout', `${timeoutMs}ms`);
    const { status, body } = await get(path, params, call, signal);
    if (status < 200 || status >= 300) throw prometheusStatusError(call, status, body);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw prometheusShapeError(call, status, `not JSON (${body.trim().slice(0, 60) || 'empty body'}); is the URL a Prometheus?`);
    }
    const envelope = Envelope.safeParse(json);
    if (!envelope.success) throw prometheusShapeError(call, status, 'no "status" member; is the URL a Prometheus?');
    if (envelope.data.status === 'error') throw prometheusStatusError(call, status, body);
    return { data: envelope.data.data, warnings: [...(envelope.data.warnings ?? []), ...(envelope.data.infos ?? [])] };
  }

  function dataOf<T>(answer: Answer<unknown>, schema: z.ZodType<T>, call: string): T {
    const parsed = schema.safeParse(answer.data);
    if (parsed.success) return parsed.data;
    const first = parsed.error.issues[0];
    const where = first ? `data.${first.path.map(String).join('.')}: ${first.message}` : 'data';
    throw prometheusShapeError(call, 200, where);
  }

  return {
    url: base,
    async query(expr, opts = {}) {
      const call = describeCall('query', expr);
      const params = new URLSearchParams({ query: expr });
      if (opts.time !== undefined) params.set('time', opts.time.toFixed(3));
      const answer = await api('/api/v1/query', params, call, opts.signal);
      return { data: toQueryResult(dataOf(answer, WireQueryData, call)), warnings: answer.warnings };
    },
    async queryRange(expr, range, opts = {}) {
      const call = describeCall('query_range', expr);
      const params = new URLSearchParams({ query: expr, start: range.start.toFixed(3), end: range.end.toFixed(3), step: String(range.step) });
      const answer = await api('/api/v1/query_range', params, call, opts.signal);
      return { data: toQueryResult(dataOf(answer, WireQueryData, call)), warnings: answer.warnings };
    },
    async alerts(opts = {}) {
      const answer = await api('/api/v1/alerts', new URLSearchParams(), 'alerts', opts.signal);
      return { data: dataOf(answer, WireAlertsData, 'alerts').alerts.map(toAlert), warnings: answer.warnings };
    },
    async rules(opts = {}) {
      const params = new URLSearchParams();
      if (opts.type !== undefined) params.set('type', opts.type);
      const answer = await api('/api/v1/rules', params, 'rules', opts.signal);
      const groups = dataOf(answer, WireRulesData, 'rules').groups.map((g) => ({
        name: g.name,
        file: g.file,
        rules: g.rules.map((r) => ({ ...r, lastError: r.lastError || undefined, alerts: r.alerts.map(toAlert) })),
      }));
      return { data: groups, warnings: answer.warnings };
    },
    async ready(opts = {}) {
      const { status, body } = await get('/-/ready', new URLSearchParams(), 'ready', opts.signal);
      if (status === 200) return true;
      if (status === 503) return false;
      throw prometheusStatusError('ready', status, body);
    },
  };
}
