import test from 'ava';
import { NODE_MONITOR_GRACE_MS } from '../../../src/lab/index.js';
import { hostPort, promCall, promLab, until, vectorOf } from './lab-helpers.js';

interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  value: string;
}

async function alertsNamed(lab: Parameters<typeof vectorOf>[0], name: string): Promise<ApiAlert[]> {
  const answer = await promCall(lab, '/api/v1/alerts');
  return (answer.body as { data: { alerts: ApiAlert[] } }).data.alerts.filter((a) => a.labels['alertname'] === name);
}

const readyTrue = (node: string): string => `kube_node_status_condition{node="${node}",condition="Ready",status="true"}`;

test('a stopped worker VM turns its node\'s Ready=true series to 0 after the grace period, and KubeNodeNotReady goes pending then fires', async (t) => {
  const lab = await promLab(t, { speed: 100 });
  t.deepEqual((await vectorOf(lab, readyTrue('worker-002'))).map((e) => e.value[1]), ['1']);
  lab.world.openstack.act('worker-002', 'os-stop');
  const stoppedAt = lab.world.clock.now();
  await until(async () => (await vectorOf(lab, readyTrue('worker-002')))[0]?.value[1] === '0', 'Ready=true at 0 for worker-002');
  const seenAt = lab.world.clock.now();
  t.true(seenAt - stoppedAt >= NODE_MONITOR_GRACE_MS, `seen ${seenAt - stoppedAt} ms after the stop`);
  t.deepEqual((await vectorOf(lab, 'kube_node_status_condition{node="worker-002",condition="Ready",status="unknown"}')).map((e) => e.value[1]), ['1']);
  t.deepEqual((await vectorOf(lab, readyTrue('worker-001'))).map((e) => e.value[1]), ['1'], 'other nodes stay Ready');
  const pending = await until(async () => (await alertsNamed(lab, 'KubeNodeNotReady')).find((a) => a.state === 'pending'), 'KubeNodeNotReady pending');
  t.like(pending, { labels: { alertname: 'KubeNodeNotReady', node: 'worker-002', severity: 'warning', job: 'kubernetes' }, annotations: { summary: 'Node worker-002 is not ready' }, value: '0e+00' });
  const firing = await until(async () => (await alertsNamed(lab, 'KubeNodeNotReady')).find((a) => a.state === 'firing'), 'KubeNodeNotReady firing');
  t.is(firing.activeAt, pending.activeAt, 'activeAt does not move when the alert fires');
  t.true(lab.world.clock.now() - Date.parse(firing.activeAt) >= 60_000);
  t.deepEqual(lab.world.internalErrors, []);
});

test('an alert added on demand goes pending, fires after its `for`, and resolves when the series goes away', async (t) => {
  const lab = await promLab(t);
  lab.world.alertRules.add({ alert: 'LabProbeHigh', expr: 'lab_probe_gauge > 10', for: '20s', labels: { severity: 'page' }, annotations: { summary: '{{ $labels.probe }} at {{ $value }}' } });
  lab.world.metrics.set('lab_probe_gauge', { probe: 'latency' }, 50);
  const pending = await until(async () => (await alertsNamed(lab, 'LabProbeHigh')).find((a) => a.state === 'pending'), 'LabProbeHigh pending');
  t.deepEqual(pending.labels, { alertname: 'LabProbeHigh', instance: 'lab-exporter:9100', job: 'exporter', probe: 'latency', severity: 'page' });
  t.deepEqual(pending.annotations, { summary: 'latency at 50' });
  t.is(pending.value, '5e+01');
  t.regex(pending.activeAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const firing = await until(async () => (await alertsNamed(lab, 'LabProbeHigh')).find((a) => a.state === 'firing'), 'LabProbeHigh firing');
  t.is(firing.activeAt, pending.activeAt);
  const rules = (await promCall(lab, '/api/v1/rules')).body as { data: { groups: { rules: { name: string; state: string; alerts: ApiAlert[] }[] }[] } };
  t.like(rules.data.groups[0]?.rules.find((r) => r.name === 'LabProbeHigh'), { state: 'firing', alerts: [{ state: 'firing' }] });
  const alerts = await vectorOf(lab, 'ALERTS{alertname="LabProbeHigh"}');
  t.deepEqual(alerts.map((a) => a.metric['alertstate']), ['firing']);
  lab.world.metrics.delete('lab_probe_gauge', { probe: 'latency' });
  await until(async () => (await alertsNamed(lab, 'LabProbeHigh')).length === 0, 'LabProbeHigh resolved');
  t.is(lab.world.metrics.get('lab_probe_gauge', { probe: 'latency' }), undefined);
});

test('JupyterHubDown goes pending then fires 30 s after the hub stops answering its scrape', async (t) => {
  const lab = await promLab(t);
  t.deepEqual((await vectorOf(lab, 'up{job="jupyterhub"}')).map((e) => [e.metric['instance'], e.value[1]]), [[hostPort(lab.endpoints.jupyterhub), '1']]);
  t.true((await vectorOf(lab, 'jupyterhub_total_users')).length > 0, 'the hub\'s own series are scraped');
  lab.world.apiFaults.set('jupyterhub', { errorStatus: 503 });
  await until(async () => (await alertsNamed(lab, 'JupyterHubDown')).some((a) => a.state === 'pending'), 'JupyterHubDown pending');
  t.deepEqual(await vectorOf(lab, 'jupyterhub_total_users'), [], 'a failed scrape makes the target\'s series stale at once');
  const firing = await until(async () => (await alertsNamed(lab, 'JupyterHubDown')).find((a) => a.state === 'firing'), 'JupyterHubDown firing');
  t.like(firing, { labels: { severity: 'critical', job: 'jupyterhub' }, annotations: { summary: 'JupyterHub is down' } });
  t.true(lab.world.clock.now() - Date.parse(firing.activeAt) >= 30_000);
  lab.world.apiFaults.clear('jupyterhub');
  await until(async () => (await alertsNamed(lab, 'JupyterHubDown')).length === 0, 'JupyterHubDown resolved');
  t.deepEqual(lab.world.internalErrors, []);
});

test('a gauge set through world.metrics is queryable from the next scrape on, and gone from the scrape after its deletion', async (t) => {
  const lab = await promLab(t);
  const scraped = lab.world.prometheus;
  const nextScrape = async (after: number): Promise<void> => {
    await until(async () => (scraped.lastScrape() ?? 0) > after, 'a scrape');
  };
  t.deepEqual(await vectorOf(lab, 'lab_probe_gauge'), []);
  lab.world.metrics.set('lab_probe_gauge', { probe: 'x' }, 7);
  await nextScrape(lab.world.clock.now());
  const seen = await vectorOf(lab, 'lab_probe_gauge');
  t.deepEqual(seen.map((e) => [e.metric, e.value[1]]), [[{ __name__: 'lab_probe_gauge', instance: 'lab-exporter:9100', job: 'exporter', probe: 'x' }, '7']]);
  lab.world.metrics.add('lab_probe_gauge', { probe: 'x' }, 3);
  await nextScrape(lab.world.clock.now());
  t.is((await vectorOf(lab, 'lab_probe_gauge'))[0]?.value[1], '10');
  lab.world.metrics.delete('lab_probe_gauge', { probe: 'x' });
  await nextScrape(lab.world.clock.now());
  t.deepEqual(await vectorOf(lab, 'lab_probe_gauge'), [], 'a stale marker hides it at once, not after the 5 min lookback');
  t.throws(() => lab.world.metrics.set('bad-name', {}, 1), { message: 'invalid metric name "bad-name"' });
  t.throws(() => lab.world.metrics.set('ok', { __reserved: 'x' }, 1), { message: 'invalid label name "__reserved" on ok' });
});

test('a Kubernetes API fault fails the kube-state scrape: up is 0 and the kube series go stale at once', async (t) => {
  const lab = await promLab(t);
  t.true((await vectorOf(lab, 'kube_deployment_status_replicas_available')).length > 0);
  lab.world.apiFaults.set('kubernetes', { refuse: true });
  await until(async () => (await vectorOf(lab, 'up{job="kubernetes"}'))[0]?.value[1] === '0', 'up{job="kubernetes"} 0');
  t.deepEqual(await vectorOf(lab, 'kube_deployment_status_replicas_available'), []);
  lab.world.apiFaults.clear('kubernetes');
  await until(async () => (await vectorOf(lab, 'kube_deployment_status_replicas_available')).length > 0, 'kube series back');
});

test('a killed brick shows as down and the heal backlog grows on its replica partner', async (t) => {
  const lab = await promLab(t);
  t.deepEqual((await vectorOf(lab, 'gluster_brick_up')).map((e) => [e.metric['hostname'], e.value[1]]), [['brick-001', '1'], ['brick-002', '1'], ['brick-003', '1'], ['brick-004', '1']]);
  lab.world.glusterfs.signalBrick('brick-002', 'KILL');
  await until(async () => (await vectorOf(lab, 'gluster_brick_up{hostname="brick-002"}'))[0]?.value[1] === '0', 'brick-002 down');
  const backlog = await until(async () => {
    const [entry] = await vectorOf(lab, 'gluster_heal_info_files_count{brick="brick-001:/bricks/home"} > 0');
    return entry;
  }, 'heal entries on brick-001');
  t.like(backlog.metric, { volume: 'home', job: 'glusterfs', instance: 'brick-001:9713' });
  t.deepEqual(await vectorOf(lab, 'gluster_heal_info_files_count{brick="brick-002:/bricks/home"}'), [], 'no count for a brick the reporting peer cannot reach');
});

test('a stopped brick VM takes its exporter down and the next brick host reports the volume', async (t) => {
  const lab = await promLab(t, { speed: 100 });
  lab.world.openstack.act('brick-001', 'os-stop');
  await until(async () => (await vectorOf(lab, 'up{instance="brick-001:9713"}'))[0]?.value[1] === '0', 'brick-001 exporter down');
  const bricks = await until(async () => {
    const found = await vectorOf(lab, 'gluster_brick_up');
    return found.length === 4 && found.every((e) => e.metric['instance'] === 'brick-002:9713') ? found : undefined;
  }, 'the volume reported by brick-002');
  t.deepEqual(bricks.map((e) => [e.metric['hostname'], e.value[1]]), [['brick-001', '0'], ['brick-002', '1'], ['brick-003', '1'], ['brick-004', '1']]);
});

test('an OpenStack server that is not ACTIVE gets a series with its status', async (t) => {
  const lab = await promLab(t, { speed: 100 });
  lab.world.openstack.act('bastion', 'os-stop');
  const shutoff = await until(async () => (await vectorOf(lab, 'openstack_nova_server_status{name="bastion",status="SHUTOFF"}'))[0], 'bastion SHUTOFF');
  t.like(shutoff.metric, { id: lab.world.openstack.server('bastion')?.id, job: 'openstack' });
  t.deepEqual(await vectorOf(lab, 'openstack_nova_server_status{name="bastion",status="ACTIVE"}'), [], 'the old status series is stale');
  const alert = await until(async () => (await alertsNamed(lab, 'OpenStackServerNotActive')).find((a) => a.labels['name'] === 'bastion'), 'OpenStackServerNotActive for bastion');
  t.like(alert.labels, { status: 'SHUTOFF', severity: 'warning' });
});
