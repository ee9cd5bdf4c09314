/**
 * The real Prometheus fixture works: scripts/prometheus/up.sh's instance is ready, scrapes
 * itself, the lab and gameday ports every second, scrapes the real hub with the service
 * token, and has the alerting rules the other integration tests rely on. Fails (never skips)
 * when Prometheus or the hub is not up.
 */
import test from 'ava';
import { realJupyterHub } from '../jupyterhub/real-jupyterhub.js';
import { realPrometheus, type Sample } from './real-prometheus.js';

const isOne = (r: Sample[]): boolean => r.length === 1 && r[0]!.value[1] === '1';

test.serial('Prometheus is ready and up{job="prometheus"} is 1 within 10 s', async (t) => {
  const prom = await realPrometheus();
  const started = Date.now();
  const [self] = await prom.waitFor('up{job="prometheus"}', isOne, 10_000);
  t.log(`up{job="prometheus"} == 1 after ${Date.now() - started} ms`);
  t.is(self?.metric['instance'], '127.0.0.1:9090');
});

test.serial('a bad expression is an error naming Prometheus\' reason', async (t) => {
  const prom = await realPrometheus();
  const err = await t.throwsAsync(prom.query('up{'));
  t.regex(err?.message ?? '', /^query up\{: 400 .*parse error/);
});

test.serial('the lab, gameday and prometheus jobs are scraped every second at their fixed ports', async (t) => {
  const prom = await realPrometheus();
  t.is(prom.labPort, 19090);
  const res = await fetch(`${prom.url}/api/v1/targets?state=active`);
  const body = (await res.json()) as { data: { activeTargets: { labels: { job: string }; scrapeUrl: string; scrapeInterval: string }[] } };
  const byJob = new Map(body.data.activeTargets.map((target) => [target.labels.job, target]));
  t.is(byJob.get('prometheus')?.scrapeUrl, 'http://127.0.0.1:9090/metrics');
  t.is(byJob.get('lab')?.scrapeUrl, `http://127.0.0.1:${prom.labPort}/metrics`);
  t.is(byJob.get('gameday')?.scrapeUrl, 'http://127.0.0.1:9464/metrics');
  for (const job of ['prometheus', 'lab', 'gameday']) t.is(byJob.get(job)?.scrapeInterval, '1s', job);
});

test.serial('the alerting rules LabTestAlert, LabTestAlertSlow and JupyterHubDown are loaded as the tests expect', async (t) => {
  const prom = await realPrometheus();
  const res = await fetch(`${prom.url}/api/v1/rules?type=alert`);
  const body = (await res.json()) as { data: { groups: { rules: { name: string; query: string; duration: number; labels: Record<string, string>; health: string }[] }[] } };
  const rules = new Map(body.data.groups.flatMap((g) => g.rules).map((r) => [r.name, r]));
  t.like(rules.get('LabTestAlert'), { query: 'lab_test_alert > 0', duration: 0 });
  t.deepEqual(rules.get('LabTestAlert')?.labels, {}, 'LabTestAlert takes its severity from the series');
  t.like(rules.get('LabTestAlertSlow'), { query: 'lab_test_alert_slow > 0', duration: 5, labels: { severity: 'warning' } });
  t.like(rules.get('JupyterHubDown'), { query: 'up{job="jupyterhub"} == 0', duration: 5, labels: { severity: 'critical' } });
});

test.serial('the running hub is scraped with the service token: up{job="jupyterhub"} is 1 and its metrics are stored', async (t) => {
  const [prom, hub] = await Promise.all([realPrometheus(), realJupyterHub()]);
  await hub.ensureHubUp();
  const jobs = await prom.query('count by (job) (up)');
  t.true(jobs.some((s) => s.metric['job'] === 'jupyterhub'),
    `Prometheus has no jupyterhub job: start it with GAMEDAY_JUPYTERHUB_STATE=${hub.state} bash scripts/prometheus/up.sh <state>`);
  const started = Date.now();
  await prom.waitFor('up{job="jupyterhub"}', isOne, 15_000);
  t.log(`up{job="jupyterhub"} == 1 after ${Date.now() - started} ms`);
  const users = await prom.waitFor('jupyterhub_total_users{job="jupyterhub"}', (r) => r.length === 1, 5_000);
  t.true(Number(users[0]!.value[1]) >= 0);
});
