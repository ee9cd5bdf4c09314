/**
 * The lab Prometheus's HTTP API, in Prometheus's own shapes: `/api/v1/query` and
 * `/api/v1/query_range` (GET or form POST), `/api/v1/alerts`, `/api/v1/rules`, `/-/ready`,
 * `/-/healthy` and the `/metrics` exposition. Rules: success is `{"status":"success","data"}`;
 * a bad request or query is 400 `bad_data`, a failed evaluation 422 `execution`, a timeout
 * 503 `timeout`, each as `{"status":"error","errorType","error"}`; values are strings
 * (`"NaN"`, `"+Inf"`), times unix seconds; the default query time is the lab clock's now.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimClock } from '../clock.js';
import { HttpError, Router, sendBody, type ErrorAnswer, type FrameHandler, type RouteContext } from '../http-frame.js';
import type { LabAlert, RuleStatus } from './alert-rules.js';
import { apiError, durationParam, invalidParam, requestParams, timeParam } from './api-params.js';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from './exposition.js';
import { normalized } from './labels.js';
import type { LabPrometheus } from './lab-prometheus.js';
import { formatExponent, formatSampleValue, unixSeconds } from './promql/format.js';
import { PromQLError, type RangeSeries, type Value } from './promql/values.js';

/** Prometheus refuses range queries with more points than this per series. */
export const MAX_RANGE_POINTS = 11_000;

/** What the API serves. */
export interface PrometheusApiOptions {
  prometheus: LabPrometheus;
  clock: SimClock;
}

const ERROR_STATUS: Record<PromQLError['type'], number> = { bad_data: 400, execution: 422, timeout: 503 };

/** The handler of the lab Prometheus's server. */
export function prometheusHandler(options: PrometheusApiOptions): FrameHandler {
  const { prometheus, clock } = options;
  const router = new Router<RouteContext>();
  const query = async ({ req, res, url }: RouteContext): Promise<void> => {
    const params = await requestParams(req, url);
    const t = timeParam(params, 'time', clock.now());
    const value = evaluate(() => prometheus.engine.instant(params.get('query') ?? '', t, durationParam(params, 'timeout')));
    success(res, renderValue(value, t));
  };
  const queryRange = async ({ req, res, url }: RouteContext): Promise<void> => {
    const params = await requestParams(req, url);
    const start = timeParam(params, 'start');
    const end = timeParam(params, 'end');
    if (end < start) throw invalidParam('end', 'end timestamp must not be before start time');
    const step = durationParam(params, 'step');
    if (step === undefined) throw invalidParam('step', 'cannot parse "" to a valid duration');
    if (step <= 0) throw invalidParam('step', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    if ((end - start) / step > MAX_RANGE_POINTS) {
      throw apiError(400, 'bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    }
    const series = evaluate(() => prometheus.engine.range(params.get('query') ?? '', start, end, step, durationParam(params, 'timeout')));
    success(res, { resultType: 'matrix', result: series.map(renderSeries) });
  };
  router.add('GET', '/api/v1/query', query).add('POST', '/api/v1/query', query);
  router.add('GET', '/api/v1/query_range', queryRange).add('POST', '/api/v1/query_range', queryRange);
  router.add('GET', '/api/v1/alerts', ({ res }) => success(res, { alerts: prometheus.rules.alerts().map(renderAlert) }));
  router.add('GET', '/api/v1/rules', ({ res, url }) => success(res, renderRules(prometheus, url.searchParams.get('type'))));
  router.add('GET', '/-/ready', ({ res }) => sendBody(res, 200, 'Prometheus Server is Ready.\n'));
  router.add('GET', '/-/healthy', ({ res }) => sendBody(res, 200, 'Prometheus Server is Healthy.\n'));
  router.add('GET', '/metrics', ({ res }) => sendBody(res, 200, renderExposition(prometheus.currentFamilies()), { 'content-type': EXPOSITION_CONTENT_TYPE }));
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const match = router.match(req.method ?? 'GET', url.pathname);
    if (match.kind === 'not-found') throw new HttpError(404, '404 page not found\n');
    if (match.kind === 'method-not-allowed') throw new HttpError(405, 'Method Not Allowed\n', { allow: match.allow.join(', ') });
    await match.handler({ req, res, url, params: match.params });
  };
}

/** The body of an injected or unexpected error: the API's envelope under `/api/`, plain text elsewhere. */
export function prometheusErrorAnswer(status: number, message: string, url: URL): ErrorAnswer {
  if (!url.pathname.startsWith('/api/')) return { contentType: 'text/plain; charset=utf-8', body: `${message}\n` };
  const errorType = status === 503 ? 'unavailable' : status >= 500 ? 'internal' : status === 422 ? 'execution' : 'bad_data';
  return { contentType: 'application/json', body: JSON.stringify({ status: 'error', errorType, error: message }) };
}

function evaluate<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof PromQLError)) throw error;
    const message = error.type === 'bad_data' ? `invalid parameter "query": ${error.message}` : error.message;
    throw apiError(ERROR_STATUS[error.type], error.type, message);
  }
}

function success(res: ServerResponse, data: unknown): void {
  sendBody(res, 200, { status: 'success', data });
}

/** A query value in the API's result shape. */
export function renderValue(value: Value, t: number): { resultType: Value['type']; result: unknown } {
  const time = unixSeconds(t);
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [time, formatSampleValue(value.value)] };
    case 'string':
      return { resultType: 'string', result: [time, value.value] };
    case 'vector':
      return { resultType: 'vector', result: value.samples.map((s) => ({ metric: normalized(s.labels), value: [time, formatSampleValue(s.value)] })) };
    case 'matrix':
      return { resultType: 'matrix', result: value.series.map(renderSeries) };
  }
}

function renderSeries(series: RangeSeries): { metric: Record<string, string>; values: [number, string][] } {
  return { metric: normalized(series.labels), values: series.points.t.map((t, i) => [unixSeconds(t), formatSampleValue(series.points.v[i] ?? Number.NaN)]) };
}

function renderAlert(alert: LabAlert): Record<string, unknown> {
  return {
    labels: normalized(alert.labels),
    annotations: normalized(alert.annotations),
    state: alert.state,
    activeAt: new Date(alert.activeAt).toISOString(),
    value: formatExponent(alert.value),
  };
}

/** Go's zero time, which Prometheus prints for a rule never evaluated. */
const NEVER = '0001-01-01T00:00:00Z';

function renderRules(prometheus: LabPrometheus, type: string | null): Record<string, unknown> {
  if (type !== null && type !== '' && type !== 'alert' && type !== 'record') throw invalidParam('type', `not supported value ${JSON.stringify(type)}`);
  const rules = type === 'record' ? [] : prometheus.rules.list();
  const lastEvaluations = rules.map((r) => r.lastEvaluation).filter((t): t is number => t !== undefined);
  const groups = rules.length === 0 && type === 'record' ? [] : [{
    name: 'lab',
    file: 'lab-rules.yml',
    rules: rules.map(renderRule),
    interval: prometheus.evaluationIntervalMs / 1000,
    limit: 0,
    evaluationTime: rules.reduce((sum, r) => sum + r.evaluationTime, 0),
    lastEvaluation: lastEvaluations.length > 0 ? new Date(Math.max(...lastEvaluations)).toISOString() : NEVER,
  }];
  return { groups };
}

function renderRule(rule: RuleStatus): Record<string, unknown> {
  return {
    state: rule.state,
    name: rule.spec.alert,
    query: rule.spec.expr,
    duration: rule.forMs / 1000,
    keepFiringFor: 0,
    labels: normalized(rule.spec.labels ?? {}),
    annotations: normalized(rule.spec.annotations ?? {}),
    alerts: rule.alerts.map(renderAlert),
    health: rule.health,
    ...(rule.lastError !== undefined && { lastError: rule.lastError }),
    evaluationTime: rule.evaluationTime,
    lastEvaluation: rule.lastEvaluation !== undefined ? new Date(rule.lastEvaluation).toISOString() : NEVER,
    type: 'alerting',
  };
}
