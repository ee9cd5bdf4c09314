/**
 * The prometheus target against the lab's Prometheus-compatible API (its own TSDB scraping
 * the lab's systems and hand-set gauges, its PromQL and its rule manager), over HTTP, and
 * whole experiment runs on the lab whose steady state is judged by Prometheus probes: a
 * baseline carried by the engine from before the fault to during it, and `breachAfter`.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { TargetError } from '../../../src/errors.js';
import { validateExperimentText } from '../../../src/experiments/load.js';
import { runExperiment } from '../../../src/experiments/runner.js';
import { startLab, type Lab } from '../../../src/lab/index.js';
import { probeTypes } from '../../../src/targets/registry.js';
import type { ProbeResult, ProbeRun } from '../../../src/targets/types.js';
import { memoryLogger, testCtx } from '../../helpers/ctx.js';
import { labEnv } from '../../helpers/lab-env.js';

/** The lab's clock runs this many times faster than real time (scrapes every 100 ms of real time). */
const SPEED = 10;

async function lab(t: { teardown(fn: () => Promise<void>): void }): Promise<Lab> {
  const started = await startLab({ speed: SPEED, ports: { kubernetes: 0, jupyterhub: 0, openstack: 0, glusterfs: 0, prometheus: 0 } });
  t.teardown(() => started.close());
  return started;
}

function check(l: Lab, type: string, params: Record<string, unknown>, run?: ProbeRun, timeout = '5s'): Promise<ProbeResult> {
  const probe = probeTypes.get(type);
  if (!probe) throw new Error(`no probe ${type}`);
  return probe.check(testCtx({ prometheus: { url: l.endpoints.prometheus, timeout } }), probe.params.parse(params), new AbortController().signal, run);
}

/** Checks every 50 ms until `done` holds, for at most `ms`; the last result (or error). */
async function until(run: () => Promise<ProbeResult>, done: (r: ProbeResult) => boolean, ms = 10_000): Promise<ProbeResult> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await run().catch(() => undefined);
    if (r && done(r)) return r;
    if (Date.now() > deadline) throw new Error(`condition not met after ${ms} ms; last: ${r ? r.detail : 'an error'}`);
    await sleep(50);
  }
}

test('prometheus.query on the lab: a hand-set gauge passes, then breaches once it changes', async (t) => {
  const l = await lab(t);
  l.world.metrics.set('lab_probe_gauge', { case: 'a' }, 0.2);
  const params = { query: 'lab_probe_gauge{case="a"}', expect: '< 0.5', maxAge: '5s' };
  const ok = await until(() => check(l, 'prometheus.query', params), (r) => r.ok);
  t.is(ok.value, 0.2);
  t.regex(ok.detail, /^0\.2 lab_probe_gauge\{case="a", instance="lab-exporter:9100", job="exporter"\}: < 0\.5$/);
  l.world.metrics.set('lab_probe_gauge', { case: 'a' }, 0.9);
  const breach = await until(() => check(l, 'prometheus.query', params), (r) => !r.ok);
  t.is(breach.value, 0.9);
  t.regex(breach.detail, /: expected < 0\.5$/);
});

test('of: each and of: sum over the lab\'s platform metrics', async (t) => {
  const l = await lab(t);
  const each = await until(() => check(l, 'prometheus.query', { query: 'kube_deployment_status_replicas_available{namespace="jhub"}', expect: '>= 1' }), () => true);
  t.true(each.ok, each.detail);
  t.regex(each.detail, /^\d+ series, all >= 1 \(worst 1 kube_deployment_status_replicas_available\{deployment="/);
  const sum = await check(l, 'prometheus.query', { query: 'up', expect: '>= 5', of: 'sum' });
  t.true(sum.ok, sum.detail);
  t.regex(sum.detail, /^\d+ sum of \d+ series: >= 5$/);
});

test('noData on the lab: an error by default, a pass or a breach when asked', async (t) => {
  const l = await lab(t);
  const params = { query: 'lab_probe_gauge{case="never"}', expect: '== 0' };
  const err = await t.throwsAsync(check(l, 'prometheus.query', params), { instanceOf: TargetError });
  t.regex(err?.message ?? '', /^query returned no series/);
  t.true((await check(l, 'prometheus.query', { ...params, noData: 'pass' })).ok);
  t.false((await check(l, 'prometheus.query', { ...params, noData: 'fail' })).ok);
});

test('maxAge on the lab: a range function over a series that stopped is an error', async (t) => {
  const l = await lab(t);
  l.world.metrics.set('lab_probe_gauge', { case: 'stale' }, 1);
  const params = { query: 'max_over_time(lab_probe_gauge{case="stale"}[10m])', expect: '== 1', maxAge: '10s' };
  await until(() => check(l, 'prometheus.query', params), (r) => r.ok);
  l.world.metrics.delete('lab_probe_gauge', { case: 'stale' });
  await sleep((12_000 / SPEED) + 300);
  const { maxAge: _maxAge, ...unguarded } = params;
  t.true((await check(l, 'prometheus.query', unguarded)).ok, 'old samples would pass');
  const err = await t.throwsAsync(check(l, 'prometheus.query', params), { instanceOf: TargetError });
  t.regex(err?.message ?? '', /^stale data: no sample in the last 10s \(maxAge\) for lab_probe_gauge\{case="stale"\}\[10m\] \{case="stale", instance="lab-exporter:9100", job="exporter"\}$/);
});

test('prometheus.alerts on the lab: an added rule fires, is named, and resolves; expected alerts are ignored', async (t) => {
  const l = await lab(t);
  l.world.alertRules.add({ alert: 'LabProbeAlert', expr: 'lab_probe_alert > 0', labels: { severity: 'critical' } });
  const scope = { labels: { alertname: 'LabProbeAlert' } };
  t.deepEqual(await check(l, 'prometheus.alerts', scope), { ok: true, value: 0, detail: 'no alert firing' });
  l.world.metrics.set('lab_probe_alert', { team: 'hub' }, 1);
  const firing = await until(() => check(l, 'prometheus.alerts', scope), (r) => !r.ok);
  t.is(firing.value, 1);
  t.is(firing.detail, '1 alert firing: LabProbeAlert{instance="lab-exporter:9100", job="exporter", severity="critical", team="hub"} firing');
  t.true((await check(l, 'prometheus.alerts', { severity: ['critical'], except: [{ alertname: 'LabProbeAlert' }] })).ok);
  l.world.metrics.set('lab_probe_alert', { team: 'hub' }, 0);
  await until(() => check(l, 'prometheus.alerts', scope), (r) => r.ok);
  t.pass();
});

test('prometheus.alerts on the lab: pending alerts count with includePending only', async (t) => {
  const l = await lab(t);
  l.world.alertRules.add({ alert: 'LabProbeSlow', expr: 'lab_probe_slow > 0', for: '1h', labels: { severity: 'warning' } });
  l.world.metrics.set('lab_probe_slow', {}, 1);
  const pending = await until(() => check(l, 'prometheus.alerts', { includePending: true }), (r) => !r.ok);
  t.regex(pending.detail, /LabProbeSlow\{.*severity="warning"\} pending/);
  t.true((await check(l, 'prometheus.alerts', { labels: { alertname: 'LabProbeSlow' } })).ok);
});

test('a lab Prometheus that refuses, fails or is too slow is a probe error, never a breach', async (t) => {
  const l = await lab(t);
  const params = { query: 'up', expect: '>= 0' };
  l.world.apiFaults.set('prometheus', { errorStatus: 503 });
  const unavailable = await t.throwsAsync(check(l, 'prometheus.query', params), { instanceOf: TargetError });
  t.true(unavailable?.retryable);
  t.is(unavailable?.status, 503);
  l.world.apiFaults.set('prometheus', { refuse: true });
  const refused = await t.throwsAsync(check(l, 'prometheus.alerts', {}), { instanceOf: TargetError });
  t.true(refused?.retryable);
  t.is(refused?.status, undefined);
  l.world.apiFaults.set('prometheus', { latencyMs: 2000 });
  const slow = await t.throwsAsync(check(l, 'prometheus.query', params, undefined, '300ms'), { instanceOf: TargetError });
  t.true(slow?.retryable);
  t.regex(slow?.message ?? '', /no answer within 300 ms/);
  l.world.apiFaults.clear('prometheus');
  t.true((await check(l, 'prometheus.query', params)).ok);
});

/** An experiment deleting one user pod for `hold`, with a Prometheus probe on ready user pods. */
function userPodExperiment(expect: string, breachAfter: number): string {
  return `apiVersion: gameday/v1
kind: Experiment
metadata: { name: prom-baseline }
spec:
  fault:
    type: kubernetes.pod.delete
    target: { namespace: jhub, labelSelector: "component=singleuser-server", count: 1 }
    duration: 2s
    params: { gracePeriod: 0s }
  steadyState:
    interval: 150ms
    probes:
      - name: ready-user-pods
        type: prometheus.query
        query: sum(kube_pod_status_ready{namespace="jhub", pod=~"jupyter-.*", condition="true"})
        expect: "${expect}"
        maxAge: 10s
        breachAfter: ${breachAfter}
      - name: no-critical-alerts
        type: prometheus.alerts
        severity: [critical]
  recovery: { within: 20s }
`;
}

async function runOnLab(t: { teardown(fn: () => Promise<void>): void }, text: string) {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const experiment = await validateExperimentText(text, 'prom-baseline.yaml');
  const settings = { ...env.settings, targets: { ...env.settings.targets, prometheus: { url: env.lab.endpoints.prometheus } } };
  const result = await runExperiment({ experiment, journal: env.journal, settings, log: memoryLogger().log });
  return { result, probes: env.journal.getRun(result.runId)?.probes ?? [] };
}

test('a run on the lab: the baseline taken before the fault is what the probe holds the fault against', async (t) => {
  const { result, probes } = await runOnLab(t, userPodExperiment('>= before - 1', 1));
  t.is(result.outcome, 'passed', result.reason ?? '');
  const before = probes.find((p) => p.probe === 'ready-user-pods' && p.phase === 'before');
  t.regex(before?.detail ?? '', /^\d+: baseline for ">= before - 1" during and after the fault$/);
  const during = probes.filter((p) => p.probe === 'ready-user-pods' && p.phase === 'during');
  t.true(during.length > 0);
  t.true(during.every((p) => p.status === 'ok'), during.map((p) => p.detail).join('\n'));
  t.regex(during[0]?.detail ?? '', /^\d+: >= \d+ \(before \d+ - 1\)$/);
});

test('a run on the lab: a pod fewer than before breaks ">= before" — unless breachAfter asks for more failing checks in a row than the fault lasts', async (t) => {
  const strict = await runOnLab(t, userPodExperiment('>= before', 1));
  t.is(strict.result.outcome, 'aborted', 'a counted breach during the fault aborts the run and restores at once');
  t.regex(strict.result.reason ?? '', /^breach during the fault: ready-user-pods breach: \d+: expected >= \d+ \(before \d+\)/);
  const tolerant = await runOnLab(t, userPodExperiment('>= before', 1000));
  t.is(tolerant.result.outcome, 'passed', tolerant.result.reason ?? '');
  t.true(tolerant.probes.some((p) => p.probe === 'ready-user-pods' && p.phase === 'during' && p.status === 'breach'), 'breaches were recorded, not counted');
});
