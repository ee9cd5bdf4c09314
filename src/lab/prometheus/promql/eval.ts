/**
 * Evaluates a parsed PromQL expression at one instant over the lab's TSDB. Rules: an
 * instant selector takes each series' newest sample in (t − lookback, t] unless it is a
 * stale marker; a range selector takes the samples in (t − range, t]; a vector never holds
 * two samples with one label set (execution error); evaluation stops with a timeout error
 * past its deadline and with an execution error past its sample budget.
 */
import { performance } from 'node:perf_hooks';
import { labelsKey, withoutName } from '../labels.js';
import type { Matcher } from '../matchers.js';
import type { Tsdb } from '../tsdb.js';
import type { Expr } from './ast.js';
import { aggregate } from './aggregate.js';
import { binaryOp } from './binary.js';
import { FUNCTIONS } from './functions.js';
import { PromQLError, type RangeSeries, type Sample, type Value } from './values.js';

/** Bounds of one query's evaluation. */
export interface EvalLimits {
  /** How far back an instant selector looks for a sample (Prometheus: 5 m). */
  lookbackMs: number;
  /** `performance.now()` after which evaluation gives up. */
  deadline: number;
  /** Samples the query may load, over all its steps. */
  maxSamples: number;
}

/** Prometheus's defaults (query.lookback-delta 5m, a 50 M sample budget lowered for a lab). */
export const DEFAULT_LOOKBACK_MS = 300_000;
export const DEFAULT_MAX_SAMPLES = 5_000_000;

/** One query's evaluation state: counts loaded samples across steps. */
export class Evaluator {
  private loaded = 0;

  constructor(
    private readonly db: Tsdb,
    private readonly limits: EvalLimits,
  ) {}

  /** The value of `expr` at `t` (ms). */
  evaluate(expr: Expr, t: number): Value {
    this.checkDeadline();
    switch (expr.kind) {
      case 'number':
        return { type: 'scalar', value: expr.value };
      case 'string':
        return { type: 'string', value: expr.value };
      case 'vector-selector':
        return { type: 'vector', samples: this.instant(expr.matchers, t) };
      case 'matrix-selector':
        return { type: 'matrix', series: this.range(expr.selector.matchers, t, expr.rangeMs) };
      case 'unary':
        return this.unary(expr.op, this.evaluate(expr.expr, t));
      case 'aggregate':
        return { type: 'vector', samples: aggregate(expr.op, this.vector(this.evaluate(expr.expr, t)), expr.grouping, expr.without) };
      case 'call': {
        const def = FUNCTIONS[expr.name];
        if (!def) throw new PromQLError('bad_data', `unsupported PromQL: function ${expr.name}`);
        const args = expr.args.map((a) => this.evaluate(a, t));
        return unique(def.call({ t, args, exprs: expr.args }));
      }
      case 'binary':
        return unique(binaryOp(expr, this.evaluate(expr.lhs, t), this.evaluate(expr.rhs, t)));
    }
  }

  private instant(matchers: readonly Matcher[], t: number): Sample[] {
    const out: Sample[] = [];
    for (const series of this.db.select(matchers)) {
      const point = series.latest(t, this.limits.lookbackMs);
      if (point) out.push({ labels: series.labels, value: point.v });
    }
    this.count(out.length);
    return out;
  }

  private range(matchers: readonly Matcher[], t: number, rangeMs: number): RangeSeries[] {
    const out: RangeSeries[] = [];
    for (const series of this.db.select(matchers)) {
      const points = series.points(t - rangeMs, t);
      if (points.t.length === 0) continue;
      this.count(points.t.length);
      out.push({ labels: series.labels, points });
    }
    return out;
  }

  private unary(op: '-' | '+', value: Value): Value {
    if (op === '+') return value;
    if (value.type === 'scalar') return { type: 'scalar', value: -value.value };
    return unique({ type: 'vector', samples: this.vector(value).map((s) => ({ labels: withoutName(s.labels), value: -s.value })) });
  }

  private vector(value: Value): Sample[] {
    if (value.type !== 'vector') throw new PromQLError('execution', `expected an instant vector, got ${value.type}`);
    return value.samples;
  }

  private count(samples: number): void {
    this.loaded += samples;
    if (this.loaded > this.limits.maxSamples) throw new PromQLError('execution', 'query processing would load too many samples into memory in query execution');
  }

  private checkDeadline(): void {
    if (performance.now() > this.limits.deadline) throw new PromQLError('timeout', 'query timed out in expression evaluation');
  }
}

/** Fails when a vector holds two samples with the same labels. */
function unique(value: Value): Value {
  if (value.type !== 'vector') return value;
  const seen = new Set<string>();
  for (const sample of value.samples) {
    const key = labelsKey(sample.labels);
    if (seen.has(key)) throw new PromQLError('execution', 'vector cannot contain metrics with the same labelset');
    seen.add(key);
  }
  return value;
}
