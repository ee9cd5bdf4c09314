/**
 * `histogram_quantile` over classic histograms (`_bucket` series with an `le` label), as
 * Prometheus computes it. Rules: buckets are grouped by their labels without `le` and the
 * metric name; a group without a `+Inf` bucket, with fewer than two buckets or with no
 * observations gives NaN; cumulative counts that drop are raised to stay monotonic; the
 * quantile is interpolated linearly inside its bucket, the lowest bucket starting at 0
 * (unless its bound is ≤ 0), and a rank in the `+Inf` bucket answers the highest finite bound.
 */
import { dropNames, labelsKey, METRIC_NAME, type Labels } from '../labels.js';
import type { Sample } from './values.js';

interface Bucket {
  upperBound: number;
  count: number;
}

/** The φ-quantile of every bucket group of `samples`. */
export function histogramQuantile(q: number, samples: readonly Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const sample of samples) {
    const le = sample.labels['le'];
    if (le === undefined) continue;
    const upperBound = parseBound(le);
    if (upperBound === undefined) continue;
    const labels = dropNames(sample.labels, [METRIC_NAME, 'le']);
    const key = labelsKey(labels);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { labels, buckets: [] }));
    group.buckets.push({ upperBound, count: sample.value });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

function parseBound(le: string): number | undefined {
  const text = le.trim();
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  return text === '' || Number.isNaN(value) ? undefined : value;
}

/** The quantile of one group's buckets. */
export function bucketQuantile(q: number, given: readonly Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const buckets = coalesce(given);
  const last = buckets[buckets.length - 1];
  if (!last || last.upperBound !== Number.POSITIVE_INFINITY || buckets.length < 2) return Number.NaN;
  for (let i = 1; i < buckets.length; i++) {
    const previous = buckets[i - 1] as Bucket;
    const bucket = buckets[i] as Bucket;
    if (bucket.count < previous.count) bucket.count = previous.count;
  }
  const observations = last.count;
  if (observations === 0 || Number.isNaN(observations)) return Number.NaN;
  let rank = q * observations;
  const b = buckets.findIndex((bucket) => bucket.count >= rank);
  if (b < 0) return Number.NaN;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]?.upperBound ?? Number.NaN;
  const bucket = buckets[b] as Bucket;
  if (b === 0 && bucket.upperBound <= 0) return bucket.upperBound;
  let start = 0;
  let count = bucket.count;
  if (b > 0) {
    const previous = buckets[b - 1] as Bucket;
    start = previous.upperBound;
    count -= previous.count;
    rank -= previous.count;
  }
  return start + (bucket.upperBound - start) * (rank / count);
}

/** Sorted by bound; buckets with the same bound are summed. */
function coalesce(buckets: readonly Bucket[]): Bucket[] {
  const sorted = [...buckets].sort((a, b) => a.upperBound - b.upperBound);
  const out: Bucket[] = [];
  for (const bucket of sorted) {
    const last = out[out.length - 1];
    if (last && last.upperBound === bucket.upperBound) last.count += bucket.count;
    else out.push({ ...bucket });
  }
  return out;
}
