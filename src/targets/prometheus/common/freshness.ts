/**
 * The staleness guard of `prometheus.query`. An instant query's result carries the
 * evaluation time, not the time of the samples it was computed from, and Prometheus keeps
 * answering with a series' last sample for its lookback window (5 minutes by default), and
 * range functions keep computing over old samples, after scrapes of it stopped being stored
 * (a restarted Prometheus, samples with explicit timestamps, federation, a target that left
 * no staleness marker). So, in one query sent alongside the probe's own and evaluated by
 * Prometheus at its own now, the guard asks which series the query reads have no sample in
 * the last `maxAge`:
 *
 * - for a selector read as an instant vector (`S`): `S unless count_over_time(S[maxAge])`,
 *   the series the query would take a sample of (its newest within the lookback) whose
 *   newest sample is older than maxAge;
 * - for a selector read over a range (`S[R]`): `count_over_time(S[R]) unless
 *   count_over_time(S[maxAge])`, the series the function reads samples of, none of them
 *   recent.
 *
 * Each part becomes `group without () (…) * k` (k: the part's 1-based number, so a row says
 * which selector it is about) and the parts are joined with `or`. It uses only the PromQL
 * every Prometheus (and the lab) evaluates. Rule: any row makes the check an error (the state
 * is unknown), never a pass or a breach. A series older than the lookback window (or ended by
 * a staleness marker) is not read by an instant selector at all: what is left of the query
 * is judged by its `noData` policy.
 */
import { TargetError } from '../../../errors.js';
import { formatDuration } from '../../../duration.js';
import type { CallOptions, PrometheusClient } from '../client.js';
import { formatLabels, type Labels } from '../types.js';
import type { SelectorUse } from './promql.js';

/** Most stale series named in an error; the rest are counted. */
const LISTED = 5;

/** A series the query reads whose newest sample is older than the bound. */
export interface StaleSeries {
  use: SelectorUse;
  labels: Labels;
}

/** The one query that finds every stale series of `uses` (see the file's comment). */
export function freshnessQuery(uses: readonly SelectorUse[], maxAgeMs: number): string {
  const recent = (s: string): string => `count_over_time(${s}[${formatDuration(maxAgeMs)}])`;
  return uses
    .map((u, i) => {
      const read = u.range === undefined ? u.selector : `count_over_time(${u.selector}[${u.range}])`;
      return `group without () (${read} unless ${recent(u.selector)}) * ${i + 1}`;
    })
    .join(' or ');
}

/** The stale series of `uses` (none: every series read has a sample in the last `maxAgeMs`). */
export async function staleSeries(
  client: PrometheusClient,
  uses: readonly SelectorUse[],
  maxAgeMs: number,
  options: CallOptions = {},
): Promise<{ stale: StaleSeries[]; warnings: string[] }> {
  if (uses.length === 0) return { stale: [], warnings: [] };
  const answer = await client.query(freshnessQuery(uses, maxAgeMs), options);
  const result = answer.data;
  if (result.type !== 'vector') {
    throw new TargetError(`Prometheus staleness check: expected a vector, got a ${result.type}`, { retryable: false });
  }
  const stale = result.samples.flatMap((sample) => {
    const use = uses[sample.value - 1];
    return use === undefined ? [] : [{ use, labels: sample.labels }];
  });
  return { stale, warnings: answer.warnings };
}

/** Throws a retryable TargetError naming the stale series, if there are any. */
export function assertFresh(stale: readonly StaleSeries[], maxAgeMs: number): void {
  if (stale.length === 0) return;
  const shown = stale.slice(0, LISTED).map((s) => `${s.use.selector}${s.use.range ? `[${s.use.range}]` : ''} ${formatLabels(s.labels)}`);
  const more = stale.length > LISTED ? `, and ${stale.length - LISTED} more` : '';
  throw new TargetError(`stale data: no sample in the last ${formatDuration(maxAgeMs)} (maxAge) for ${shown.join(', ')}${more}`, { retryable: true });
}
