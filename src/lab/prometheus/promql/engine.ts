/**
 * Instant and range queries over the lab's TSDB. Rules: a query is parsed and type-checked
 * before anything is read; a range query evaluates the expression at start, start + step, …
 * up to end, and only scalar or instant-vector expressions may be ranged; results are
 * ordered by labels (an instant `sort`/`sort_desc` keeps its own order); every query has a
 * deadline and a sample budget.
 */
import { performance } from 'node:perf_hooks';
import { compareLabels, labelsKey, type Labels } from '../labels.js';
import type { Tsdb } from '../tsdb.js';
import { TYPE_NAMES, type Expr } from './ast.js';
import { DEFAULT_LOOKBACK_MS, DEFAULT_MAX_SAMPLES, Evaluator } from './eval.js';
import { exprType, parsePromQL } from './parse.js';
import { PromQLError, type RangeSeries, type Value } from './values.js';

/** How queries are bounded. */
export interface QueryEngineOptions {
  lookbackMs?: number;
  maxSamples?: number;
  /** Deadline of a query that asks for none, and the cap of those that do (real ms). */
  timeoutMs?: number;
}

/** Prometheus's default query timeout (2 m). */
export const DEFAULT_QUERY_TIMEOUT_MS = 120_000;

/** Evaluates PromQL over one TSDB. */
export class QueryEngine {
  private readonly lookbackMs: number;
  private readonly maxSamples: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly db: Tsdb,
    options: QueryEngineOptions = {},
  ) {
    this.lookbackMs = options.lookbackMs ?? DEFAULT_LOOKBACK_MS;
    this.maxSamples = options.maxSamples ?? DEFAULT_MAX_SAMPLES;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  }

  /** The value of `query` at `t` (ms). Throws `PromQLError`. */
  instant(query: string, t: number, timeoutMs?: number): Value {
    const expr = parsePromQL(query);
    const value = this.evaluator(timeoutMs).evaluate(expr, t);
    if (value.type === 'vector' && !keepsOrder(expr)) value.samples.sort((a, b) => compareLabels(a.labels, b.labels));
    if (value.type === 'matrix') value.series.sort((a, b) => compareLabels(a.labels, b.labels));
    return value;
  }

  /** The series of `query` evaluated at every step of [start, end] (ms). Throws `PromQLError`. */
  range(query: string, start: number, end: number, step: number, timeoutMs?: number): RangeSeries[] {
    const expr = parsePromQL(query);
    const type = exprType(expr);
    if (type !== 'scalar' && type !== 'vector') {
      throw new PromQLError('bad_data', `invalid expression type ${JSON.stringify(TYPE_NAMES[type])} for range query, must be Scalar or instant Vector`);
    }
    if (!(step > 0)) throw new PromQLError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    const evaluator = this.evaluator(timeoutMs);
    const series = new Map<string, RangeSeries>();
    const add = (labels: Labels, t: number, v: number): void => {
      const key = labelsKey(labels);
      let found = series.get(key);
      if (!found) series.set(key, (found = { labels, points: { t: [], v: [] } }));
      found.points.t.push(t);
      found.points.v.push(v);
    };
    for (let t = start; t <= end; t += step) {
      const value = evaluator.evaluate(expr, t);
      if (value.type === 'scalar') add({}, t, value.value);
      else if (value.type === 'vector') for (const sample of value.samples) add(sample.labels, t, sample.value);
    }
    return [...series.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  }

  private evaluator(timeoutMs: number | undefined): Evaluator {
    const timeout = Math.min(timeoutMs ?? this.timeoutMs, this.timeoutMs);
    return new Evaluator(this.db, { lookbackMs: this.lookbackMs, maxSamples: this.maxSamples, deadline: performance.now() + timeout });
  }
}

function keepsOrder(expr: Expr): boolean {
  return expr.kind === 'call' && (expr.name === 'sort' || expr.name === 'sort_desc');
}
