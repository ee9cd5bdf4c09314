import test from 'ava';
import type { Lab } from '../../src/lab/index.js';
import { eventually, hub, isReady, kube, labFor, podOf } from './helpers.js';

interface UserModel {
  name: string;
  server: string | null;
  pending: string | null;
  servers: Record<string, { ready: boolean; url: string; started: string | null }>;
}

async function health(lab: Lab): Promise<number> {
  return (await fetch(`${lab.endpoints.jupyterhub}/hub/health`)).status;
}

test('deleting the hub pod makes /hub/health 503 until the replacement is Ready, then 200', async (t) => {
  const lab = await labFor(t);
  t.is(await health(lab), 200);
  await kube(lab, `/api/v1/namespaces/jhub/pods/${podOf(lab, 'hub')}`, { method: 'DELETE' });
  const down = await fetch(`${lab.endpoints.jupyterhub}/hub/health`);
  t.is(down.status, 503);
  t.regex(await down.text(), /Service Unavailable/);
  const seen: number[] = [];
  await eventually(async () => {
    seen.push(await health(lab));
    return seen.at(-1) === 200;
  }, 'health 200 again');
  t.true(seen.filter((s) => s === 503).length >= 2, 'it stayed 503 for a while');
  t.true(lab.world.pods('jhub').some((p) => p.metadata.labels?.['component'] === 'hub' && isReady(p)));
});

test('with the hub Deployment broken, /hub/health stays 503', async (t) => {
  const lab = await labFor(t, { speed: 100 });
  lab.world.setDeploymentBroken('jhub', 'hub', true);
  await kube(lab, `/api/v1/namespaces/jhub/pods/${podOf(lab, 'hub')}?gracePeriodSeconds=0`, { method: 'DELETE' });
  const start = lab.world.clock.now();
  while (lab.world.clock.now() - start < 60_000) {
    t.is(await health(lab), 503);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.true(lab.world.pods('jhub').some((p) => p.metadata.labels?.['component'] === 'hub' && (p.status.containerStatuses?.[0]?.restartCount ?? 0) > 0));
});

test('the proxy being down makes the whole hub answer 503', async (t) => {
  // Slow enough that the replacement proxy (Ready ~5 s simulated later) cannot beat two requests on a busy machine.
  const lab = await labFor(t, { speed: 5 });
  await kube(lab, `/api/v1/namespaces/jhub/pods/${podOf(lab, 'proxy')}?gracePeriodSeconds=0`, { method: 'DELETE' });
  const down = await fetch(`${lab.endpoints.jupyterhub}/hub/health`);
  t.is(down.status, 503);
  t.is(down.headers.get('x-jupyterhub-version'), null, 'neither the proxy nor the hub answered');
  t.is((await hub(lab, '/hub/api/users')).status, 503);
  await eventually(async () => (await health(lab)) === 200, 'the proxy back');
  t.pass();
});

test('/hub/api answers the version without a token; the users API needs one', async (t) => {
  const lab = await labFor(t);
  const version = await hub(lab, '/hub/api', { token: null });
  t.deepEqual(version.body, { version: '3.1.1' });
  const anonymous = await hub(lab, '/hub/api/users', { token: null });
  t.is(anonymous.status, 403);
  t.deepEqual(anonymous.body, { status: 403, message: 'Action is not authorized with current scopes; requires any of [list:users]' });
  t.is((await hub(lab, '/hub/api/users', { token: 'wrong' })).status, 403);
  const bearer = await hub(lab, '/hub/api/users', { token: null, headers: { authorization: 'Bearer lab-hub-token' } });
  t.is(bearer.status, 200);
});

test('the users list reflects the user pods, with ready servers', async (t) => {
  const lab = await labFor(t, { userPods: 3 });
  const users = (await hub<UserModel[]>(lab, '/hub/api/users')).body;
  t.deepEqual(users.map((u) => u.name), ['user-001', 'user-002', 'user-003']);
  const first = users[0];
  t.is(first?.server, '/user/user-001/');
  t.like(first?.servers[''], { ready: true, url: '/user/user-001/' });
  t.truthy(first?.servers['']?.started);
  const one = await hub<UserModel>(lab, '/hub/api/users/user-002');
  t.is(one.body.name, 'user-002');
  const missing = await hub(lab, '/hub/api/users/nobody');
  t.is(missing.status, 404);
  t.deepEqual(missing.body, { status: 404, message: 'Not Found' });
  const ready = (await hub<UserModel[]>(lab, '/hub/api/users?state=ready')).body;
  t.is(ready.length, 3);
});

test('starting a server creates a user pod that becomes Ready; stopping deletes it', async (t) => {
  const lab = await labFor(t, { userPods: 1, speed: 10 });
  const created = await hub(lab, '/hub/api/users/alice', { method: 'POST' });
  t.is(created.status, 201);
  const spawned = await hub(lab, '/hub/api/users/alice/server', { method: 'POST' });
  t.is(spawned.status, 201);
  const pod = lab.world.pods('jhub').find((p) => p.metadata.name === 'jupyter-alice');
  t.truthy(pod && isReady(pod));
  t.is(pod?.metadata.labels?.['hub.jupyter.org/username'], 'alice');
  t.is(pod?.metadata.ownerReferences, undefined);
  const model = (await hub<UserModel>(lab, '/hub/api/users/alice')).body;
  t.like(model.servers[''], { ready: true });
  const again = await hub(lab, '/hub/api/users/alice/server', { method: 'POST' });
  t.is(again.status, 400);
  t.deepEqual(again.body, { status: 400, message: 'alice is already running' });
  const stopped = await hub(lab, '/hub/api/users/alice/server', { method: 'DELETE' });
  t.is(stopped.status, 204);
  t.false(lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-alice'));
  t.is((await hub(lab, '/hub/api/users/alice/server', { method: 'DELETE' })).status, 204);
  t.is((await hub(lab, '/hub/api/users/nobody/server', { method: 'POST' })).status, 404);
});

test('a spawn that outlasts the slow-spawn timeout answers 202 and finishes later', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  await kube(lab, '/apis/apps/v1/namespaces/jhub/deployments/user-scheduler/scale', { method: 'PATCH', json: { spec: { replicas: 0 } }, contentType: 'application/merge-patch+json' });
  await eventually(() => !lab.world.pods('jhub').some((p) => p.metadata.labels?.['component'] === 'user-scheduler'), 'no user-scheduler');
  await hub(lab, '/hub/api/users/bob', { method: 'POST' });
  const pending = await hub(lab, '/hub/api/users/bob/server', { method: 'POST' });
  t.is(pending.status, 202, 'no user-scheduler, so the pod stays Pending');
  t.is((await hub<UserModel>(lab, '/hub/api/users/bob')).body.pending, 'spawn');
  t.is((await hub(lab, '/hub/api/users/bob/server', { method: 'POST' })).status, 202, 'a second start while pending is 202');
  await kube(lab, '/apis/apps/v1/namespaces/jhub/deployments/user-scheduler/scale', { method: 'PATCH', json: { spec: { replicas: 1 } }, contentType: 'application/merge-patch+json' });
  await eventually(async () => (await hub<UserModel>(lab, '/hub/api/users/bob')).body.server === '/user/bob/', 'bob ready once a user-scheduler serves');
  t.pass();
});

test('while the hub is down the REST API answers 503', async (t) => {
  const lab = await labFor(t);
  await kube(lab, `/api/v1/namespaces/jhub/pods/${podOf(lab, 'hub')}`, { method: 'DELETE' });
  t.is((await hub(lab, '/hub/api/users/user-001/server', { method: 'DELETE' })).status, 503);
  t.true(lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-user-001'), 'nothing was stopped');
});

test('unknown hub API paths are JSON 404s and a user server answers through the proxy', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  const missing = await hub(lab, '/hub/api/nothing');
  t.is(missing.status, 404);
  t.deepEqual(missing.body, { status: 404, message: 'Not Found' });
  t.is((await hub(lab, '/hub/api/users', { method: 'PUT' })).status, 405);
  const server = await hub<{ version: string }>(lab, '/user/user-001/api', { token: null });
  t.is(server.status, 200);
  const stopped = await fetch(`${lab.endpoints.jupyterhub}/user/user-404/api`, { redirect: 'manual' });
  t.is(stopped.status, 302);
});
