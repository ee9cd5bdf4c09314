/**
 * `prometheus.query`: one instant query, its numbers held against an expectation. Rules:
 * Prometheus not answering, or answering with an error, is a probe error (never a breach);
 * so is data older than `maxAge` and, by default, an empty result (the state is unknown).
 * A breach is a number that misses the expectation: any series for `of: each`, the sum of
 * all series for `of: sum`. The query and the expectation are checked at load time, so a
 * malformed one never reaches Prometheus. Read-only.
 */
import { z } from 'zod';
import { Duration } from '../../duration.js';
import { TargetError } from '../../errors.js';
import { defineProbe, type ProbeResult, type ProbeRun } from '../types.js';
import { prometheusClient } from './client.js';
import { describeExpectation, EXPECTATION_FORMS, formatNumber, judge, needsBaseline, parseExpectation, type Expectation, type Judgement } from './common/expectation.js';
import { assertFresh, staleSeries } from './common/freshness.js';
import { checkPromql, describeProblems, selectorUses } from './common/promql.js';
import { formatLabels, type QueryResult, type Sample } from './types.js';

/** Most series named in a detail; the rest are counted. */
const LISTED = 5;

/** A PromQL query, refused at load time with the position of its first problem. */
export const PromqlQuery = z
  .string({ error: 'expected a PromQL query (a string)' })
  .superRefine((query, ctx) => {
    for (const message of describeProblems(query, checkPromql(query))) ctx.addIssue({ code: 'custom', message });
  })
  .meta({ description: 'An instant PromQL query (a vector or a scalar), checked at load time; no Grafana variables.' });

/** The probe's keys, as written in the experiment. */
export const QueryProbeKeys = z
  .object({
    /** An instant PromQL query: a vector (any number of series) or a scalar. */
    query: PromqlQuery,
    /** `< 0.5`, `between 1 and 5`, `within 10% of before`, `<= before * 1.2`… */
    expect: z
      .string({ error: 'expected an expectation like "< 0.5" (a string: quote it in YAML)' })
      .superRefine((text, ctx) => {
        const parsed = parseExpectation(text);
        if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
      })
      .meta({ description: `What each number (or the sum) must meet: ${EXPECTATION_FORMS.join('; ')}.` }),
    /** `each` (default): every series must meet the expectation; `sum`: the sum of all series must. */
    of: z.enum(['each', 'sum']).default('each').meta({ description: 'each: every series must meet the expectation; sum: the sum of all series must.' }),
    /** An empty result is an `error` (default: the state is unknown), a `pass`, or a `fail` (a breach). */
    noData: z.enum(['error', 'pass', 'fail']).default('error').meta({ description: 'An empty result: a probe error (default), a pass, or a breach (fail).' }),
    /** Reject (as an error) data whose newest sample is older than this: `30s`, `2m`. */
    maxAge: Duration.optional().meta({ description: 'A probe error when a series the query reads has no sample this recent (at least two scrape intervals).' }),
  })
  .strict();

/** The checked params: the keys, with the expectation read into its structure. */
export const QueryProbeParams = QueryProbeKeys.transform((keys) => ({
  ...keys,
  expectation: parseExpectation(keys.expect) as Expectation,
}));
export type QueryProbeParams = z.output<typeof QueryProbeParams>;

/** The numbers a result holds: an instant vector's series, or a scalar as one series without labels. */
function samplesOf(result: QueryResult, query: string): Sample[] {
  if (result.type === 'vector') return result.samples;
  if (result.type === 'scalar') return [result.sample];
  const what = result.type === 'matrix' ? 'a range vector' : 'a string';
  throw new TargetError(`Prometheus query ${JSON.stringify(query)} returned ${what}; probes need an instant vector or a scalar`, { retryable: false });
}

function seriesName(sample: Sample, result: QueryResult): string {
  return result.type === 'scalar' ? 'scalar' : formatLabels(sample.labels);
}

/** `0.25 {job="lab"}`, or the bare number for a series without labels. */
function numbered(n: { name: string; value: number }): string {
  return n.name === '{}' ? formatNumber(n.value) : `${formatNumber(n.value)} ${n.name}`;
}

function valueOf(n: number): number | string {
  return Number.isFinite(n) ? n : formatNumber(n);
}

/** The baseline a check compares with, or what to do without one (record it in `before`, error later). */
function baselineFor(p: QueryProbeParams, run: ProbeRun | undefined): number | 'record' | undefined {
  if (!needsBaseline(p.expectation)) return undefined;
  const phase = run?.phase ?? 'before';
  if (phase === 'before') return 'record';
  if (run?.baseline !== undefined) return run.baseline;
  throw new TargetError(
    `no baseline: "${p.expect}" compares with this probe's value before the fault, and it has none ` +
      '(its before check did not pass with a number, or the probe does not run in the before phase)',
    { retryable: false },
  );
}

/** The numbers an expectation is held against: one per series (`each`), or their sum (`sum`). */
function numbersOf(p: QueryProbeParams, samples: Sample[], result: QueryResult): { name: string; value: number }[] {
  if (p.of === 'each') return samples.map((s) => ({ name: seriesName(s, result), value: s.value }));
  return [{ name: `sum of ${samples.length} series`, value: samples.reduce((total, s) => total + s.value, 0) }];
}

/** A number with its judgement. */
interface Judged {
  name: string;
  value: number;
  j: Judgement;
}

function judgeAll(p: QueryProbeParams, samples: Sample[], result: QueryResult, baseline: number | undefined): Judged[] {
  return numbersOf(p, samples, result).map((n) => ({ ...n, j: judge(p.expectation, n.value, baseline) }));
}

function listed(items: Judged[]): string {
  const shown = items.slice(0, LISTED).map(numbered);
  return shown.join(', ') + (items.length > LISTED ? `, and ${items.length - LISTED} more` : '');
}

/** Turns the judged numbers into the check's result; `value` is the sum, or the worst series' value. */
function verdict(judged: Judged[]): ProbeResult {
  const worst = judged.reduce((a, b) => (b.j.margin < a.j.margin ? b : a));
  const rule = worst.j.rule;
  const failing = judged.filter((i) => !i.j.ok);
  if (judged.length === 1) {
    return { ok: worst.j.ok, value: valueOf(worst.value), detail: `${numbered(worst)}${worst.j.ok ? ':' : ': expected'} ${rule}` };
  }
  if (failing.length === 0) {
    return { ok: true, value: valueOf(worst.value), detail: `${judged.length} series, all ${rule} (worst ${numbered(worst)})` };
  }
  failing.sort((a, b) => a.j.margin - b.j.margin);
  return { ok: false, value: valueOf(worst.value), detail: `${failing.length} of ${judged.length} series not ${rule}: ${listed(failing)}` };
}

/** One instant query (and, with maxAge, its staleness check alongside) per check. */
export const queryProbe = defineProbe<QueryProbeParams>({
  type: 'prometheus.query',
  description: 'An instant PromQL query whose series (each, or their sum) meet an expectation, optionally against the value before the fault.',
  params: QueryProbeParams,
  async check(ctx, p, signal, run) {
    const baseline = baselineFor(p, run);
    const client = prometheusClient(ctx);
    const uses = p.maxAge === undefined ? [] : selectorUses(p.query);
    // both evaluated at Prometheus' own now: no clock skew between gameday and Prometheus
    const [answer, freshness] = await Promise.all([client.query(p.query, { signal }), staleSeries(client, uses, p.maxAge ?? 0, { signal })]);
    const warnings = [...answer.warnings, ...freshness.warnings];
    if (warnings.length > 0) ctx.log.warn('prometheus answered with warnings', { query: p.query, warnings });
    const note = warnings.length > 0 ? `; warnings: ${warnings.join('; ')}` : '';
    const samples = samplesOf(answer.data, p.query);
    if (samples.some((s) => s.histogram)) {
      throw new TargetError('the query returned native histogram samples; probe a number (histogram_count, histogram_sum, histogram_quantile)', { retryable: false });
    }
    if (samples.length === 0) return noData(p, note);
    if (p.maxAge !== undefined) assertFresh(freshness.stale, p.maxAge);
    if (baseline !== undefined && p.of === 'each' && samples.length > 1) {
      throw new TargetError(
        `"${p.expect}" compares one number with its value before the fault, but the query returned ${samples.length} series: aggregate them in the query (sum, max…) or set of: sum`,
        { retryable: false },
      );
    }
    if (baseline === 'record') return recordBaseline(p, samples, answer.data, note);
    const result = verdict(judgeAll(p, samples, answer.data, baseline));
    return { ...result, detail: result.detail + note };
  },
});

/** What an empty result means under the probe's `noData` policy. */
function noData(p: QueryProbeParams, note: string): ProbeResult {
  if (p.noData === 'error') {
    throw new TargetError(`query returned no series (noData: error; set noData: pass or fail if an empty result is expected)${note}`, { retryable: true });
  }
  return { ok: p.noData === 'pass', value: null, detail: `no series (noData: ${p.noData})${note}` };
}

/** The before phase of a baseline expectation: the value is recorded, and passes if it is a usable number. */
function recordBaseline(p: QueryProbeParams, samples: Sample[], result: QueryResult, note: string): ProbeResult {
  const text = describeExpectation(p.expectation);
  const only = numbersOf(p, samples, result)[0] as { name: string; value: number };
  if (!Number.isFinite(only.value)) {
    return { ok: false, value: valueOf(only.value), detail: `${numbered(only)}: not a usable baseline for "${text}"${note}` };
  }
  return { ok: true, value: only.value, detail: `${numbered(only)}: baseline for "${text}" during and after the fault${note}` };
}
