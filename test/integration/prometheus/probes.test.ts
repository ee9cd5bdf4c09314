/**
 * The prometheus target against a real Prometheus 2.42 (scripts/prometheus/up.sh) that
 * scrapes, every second, the lab's exposition on 127.0.0.1:19090, whose gauges these tests
 * set: every mode of prometheus.query (each, sum, baseline, noData, maxAge), a breach seen
 * within a bounded delay after the metric changes, prometheus.alerts on the real rule
 * manager (firing, pending, expected, severity), and a Prometheus that cannot be reached
 * (an error, not a breach). Fails, never skips, when Prometheus is not up.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { TargetError } from '../../../src/errors.js';
import type { Lab } from '../../../src/lab/index.js';
import { createPrometheusClient } from '../../../src/targets/prometheus/client.js';
import { probeTypes } from '../../../src/targets/registry.js';
import type { ProbeResult, ProbeRun } from '../../../src/targets/types.js';
import { testCtx } from '../../helpers/ctx.js';
import { labExporter } from './lab-exporter.js';
import { realPrometheus, type RealPrometheus } from './real-prometheus.js';
import { closedPort } from '../../helpers/ports.js';

const GAUGE = 'gameday_it_gauge';

let prom: RealPrometheus;
let lab: Lab;

test.before(async () => {
  prom = await realPrometheus();
  lab = await labExporter(prom);
});

test.after.always(async () => {
  await lab?.close();
});

function check(type: string, params: Record<string, unknown>, run?: ProbeRun, url = prom.url): Promise<ProbeResult> {
  const probe = probeTypes.get(type);
  if (!probe) throw new Error(`no probe ${type}`);
  return probe.check(testCtx({ prometheus: { url, timeout: '5s' } }), probe.params.parse(params), new AbortController().signal, run);
}

const query = (params: Record<string, unknown>, run?: ProbeRun): Promise<ProbeResult> => check('prometheus.query', params, run);
const alerts = (params: Record<string, unknown>): Promise<ProbeResult> => check('prometheus.alerts', params);

/** Sets a lab gauge and waits until the real Prometheus answers with that value. */
async function setGauge(labels: Record<string, string>, value: number, name = GAUGE): Promise<void> {
  lab.world.metrics.set(name, labels, value);
  const selector = `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  await prom.waitFor(selector, (r) => r.length === 1 && Number(r[0]?.value[1]) === value, 10_000);
}

/** Checks every 100 ms until `done` holds on a result (or an error), for at most `ms`. */
async function pollUntil(run: () => Promise<ProbeResult>, done: (r: ProbeResult | Error) => boolean, ms: number): Promise<ProbeResult | Error> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await run().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    if (done(r) || Date.now() > deadline) return r;
    await sleep(100);
  }
}

test.serial('a series meeting the expectation passes, with fresh data under maxAge; one missing it is a breach', async (t) => {
  await setGauge({ case: 'basic' }, 3);
  const ok = await query({ query: `${GAUGE}{case="basic"}`, expect: '< 5', maxAge: '5s' });
  t.true(ok.ok, ok.detail);
  t.is(ok.value, 3);
  t.regex(ok.detail, /^3 gameday_it_gauge\{case="basic", instance="127\.0\.0\.1:19090", job="lab"\}: < 5$/);
  const bad = await query({ query: `${GAUGE}{case="basic"}`, expect: '> 5' });
  t.false(bad.ok);
  t.regex(bad.detail, /: expected > 5$/);
});

test.serial('of: each needs every series (value: the worst), of: sum judges their sum; a scalar just works', async (t) => {
  await setGauge({ case: 'multi', i: 'a' }, 2);
  await setGauge({ case: 'multi', i: 'b' }, 4);
  const each = await query({ query: `${GAUGE}{case="multi"}`, expect: '< 3' });
  t.false(each.ok);
  t.is(each.value, 4);
  t.regex(each.detail, /^1 of 2 series not < 3: 4 gameday_it_gauge\{case="multi", i="b"/);
  const sum = await query({ query: `${GAUGE}{case="multi"}`, expect: '== 6', of: 'sum' });
  t.true(sum.ok, sum.detail);
  t.is(sum.value, 6);
  const aggregated = await query({ query: `sum(${GAUGE}{case="multi"})`, expect: 'between 5 and 7', maxAge: '5s' });
  t.true(aggregated.ok, aggregated.detail);
  const scalar = await query({ query: `scalar(sum(${GAUGE}{case="multi"})) * 2`, expect: '== 12' });
  t.true(scalar.ok, scalar.detail);
  t.regex(scalar.detail, /^12 scalar: == 12$/);
});

test.serial('a breach is seen within 5 s after the metric changes in the exporter (1 s scrape, checks every 100 ms)', async (t) => {
  await setGauge({ case: 'delay' }, 1);
  const params = { query: `${GAUGE}{case="delay"}`, expect: '< 5' };
  t.true((await query(params)).ok);
  const changed = performance.now();
  lab.world.metrics.set(GAUGE, { case: 'delay' }, 10);
  const r = await pollUntil(() => query(params), (x) => !(x instanceof Error) && !x.ok, 10_000);
  const delay = performance.now() - changed;
  t.false(r instanceof Error, String(r));
  t.false((r as ProbeResult).ok);
  t.log(`breach seen ${Math.round(delay)} ms after the change`);
  t.true(delay < 5000, `breach after ${Math.round(delay)} ms`);
});

test.serial('baseline mode: the before check records the value; during the fault the value is held against it', async (t) => {
  await setGauge({ case: 'baseline' }, 10);
  const params = { query: `${GAUGE}{case="baseline"}`, expect: 'within 10% of before' };
  const before = await query(params, { phase: 'before', baseline: undefined });
  t.true(before.ok);
  t.is(before.value, 10);
  t.regex(before.detail, /baseline for "within 10% of before" during and after the fault$/);
  const baseline = before.value as number;
  await setGauge({ case: 'baseline' }, 10.5);
  const holding = await query(params, { phase: 'during', baseline });
  t.true(holding.ok, holding.detail);
  await setGauge({ case: 'baseline' }, 20);
  const breach = await query(params, { phase: 'during', baseline });
  t.false(breach.ok);
  t.regex(breach.detail, /^20 .*: expected within 10% of before \(10 ± 1\)$/);
  const scaled = await query({ query: `${GAUGE}{case="baseline"}`, expect: '<= before * 2.5' }, { phase: 'after', baseline });
  t.true(scaled.ok, scaled.detail);
  const none = await t.throwsAsync(query(params, { phase: 'during', baseline: undefined }), { instanceOf: TargetError });
  t.regex(none?.message ?? '', /^no baseline:/);
});

test.serial('noData: no series is an error by default, a pass or a breach when asked', async (t) => {
  const params = { query: `${GAUGE}{case="never-set"}`, expect: '< 1' };
  const err = await t.throwsAsync(query(params), { instanceOf: TargetError });
  t.true(err?.retryable);
  t.regex(err?.message ?? '', /^query returned no series/);
  t.deepEqual(await query({ ...params, noData: 'pass' }), { ok: true, value: null, detail: 'no series (noData: pass)' });
  t.deepEqual(await query({ ...params, noData: 'fail' }), { ok: false, value: null, detail: 'no series (noData: fail)' });
});

test.serial('maxAge: a range function still computing over a series that stopped is an error, where it would otherwise pass', async (t) => {
  await setGauge({ case: 'stale' }, 1);
  await sleep(2500);
  const params = { query: `max_over_time(${GAUGE}{case="stale"}[1m])`, expect: '== 1' };
  const fresh = await query({ ...params, maxAge: '3s' });
  t.true(fresh.ok, fresh.detail);
  lab.world.metrics.delete(GAUGE, { case: 'stale' });
  await prom.waitFor(`${GAUGE}{case="stale"}`, (r) => r.length === 0, 10_000);
  await sleep(3500);
  const unguarded = await query(params);
  t.true(unguarded.ok, 'without maxAge the old samples pass');
  const err = await t.throwsAsync(query({ ...params, maxAge: '3s' }), { instanceOf: TargetError });
  t.true(err?.retryable);
  t.regex(err?.message ?? '', /^stale data: no sample in the last 3s \(maxAge\) for gameday_it_gauge\{case="stale"\}\[1m\] \{case="stale", instance="127\.0\.0\.1:19090", job="lab"\}$/);
});

test.serial('an error answer of the real Prometheus is a non-retryable probe error in its own words', async (t) => {
  await setGauge({ case: 'dup', i: 'a' }, 1);
  await setGauge({ case: 'dup', i: 'b' }, 1);
  const err = await t.throwsAsync(query({ query: `${GAUGE}{case="dup"} / on(case) ${GAUGE}{case="dup"}`, expect: '== 1' }), { instanceOf: TargetError });
  t.false(err?.retryable);
  t.is(err?.status, 422);
  t.regex(err?.message ?? '', /HTTP 422 execution: found duplicate series for the match group \{case="dup"\}/);
});

test.serial('an unreachable Prometheus is a retryable error for both probes, never a breach', async (t) => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  for (const [type, params] of [['prometheus.query', { query: 'up', expect: '== 1' }], ['prometheus.alerts', {}]] as const) {
    const err = await t.throwsAsync(check(type, params, undefined, url), { instanceOf: TargetError });
    t.true(err?.retryable, type);
    t.regex(err?.message ?? '', /no answer \(ECONNREFUSED\)$/, type);
  }
});

test.serial('prometheus.alerts: a firing alert is a breach naming it; expected alerts and other severities are ignored', async (t) => {
  t.teardown(() => void lab.world.metrics.delete('lab_test_alert', { case: 'alerts', severity: 'critical' }));
  const scope = { labels: { case: 'alerts' } };
  t.deepEqual(await alerts(scope), { ok: true, value: 0, detail: 'no alert firing' });
  lab.world.metrics.set('lab_test_alert', { case: 'alerts', severity: 'critical' }, 1);
  const firing = await pollUntil(() => alerts(scope), (r) => !(r instanceof Error) && !r.ok, 15_000);
  t.false(firing instanceof Error, String(firing));
  const r = firing as ProbeResult;
  t.false(r.ok);
  t.is(r.value, 1);
  t.regex(r.detail, /^1 alert firing: LabTestAlert\{case="alerts", instance="127\.0\.0\.1:19090", job="lab", severity="critical"\} firing$/);
  const expected = await alerts({ ...scope, except: [{ alertname: 'LabTestAlert' }] });
  t.true(expected.ok);
  t.regex(expected.detail, /^no alert firing; expected, ignored: LabTestAlert\{/);
  t.true((await alerts({ ...scope, severity: ['warning'] })).ok);
  t.false((await alerts({ ...scope, severity: ['warning', 'critical'] })).ok);
  lab.world.metrics.set('lab_test_alert', { case: 'alerts', severity: 'critical' }, 0);
  const resolved = await pollUntil(() => alerts(scope), (x) => !(x instanceof Error) && x.ok, 15_000);
  t.true(!(resolved instanceof Error) && resolved.ok, 'the alert resolves once the series is 0');
});

test.serial('prometheus.alerts: a pending alert counts only with includePending, then fires after its for', async (t) => {
  t.teardown(() => void lab.world.metrics.delete('lab_test_alert_slow', { case: 'pending' }));
  const scope = { labels: { case: 'pending' } };
  lab.world.metrics.set('lab_test_alert_slow', { case: 'pending' }, 1);
  const seen = await pollUntil(() => alerts({ ...scope, includePending: true }), (r) => !(r instanceof Error) && !r.ok, 15_000);
  t.false(seen instanceof Error, String(seen));
  t.regex((seen as ProbeResult).detail, /^1 alert firing or pending: LabTestAlertSlow\{.*severity="warning"\} pending$/);
  t.true((await alerts(scope)).ok, 'pending is not firing');
  const fired = await pollUntil(() => alerts(scope), (r) => !(r instanceof Error) && !r.ok, 15_000);
  t.false(fired instanceof Error, String(fired));
  t.regex((fired as ProbeResult).detail, /^1 alert firing: LabTestAlertSlow\{.*\} firing$/);
});

test.serial('the client reads readiness, rules, range queries and error bodies of the real Prometheus', async (t) => {
  const client = createPrometheusClient({ url: prom.url });
  t.true(await client.ready());
  const rules = await client.rules({ type: 'alert' });
  const names = rules.data.flatMap((g) => g.rules.map((r) => r.name));
  t.true(names.includes('LabTestAlert') && names.includes('LabTestAlertSlow'), names.join());
  t.true(rules.data.flatMap((g) => g.rules).every((r) => r.type === 'alerting'));
  const end = Date.now() / 1000;
  const range = await client.queryRange('up{job="prometheus"}', { start: end - 10, end, step: 1 });
  t.is(range.data.type, 'matrix');
  if (range.data.type === 'matrix') t.true((range.data.series[0]?.points.length ?? 0) >= 5);
  const bad = await t.throwsAsync(client.query('up{'), { instanceOf: TargetError });
  t.false(bad?.retryable);
  t.is(bad?.status, 400);
  t.regex(bad?.message ?? '', /^Prometheus query "up\{": HTTP 400 bad_data: .*parse error/);
});
