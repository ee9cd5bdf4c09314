/**
 * The PromQL functions the lab supports: their signatures (read by the parser to type-check
 * calls) and their evaluation. Rules: `rate`, `increase` and `delta` extrapolate as
 * Prometheus's extrapolatedRate does — to the range's edges when the first/last sample lies
 * within 1.1 average intervals of them, else by half an interval, and never below a
 * counter's zero point; counters are corrected for resets (a drop adds the value before it);
 * a series with fewer than two samples in range gives no result; every function but
 * `last_over_time`, `sort`, `sort_desc` drops the metric name.
 */
import { METRIC_NAME, withoutName, type Labels } from '../labels.js';
import type { Points } from '../tsdb.js';
import type { Expr, ValueType } from './ast.js';
import { histogramQuantile } from './histogram.js';
import { PromQLError, type Sample, type Value } from './values.js';

/** What a function's evaluation receives. */
export interface CallContext {
  /** Evaluation time, ms. */
  t: number;
  args: Value[];
  exprs: Expr[];
}

/** A function's signature and evaluation. */
export interface FunctionDef {
  args: ValueType[];
  /** How many trailing arguments may be left out. */
  optional: number;
  returns: ValueType;
  call(ctx: CallContext): Value;
}

type RangeFn = (points: Points, rangeStartMs: number, rangeEndMs: number, rangeMs: number) => number | undefined;

/** Prometheus's extrapolated rate/increase/delta over the points of (rangeStart, rangeEnd]. */
export function extrapolatedRate(points: Points, rangeStart: number, rangeEnd: number, rangeMs: number, isCounter: boolean, isRate: boolean): number | undefined {
  const { t, v } = points;
  const n = t.length;
  if (n < 2) return undefined;
  const firstT = t[0] ?? 0;
  const lastT = t[n - 1] ?? 0;
  const firstV = v[0] ?? 0;
  let result = (v[n - 1] ?? 0) - firstV;
  if (isCounter) {
    for (let i = 1; i < n; i++) {
      const prev = v[i - 1] ?? 0;
      if ((v[i] ?? 0) < prev) result += prev;
    }
  }
  let durationToStart = (firstT - rangeStart) / 1000;
  let durationToEnd = (rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageInterval = sampledInterval / (n - 1);
  const threshold = averageInterval * 1.1;
  if (durationToStart >= threshold) durationToStart = averageInterval / 2;
  if (isCounter) {
    const durationToZero = result > 0 && firstV >= 0 ? sampledInterval * (firstV / result) : durationToStart;
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = averageInterval / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= rangeMs / 1000;
  return result * factor;
}

/** irate/idelta: from the last two samples; a counter that dropped counts from zero. */
function instantValue(points: Points, isCounter: boolean, isRate: boolean): number | undefined {
  const n = points.t.length;
  if (n < 2) return undefined;
  const last = points.v[n - 1] ?? 0;
  const previous = points.v[n - 2] ?? 0;
  const dt = ((points.t[n - 1] ?? 0) - (points.t[n - 2] ?? 0)) / 1000;
  if (isRate && dt === 0) return undefined;
  const change = isCounter && last < previous ? last : last - previous;
  return isRate ? change / dt : change;
}

function overTime(reduce: (values: number[]) => number): RangeFn {
  return (points) => (points.v.length === 0 ? undefined : reduce(points.v));
}

function rangeFunction(fn: RangeFn, keepName = false): FunctionDef {
  return {
    args: ['matrix'],
    optional: 0,
    returns: 'vector',
    call: ({ t, args, exprs }) => {
      const matrix = args[0];
      const expr = exprs[0];
      if (matrix?.type !== 'matrix' || expr?.kind !== 'matrix-selector') throw new PromQLError('execution', 'range function called without a range selector');
      const samples: Sample[] = [];
      for (const series of matrix.series) {
        const value = fn(series.points, t - expr.rangeMs, t, expr.rangeMs);
        if (value !== undefined) samples.push({ labels: keepName ? series.labels : withoutName(series.labels), value });
      }
      return { type: 'vector', samples };
    },
  };
}

function mathFunction(fn: (value: number, ...params: number[]) => number, params: ValueType[] = [], optional = 0, defaults: number[] = []): FunctionDef {
  return {
    args: ['vector', ...params],
    optional,
    returns: 'vector',
    call: ({ args }) => {
      const values = params.map((_, i) => {
        const arg = args[i + 1];
        return arg?.type === 'scalar' ? arg.value : (defaults[i] ?? Number.NaN);
      });
      return { type: 'vector', samples: vectorOf(args[0]).map((s) => ({ labels: withoutName(s.labels), value: fn(s.value, ...values) })) };
    },
  };
}

function vectorOf(value: Value | undefined): Sample[] {
  if (value?.type !== 'vector') throw new PromQLError('execution', 'expected an instant vector argument');
  return value.samples;
}

function scalarOf(value: Value | undefined): number {
  if (value?.type !== 'scalar') throw new PromQLError('execution', 'expected a scalar argument');
  return value.value;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const countResets = (points: Points): number => points.v.reduce((n, v, i) => (i > 0 && v < (points.v[i - 1] ?? 0) ? n + 1 : n), 0);
const countChanges = (points: Points): number => points.v.reduce((n, v, i) => (i > 0 && !(v === points.v[i - 1] || (Number.isNaN(v) && Number.isNaN(points.v[i - 1]))) ? n + 1 : n), 0);

/** Labels `absent()` gives its one sample: the equality matchers of a plain selector argument. */
function absentLabels(expr: Expr | undefined): Labels {
  if (expr?.kind !== 'vector-selector') return {};
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const m of expr.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !seen.has(m.name)) out[m.name] = m.value;
    else delete out[m.name];
    seen.add(m.name);
  }
  return out;
}

function sortBy(direction: 1 | -1): FunctionDef {
  return {
    args: ['vector'],
    optional: 0,
    returns: 'vector',
    call: ({ args }) => ({
      type: 'vector',
      samples: [...vectorOf(args[0])].sort((a, b) => {
        if (Number.isNaN(a.value)) return Number.isNaN(b.value) ? 0 : 1;
        if (Number.isNaN(b.value)) return -1;
        return direction * (a.value - b.value);
      }),
    }),
  };
}

/** The supported functions, by PromQL name. */
export const FUNCTIONS: Readonly<Record<string, FunctionDef>> = {
  abs: mathFunction(Math.abs),
  absent: {
    args: ['vector'],
    optional: 0,
    returns: 'vector',
    call: ({ args, exprs }) => ({ type: 'vector', samples: vectorOf(args[0]).length > 0 ? [] : [{ labels: absentLabels(exprs[0]), value: 1 }] }),
  },
  avg_over_time: rangeFunction(overTime((v) => sum(v) / v.length)),
  ceil: mathFunction(Math.ceil),
  changes: rangeFunction((p) => (p.v.length === 0 ? undefined : countChanges(p))),
  clamp: {
    args: ['vector', 'scalar', 'scalar'],
    optional: 0,
    returns: 'vector',
    call: ({ args }) => {
      const [min, max] = [scalarOf(args[1]), scalarOf(args[2])];
      if (max < min) return { type: 'vector', samples: [] };
      return { type: 'vector', samples: vectorOf(args[0]).map((s) => ({ labels: withoutName(s.labels), value: Math.max(min, Math.min(max, s.value)) })) };
    },
  },
  clamp_max: mathFunction((v, max = Number.NaN) => Math.min(max, v), ['scalar']),
  clamp_min: mathFunction((v, min = Number.NaN) => Math.max(min, v), ['scalar']),
  count_over_time: rangeFunction(overTime((v) => v.length)),
  delta: rangeFunction((p, start, end, range) => extrapolatedRate(p, start, end, range, false, false)),
  exp: mathFunction(Math.exp),
  floor: mathFunction(Math.floor),
  histogram_quantile: {
    args: ['scalar', 'vector'],
    optional: 0,
    returns: 'vector',
    call: ({ args }) => ({ type: 'vector', samples: histogramQuantile(scalarOf(args[0]), vectorOf(args[1])) }),
  },
  idelta: rangeFunction((p) => instantValue(p, false, false)),
  increase: rangeFunction((p, start, end, range) => extrapolatedRate(p, start, end, range, true, false)),
  irate: rangeFunction((p) => instantValue(p, true, true)),
  last_over_time: rangeFunction(overTime((v) => v[v.length - 1] ?? Number.NaN), true),
  ln: mathFunction(Math.log),
  log10: mathFunction(Math.log10),
  log2: mathFunction(Math.log2),
  max_over_time: rangeFunction(overTime((v) => v.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a)))),
  min_over_time: rangeFunction(overTime((v) => v.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a)))),
  rate: rangeFunction((p, start, end, range) => extrapolatedRate(p, start, end, range, true, true)),
  resets: rangeFunction((p) => (p.v.length === 0 ? undefined : countResets(p))),
  round: mathFunction((v, to = 1) => Math.floor(v * (1 / to) + 0.5) / (1 / to), ['scalar'], 1, [1]),
  scalar: {
    args: ['vector'],
    optional: 0,
    returns: 'scalar',
    call: ({ args }) => {
      const samples = vectorOf(args[0]);
      return { type: 'scalar', value: samples.length === 1 ? (samples[0]?.value ?? Number.NaN) : Number.NaN };
    },
  },
  sort: sortBy(1),
  sort_desc: sortBy(-1),
  sqrt: mathFunction(Math.sqrt),
  sum_over_time: rangeFunction(overTime(sum)),
  time: { args: [], optional: 0, returns: 'scalar', call: ({ t }) => ({ type: 'scalar', value: t / 1000 }) },
  vector: { args: ['scalar'], optional: 0, returns: 'vector', call: ({ args }) => ({ type: 'vector', samples: [{ labels: {}, value: scalarOf(args[0]) }] }) },
};
