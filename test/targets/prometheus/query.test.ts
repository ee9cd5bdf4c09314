import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import { QueryProbeParams, queryProbe } from '../../../src/targets/prometheus/query.js';
import type { ProbeRun } from '../../../src/targets/types.js';
import { makeCtx } from '../../../src/experiments/ctx.js';
import { memoryLogger } from '../../helpers/ctx.js';
import { cannedServer, json, success, type CannedServer, type Handler } from './canned-server.js';
import { closedPort } from '../../helpers/ports.js';

type Series = [Record<string, string>, string];

/** Answers the probe's query with `main` and the staleness guard's query with `other`. */
function answers(s: CannedServer, main: Handler, other: Handler = vectorOf([])): void {
  s.on('/api/v1/query', (req, res) => (req.params.get('query')?.startsWith('group without () (') ? other : main)(req, res));
}

function vectorOf(series: Series[], extra: Record<string, unknown> = {}): Handler {
  return (req, res) => {
    const at = Number(req.params.get('time') ?? Date.now() / 1000);
    json(res, 200, { status: 'success', data: { resultType: 'vector', result: series.map(([metric, v]) => ({ metric, value: [at, v] })) }, ...extra });
  };
}

async function check(s: CannedServer, params: Record<string, unknown>, run?: ProbeRun) {
  const { log, lines } = memoryLogger();
  const ctx = makeCtx('test-run', log, new AbortController().signal, { prometheus: { url: s.url, timeout: '5s' } });
  const result = await queryProbe.check(ctx, QueryProbeParams.parse(params), new AbortController().signal, run);
  return { ...result, lines };
}

async function checkError(t: { throwsAsync: (p: Promise<unknown>, e: object) => Promise<unknown> }, s: CannedServer, params: Record<string, unknown>, run?: ProbeRun): Promise<TargetError> {
  return (await t.throwsAsync(check(s, params, run), { instanceOf: TargetError })) as TargetError;
}

const during = (baseline: number | undefined): ProbeRun => ({ phase: 'during', baseline });

test('one series meeting the expectation is ok, with its value and the rule in the detail', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{ job: 'lab' }, '0.25']]));
  const r = await check(s, { query: 'x', expect: '< 0.5' });
  t.true(r.ok);
  t.is(r.value, 0.25);
  t.is(r.detail, '0.25 {job="lab"}: < 0.5');
});

test('one series missing the expectation is a breach, not an error', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{ job: 'lab' }, '0.75']]));
  const r = await check(s, { query: 'x', expect: '< 0.5' });
  t.false(r.ok);
  t.is(r.value, 0.75);
  t.is(r.detail, '0.75 {job="lab"}: expected < 0.5');
});

test('of: each needs every series; the value is the worst series and the breach lists the failing ones worst first', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{ i: 'a' }, '1'], [{ i: 'b' }, '7'], [{ i: 'c' }, '9'], [{ i: 'd' }, '3']]));
  const bad = await check(s, { query: 'x', expect: '< 5' });
  t.false(bad.ok);
  t.is(bad.value, 9);
  t.is(bad.detail, '2 of 4 series not < 5: 9 {i="c"}, 7 {i="b"}');
  const good = await check(s, { query: 'x', expect: '< 10' });
  t.true(good.ok);
  t.is(good.value, 9);
  t.is(good.detail, '4 series, all < 10 (worst 9 {i="c"})');
  const low = await check(s, { query: 'x', expect: '>= 1' });
  t.is(low.value, 1, 'for >= the worst series is the lowest');
});

test('a breach lists at most five series and counts the rest', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf(Array.from({ length: 8 }, (_, i): Series => [{ i: String(i) }, String(10 + i)])));
  const r = await check(s, { query: 'x', expect: '< 1' });
  t.regex(r.detail, /^8 of 8 series not < 1: 17 \{i="7"\}, 16 .*, 13 \{i="3"\}, and 3 more$/);
});

test('of: sum judges the sum of every series and reports it', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{ i: 'a' }, '1'], [{ i: 'b' }, '2.5']]));
  const r = await check(s, { query: 'x', expect: '>= 3', of: 'sum' });
  t.true(r.ok);
  t.is(r.value, 3.5);
  t.is(r.detail, '3.5 sum of 2 series: >= 3');
  const bad = await check(s, { query: 'x', expect: 'between 0 and 3', of: 'sum' });
  t.false(bad.ok);
  t.is(bad.detail, '3.5 sum of 2 series: expected between 0 and 3');
});

test('a scalar result just works', async (t) => {
  const s = await cannedServer(t);
  answers(s, success({ resultType: 'scalar', result: [1, '2'] }));
  const r = await check(s, { query: 'scalar(x)', expect: '== 2' });
  t.true(r.ok);
  t.is(r.value, 2);
  t.is(r.detail, '2 scalar: == 2');
});

test('a NaN result is a breach whose value reads NaN', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{}, 'NaN']]));
  const r = await check(s, { query: 'a / b', expect: '< 1' });
  t.false(r.ok);
  t.is(r.value, 'NaN');
});

test('noData: an empty result is an error by default, a pass or a breach when asked', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([]));
  const err = await checkError(t, s, { query: 'x', expect: '< 1' });
  t.true(err.retryable);
  t.regex(err.message, /^query returned no series \(noData: error;/);
  const pass = await check(s, { query: 'x', expect: '< 1', noData: 'pass' });
  t.deepEqual([pass.ok, pass.value, pass.detail], [true, null, 'no series (noData: pass)']);
  const fail = await check(s, { query: 'x', expect: '< 1', noData: 'fail' });
  t.deepEqual([fail.ok, fail.value, fail.detail], [false, null, 'no series (noData: fail)']);
});

test('baseline forms record the value before the fault and pass', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{}, '12']]));
  for (const run of [undefined, { phase: 'before' as const, baseline: undefined }]) {
    const r = await check(s, { query: 'x', expect: 'within 10% of before' }, run);
    t.true(r.ok);
    t.is(r.value, 12);
    t.is(r.detail, '12: baseline for "within 10% of before" during and after the fault');
  }
});

test('baseline forms compare with the baseline the engine passes during and after the fault', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{}, '13']]));
  const ok = await check(s, { query: 'x', expect: 'within 10% of before' }, during(12));
  t.true(ok.ok);
  t.is(ok.detail, '13: within 10% of before (12 ± 1.2)');
  const bad = await check(s, { query: 'x', expect: '<= before * 1.05' }, { phase: 'after', baseline: 12 });
  t.false(bad.ok);
  t.is(bad.detail, '13: expected <= 12.6 (before 12 * 1.05)');
});

test('a baseline form with no baseline during the fault is an error saying why, and asks nothing', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{}, '13']]));
  const err = await checkError(t, s, { query: 'x', expect: 'within 10% of before' }, during(undefined));
  t.false(err.retryable);
  t.regex(err.message, /^no baseline: "within 10% of before" compares with this probe's value before the fault, and it has none \(its before check did not pass/);
  t.is(s.seen.length, 0);
});

test('a baseline that is not a number (NaN) fails the before check instead of recording it', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{}, 'NaN']]));
  const r = await check(s, { query: 'x', expect: 'within 10% of before' });
  t.false(r.ok);
  t.regex(r.detail, /^NaN: not a usable baseline/);
});

test('a baseline form on several series is an error with of: each, and judges the sum with of: sum', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{ i: 'a' }, '1'], [{ i: 'b' }, '2']]));
  const err = await checkError(t, s, { query: 'x', expect: '<= before' }, during(3));
  t.false(err.retryable);
  t.regex(err.message, /but the query returned 2 series: aggregate them in the query \(sum, max…\) or set of: sum$/);
  const before = await check(s, { query: 'x', expect: '<= before', of: 'sum' });
  t.is(before.value, 3);
  const r = await check(s, { query: 'x', expect: '<= before', of: 'sum' }, during(3));
  t.true(r.ok);
});

test('without maxAge only the query is sent, evaluated at Prometheus\' own now', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{}, '1']]));
  await check(s, { query: 'up{job="lab"}', expect: '== 1' });
  t.is(s.seen.length, 1);
  t.false(s.seen[0]?.params.has('time'));
});

test('with maxAge the staleness guard asks, alongside the query, which series read have no recent sample', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{}, '1']]));
  const r = await check(s, { query: 'sum(rate(a{job="lab"}[1m])) / sum(b)', expect: '< 2', maxAge: '1m30s' });
  t.true(r.ok);
  t.is(s.seen.length, 2);
  const guard = s.seen.find((q) => q.params.get('query') !== 'sum(rate(a{job="lab"}[1m])) / sum(b)');
  t.is(
    guard?.params.get('query'),
    'group without () (count_over_time(a{job="lab"}[1m]) unless count_over_time(a{job="lab"}[1m30s])) * 1 or ' +
      'group without () (b unless count_over_time(b[1m30s])) * 2',
  );
  t.false(guard?.params.has('time'));
});

test('data older than maxAge is an error naming the selector and series, never a pass', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{}, '1']]), vectorOf([[{ instance: 'h:1' }, '2'], [{ instance: 'h:2' }, '1']]));
  const err = await checkError(t, s, { query: 'sum(rate(a[5m])) + sum(up)', expect: '>= 1', maxAge: '30s' });
  t.true(err.retryable);
  t.is(err.message, 'stale data: no sample in the last 30s (maxAge) for up {instance="h:1"}, a[5m] {instance="h:2"}');
});

test('an empty result is judged by noData before staleness', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([]), vectorOf([[{ instance: 'h:1' }, '1']]));
  const r = await check(s, { query: 'up == 0', expect: '== 0', maxAge: '30s', noData: 'pass' });
  t.true(r.ok);
});

test('Prometheus warnings are passed to the detail and the log', async (t) => {
  const s = await cannedServer(t);
  answers(s, vectorOf([[{}, '1']], { warnings: ['PromQL info: metric might not be a counter'] }));
  const r = await check(s, { query: 'rate(x[1m])', expect: '== 1' });
  t.true(r.ok);
  t.is(r.detail, '1: == 1; warnings: PromQL info: metric might not be a counter');
  t.true(r.lines.some((l) => l['message'] === 'prometheus answered with warnings' && l['level'] === 'warn'));
});

test('an error answer from Prometheus is a probe error, not a breach', async (t) => {
  const s = await cannedServer(t);
  answers(s, (_req, res) => json(res, 422, { status: 'error', errorType: 'execution', error: 'found duplicate series for the match group' }));
  const err = await checkError(t, s, { query: 'a / on(x) b', expect: '< 1' });
  t.false(err.retryable);
  t.regex(err.message, /HTTP 422 execution: found duplicate series/);
});

test('an unreachable Prometheus is a retryable probe error', async (t) => {
  const { log } = memoryLogger();
  const ctx = makeCtx('r', log, new AbortController().signal, { prometheus: { url: `http://127.0.0.1:${await closedPort()}` } });
  const err = await t.throwsAsync(queryProbe.check(ctx, QueryProbeParams.parse({ query: 'up', expect: '== 1' }), new AbortController().signal), { instanceOf: TargetError });
  t.true(err?.retryable);
  t.regex(err?.message ?? '', /^Prometheus query "up": no answer \(ECONNREFUSED\)$/);
});

test('a range vector or a native histogram result is a non-retryable error', async (t) => {
  const s = await cannedServer(t);
  answers(s, success({ resultType: 'matrix', result: [] }));
  t.regex((await checkError(t, s, { query: 'x', expect: '< 1' })).message, /returned a range vector; probes need an instant vector or a scalar$/);
  answers(s, success({ resultType: 'vector', result: [{ metric: {}, histogram: [1, {}] }] }));
  t.regex((await checkError(t, s, { query: 'x', expect: '< 1' })).message, /native histogram samples/);
});
