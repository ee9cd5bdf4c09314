import test from 'ava';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startLab } from '../../src/lab/index.js';
import { kube, labFor } from './helpers.js';

test('the kubeconfig names the gameday-lab cluster, context and user, in namespace jhub', async (t) => {
  const lab = await labFor(t);
  const config = parse(lab.kubeconfig()) as {
    'current-context': string;
    clusters: { name: string; cluster: { server: string } }[];
    contexts: { name: string; context: { namespace: string; cluster: string; user: string } }[];
    users: { name: string; user: { token: string } }[];
  };
  t.is(config['current-context'], 'gameday-lab');
  t.is(config.clusters[0]?.name, 'gameday-lab');
  t.is(config.clusters[0]?.cluster.server, lab.endpoints.kubernetes);
  t.like(config.contexts[0], { name: 'gameday-lab', context: { namespace: 'jhub', cluster: 'gameday-lab' } });
  const token = config.users[0]?.user.token ?? '';
  const answer = await kube(lab, '/api/v1/namespaces', { headers: { authorization: `Bearer ${token}` } });
  t.is(answer.status, 200);
  t.regex(lab.endpoints.kubernetes, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.regex(lab.endpoints.jupyterhub, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.regex(lab.endpoints.openstack, /^http:\/\/127\.0\.0\.1:\d+\/identity\/v3$/);
  t.is(lab.kubeconfigPath, undefined);
  t.is(lab.cloudsYamlPath, undefined);
});

test('with a state directory the kubeconfig and clouds.yaml are written there, readable by their owner only', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gameday-lab-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lab = await labFor(t, { stateDir: join(dir, 'state') });
  t.is(lab.kubeconfigPath, join(dir, 'state', 'kubeconfig'));
  t.is(await readFile(lab.kubeconfigPath ?? '', 'utf8'), lab.kubeconfig());
  t.is((await stat(lab.kubeconfigPath ?? '')).mode & 0o777, 0o600);
  t.is(lab.cloudsYamlPath, join(dir, 'state', 'clouds.yaml'));
  t.is(await readFile(lab.cloudsYamlPath ?? '', 'utf8'), lab.cloudsYaml());
  t.is((await stat(lab.cloudsYamlPath ?? '')).mode & 0o777, 0o600);
});

test('a port left out is ephemeral when every port given is 0', async (t) => {
  const first = await startLab({ ports: { kubernetes: 0, jupyterhub: 0 }, speed: 50 });
  t.teardown(() => first.close());
  const second = await startLab({ ports: { kubernetes: 0, jupyterhub: 0 }, speed: 50 });
  t.teardown(() => second.close());
  const port = (lab: typeof first): number => Number(new URL(lab.endpoints.openstack).port);
  t.not(port(first), 15000);
  t.not(port(first), port(second));
});

test('the seed has a master, N workers, the z2jh Deployments and N user pods', async (t) => {
  const lab = await labFor(t, { workers: 3, userPods: 2 });
  t.deepEqual(lab.world.nodes().map((n) => n.metadata.name), ['master', 'worker-001', 'worker-002', 'worker-003']);
  t.deepEqual(lab.world.deployments('jhub').map((d) => `${d.metadata.name}=${d.spec.replicas ?? 1}`), ['hub=1', 'proxy=1', 'user-scheduler=2']);
  t.deepEqual(lab.world.pods('jhub').filter((p) => p.metadata.labels?.['component'] === 'singleuser-server').map((p) => p.metadata.name), ['jupyter-user-001', 'jupyter-user-002']);
  t.true(lab.world.pods().every((p) => p.status.phase === 'Running'));
  t.true(lab.world.pods('jhub').every((p) => p.spec.nodeName?.startsWith('worker-')));
  t.true(lab.world.hubHealthy());
  t.is(lab.world.clock.speed, 50);
});

test('the world hands out copies, never its stored objects', async (t) => {
  const lab = await labFor(t);
  const pod = lab.world.pods('jhub')[0];
  if (pod) pod.metadata.name = 'changed';
  t.false(lab.world.pods('jhub').some((p) => p.metadata.name === 'changed'));
});

test('closing the lab stops its servers and timers, and closing again is harmless', async (t) => {
  const lab = await startLab({ ports: { kubernetes: 0, jupyterhub: 0, openstack: 0 }, speed: 50 });
  let fired = false;
  const setAt = Date.now();
  lab.world.clock.setTimeout(() => (fired = true), 50_000);
  await kube(lab, `/api/v1/namespaces/jhub/pods/jupyter-user-001`, { method: 'DELETE' });
  await lab.close();
  await lab.close();
  t.is(lab.world.clock.pendingTimers(), 0);
  await t.throwsAsync(fetch(`${lab.endpoints.kubernetes}/version`));
  await t.throwsAsync(fetch(`${lab.endpoints.jupyterhub}/hub/health`));
  await t.throwsAsync(fetch(lab.endpoints.openstack));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, setAt + 1200 - Date.now())));
  t.false(fired, 'a timer due 1 s (real) after it was set never fired');
});

test('a port already in use fails the start and leaves nothing running', async (t) => {
  const first = await labFor(t);
  const port = Number(new URL(first.endpoints.kubernetes).port);
  await t.throwsAsync(startLab({ ports: { kubernetes: 0, jupyterhub: port, openstack: 0 }, speed: 50 }), { code: 'EADDRINUSE' });
  await t.throwsAsync(startLab({ ports: { kubernetes: 0, jupyterhub: 0, openstack: port }, speed: 50 }), { code: 'EADDRINUSE' });
});
