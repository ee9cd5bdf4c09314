import { QueryEngine } from '../../../src/lab/prometheus/promql/engine.js';
import type { Value } from '../../../src/lab/prometheus/promql/values.js';
import { Tsdb } from '../../../src/lab/prometheus/tsdb.js';

/** Series written as `{ labels, points: [[seconds, value], …] }`. */
export interface HandSeries {
  labels: Record<string, string>;
  points: [number, number][];
}

/** A query engine over a TSDB filled by hand (times in seconds). */
export function engineWith(series: HandSeries[]): QueryEngine {
  const db = new Tsdb({ retentionMs: 365 * 86_400_000 });
  for (const s of series) for (const [seconds, value] of s.points) db.append(s.labels, seconds * 1000, value);
  return new QueryEngine(db);
}

/** An instant query's samples as `'{labels} value'` lines, or its scalar/string, sorted. */
export function show(value: Value): string[] | number | string {
  if (value.type === 'scalar') return value.value;
  if (value.type === 'string') return value.value;
  if (value.type === 'matrix') return value.series.map((s) => `${labelText(s.labels)} ${s.points.t.map((t, i) => `${t / 1000}:${s.points.v[i]}`).join(',')}`);
  return value.samples.map((s) => `${labelText(s.labels)} ${s.value}`).sort();
}

function labelText(labels: Record<string, string>): string {
  return `{${Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',')}}`;
}
