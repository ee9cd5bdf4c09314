/**
 * Aggregation operators over an instant vector. Rules: `by (…)` keeps only the listed labels,
 * `without (…)` drops them and the metric name; `min`/`max` let any number replace a NaN;
 * every output sample is one group.
 */
import { dropNames, keepOnly, labelsKey, METRIC_NAME, type Labels } from '../labels.js';
import type { AggregateOp } from './ast.js';
import type { Sample } from './values.js';

interface Group {
  labels: Labels;
  values: number[];
}

/** Aggregates `samples` into one sample per group. */
export function aggregate(op: AggregateOp, samples: readonly Sample[], grouping: readonly string[], without: boolean): Sample[] {
  const groups = new Map<string, Group>();
  for (const sample of samples) {
    const labels = without ? dropNames(sample.labels, [...grouping, METRIC_NAME]) : keepOnly(sample.labels, grouping);
    const key = labelsKey(labels);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { labels, values: [] }));
    group.values.push(sample.value);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: reduce(op, g.values) }));
}

function reduce(op: AggregateOp, values: readonly number[]): number {
  switch (op) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'count':
      return values.length;
    case 'group':
      return 1;
    case 'min':
      return values.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a));
    case 'max':
      return values.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a));
  }
}
