import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import { AlertsProbeParams, alertsProbe } from '../../../src/targets/prometheus/alerts.js';
import { testCtx } from '../../helpers/ctx.js';
import { cannedServer, json, success, type CannedServer } from './canned-server.js';

interface WireAlert {
  labels: Record<string, string>;
  state: 'firing' | 'pending';
}

const firing = (labels: Record<string, string>): WireAlert => ({ labels, state: 'firing' });
const pending = (labels: Record<string, string>): WireAlert => ({ labels, state: 'pending' });

async function check(s: CannedServer, alerts: WireAlert[], params: Record<string, unknown> = {}) {
  s.on('/api/v1/alerts', success({ alerts: alerts.map((a) => ({ ...a, annotations: {}, activeAt: '2024-01-01T00:00:00Z', value: '1e+00' })) }));
  return alertsProbe.check(testCtx({ prometheus: { url: s.url } }), AlertsProbeParams.parse(params), new AbortController().signal);
}

test('no active alert is ok, with 0 as value', async (t) => {
  const s = await cannedServer(t);
  const r = await check(s, []);
  t.deepEqual(r, { ok: true, value: 0, detail: 'no alert firing' });
});

test('a firing alert is a breach naming the alert and its labels', async (t) => {
  const s = await cannedServer(t);
  const r = await check(s, [firing({ alertname: 'HubDown', severity: 'critical', instance: 'hub:8081' })]);
  t.false(r.ok);
  t.is(r.value, 1);
  t.is(r.detail, '1 alert firing: HubDown{instance="hub:8081", severity="critical"} firing');
});

test('pending alerts count only with includePending', async (t) => {
  const s = await cannedServer(t);
  const alerts = [pending({ alertname: 'Slow', severity: 'warning' })];
  t.true((await check(s, alerts)).ok);
  const r = await check(s, alerts, { includePending: true });
  t.false(r.ok);
  t.is(r.detail, '1 alert firing or pending: Slow{severity="warning"} pending');
});

test('labels and severity narrow the alerts that count', async (t) => {
  const s = await cannedServer(t);
  const alerts = [
    firing({ alertname: 'A', severity: 'warning', team: 'hub' }),
    firing({ alertname: 'B', severity: 'critical', team: 'storage' }),
    firing({ alertname: 'C', severity: 'critical', team: 'hub' }),
    firing({ alertname: 'D', team: 'hub' }),
  ];
  const byTeam = await check(s, alerts, { labels: { team: 'hub' } });
  t.is(byTeam.value, 3);
  const bySeverity = await check(s, alerts, { severity: ['critical'] });
  t.is(bySeverity.value, 2);
  t.regex(bySeverity.detail, /^2 alerts firing: B\{.*\} firing, C\{.*\} firing$/);
  const both = await check(s, alerts, { labels: { team: 'hub' }, severity: ['critical', 'page'] });
  t.is(both.value, 1);
  t.true((await check(s, alerts, { labels: { team: 'network' } })).ok);
});

test('alerts the experiment expects are ignored and shown as such', async (t) => {
  const s = await cannedServer(t);
  const alerts = [firing({ alertname: 'JupyterHubDown', severity: 'critical' }), firing({ alertname: 'Other', severity: 'critical' })];
  const r = await check(s, alerts, { except: [{ alertname: 'JupyterHubDown' }] });
  t.false(r.ok);
  t.is(r.value, 1);
  t.is(r.detail, '1 alert firing: Other{severity="critical"} firing; expected, ignored: JupyterHubDown{severity="critical"} firing');
  const all = await check(s, alerts, { except: [{ alertname: 'JupyterHubDown' }, { alertname: 'Other', severity: 'critical' }] });
  t.true(all.ok);
  const partial = await check(s, alerts, { except: [{ alertname: 'Other', severity: 'warning' }] });
  t.is(partial.value, 2, 'an except map matches only when every one of its labels does');
});

test('a long list of alerts is cut, with the rest counted', async (t) => {
  const s = await cannedServer(t);
  const r = await check(s, Array.from({ length: 10 }, (_, i) => firing({ alertname: `A${i}` })));
  t.regex(r.detail, /^10 alerts firing: A0\{\} firing, .*A7\{\} firing, and 2 more$/);
});

test('Prometheus answering with an error or not at all is a probe error', async (t) => {
  const s = await cannedServer(t);
  s.on('/api/v1/alerts', (_req, res) => json(res, 503, { status: 'error', errorType: 'unavailable', error: 'rule manager not ready' }));
  const err = await t.throwsAsync(alertsProbe.check(testCtx({ prometheus: { url: s.url } }), AlertsProbeParams.parse({}), new AbortController().signal), { instanceOf: TargetError });
  t.true(err?.retryable);
  t.regex(err?.message ?? '', /^Prometheus alerts: HTTP 503 unavailable: rule manager not ready$/);
});
