import test from 'ava';
import { eventually, hub, kube, labFor, podOf } from './helpers.js';
import { cordon, hubMetric, nodeOf, nodeReady, readProgress, scale } from './jupyterhub-helpers.js';

interface UserModel {
  server: string | null;
  pending: string | null;
  servers: Record<string, { ready: boolean; pending: string | null }>;
}

const spawnCount = (lab: Parameters<typeof hubMetric>[0], status: string): number =>
  hubMetric(lab, 'jupyterhub_server_spawn_duration_seconds_count', { status });

test('a spawn streams its progress, becomes ready, answers through the proxy, and stops', async (t) => {
  // Slow enough that the progress stream opens well before the pod is Ready (2 s simulated).
  const lab = await labFor(t, { userPods: 1, speed: 2 });
  await hub(lab, '/hub/api/users/alice', { method: 'POST' });
  t.deepEqual((await hub(lab, '/hub/api/users/alice/server/progress')).body, { status: 404, message: 'Not Found' }, 'never spawned: no spawner');
  const spawned = hub(lab, '/hub/api/users/alice/server', { method: 'POST' });
  await eventually(() => lab.world.jupyterhub.server('alice').pending === 'spawn', 'the spawn pending');
  const stream = await readProgress(lab, 'alice');
  t.is(stream.status, 200);
  t.is(stream.contentType, 'text/event-stream');
  t.true(stream.text.startsWith('\n\n'), 'a keepalive before the first event');
  t.deepEqual(stream.events[0], { progress: 0, message: 'Server requested' });
  const messages = stream.events.map((e) => e.message);
  t.true(messages.some((m) => /\[Normal\] Successfully assigned jhub\/jupyter-alice to worker-\d{3}$/.test(m)), messages.join('\n'));
  t.true(messages.some((m) => /\[Normal\] Started container notebook$/.test(m)));
  const bars = stream.events.slice(1, -1).map((e) => e.progress);
  t.deepEqual(bars, [...bars].sort((a, b) => a - b), 'the bar only grows');
  t.deepEqual(bars.slice(0, 3), [30, 50, 63], 'each event a third closer to 90');
  t.deepEqual(stream.events.at(-1), {
    progress: 100, ready: true, message: 'Server ready at /user/alice/', html_message: 'Server ready at <a href="/user/alice/">/user/alice/</a>', url: '/user/alice/',
  });
  const answer = await spawned;
  t.is(answer.status, 201);
  t.is(answer.headers.get('content-type'), 'text/plain');
  t.is(spawnCount(lab, 'success'), 1);
  const again = await readProgress(lab, 'alice');
  t.deepEqual(again.events.map((e) => e.ready), [true], 'a ready server gets the ready event at once');
  const pod = lab.world.pods('jhub').find((p) => p.metadata.name === 'jupyter-alice');
  t.like(lab.world.jupyterhub.routes()?.['/user/alice'], { user: 'alice', server_name: '', target: `http://${pod?.status.podIP ?? ''}:8888`, jupyterhub: true });
  const api = await hub(lab, '/user/alice/api', { token: null });
  t.deepEqual(api.body, { version: '6.5.4' });
  const status = await hub<Record<string, unknown>>(lab, '/user/alice/api/status');
  t.is(status.status, 200);
  t.deepEqual(Object.keys(status.body).sort(), ['connections', 'kernels', 'last_activity', 'started']);
  t.deepEqual((await hub(lab, '/user/alice/api/status', { token: null })).body, { message: 'Forbidden', reason: null });
  t.is((await hub(lab, '/user/alice/tree', { token: null })).status, 404, "the notebook's own 404");
  t.deepEqual((await hub(lab, '/hub/api/users/alice/server', { method: 'POST' })).body, { status: 400, message: 'alice is already running' });
  const stopped = await hub(lab, '/hub/api/users/alice/server', { method: 'DELETE' });
  t.is(stopped.status, 204);
  t.false(lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-alice'));
  t.is(lab.world.jupyterhub.routes()?.['/user/alice'], undefined);
  t.like((await hub<UserModel>(lab, '/hub/api/users/alice')).body, { server: null, pending: null, servers: {} });
  const gone = await fetch(`${lab.endpoints.jupyterhub}/user/alice/api`, { redirect: 'manual' });
  t.is(gone.status, 302, 'no route: the request falls to the hub, which sends it to /hub/user/…');
  t.is(gone.headers.get('location'), '/hub/user/alice/api');
  const port = new URL(lab.endpoints.jupyterhub).port;
  t.deepEqual((await hub(lab, '/user/alice/api')).body, { message: `JupyterHub server no longer running at /user/alice/api. Restart the server at http://127.0.0.1:${port}/hub/spawn/alice` });
  t.deepEqual((await hub(lab, '/hub/api/users/alice/server/progress')).body, { status: 400, message: 'alice is not starting...' });
});

test('a spawn no worker can take fails at start_timeout: failed event, no server, pod removed, counted', async (t) => {
  const lab = await labFor(t, { jupyterhub: { startTimeoutSeconds: 60 } });
  const keep = new Set([nodeOf(lab, 'hub'), nodeOf(lab, 'proxy'), nodeOf(lab, 'user-scheduler')]);
  const workers = lab.world.nodes().map((n) => n.metadata.name).filter((n) => n.startsWith('worker-'));
  for (const worker of workers.filter((w) => !keep.has(w))) lab.world.openstack.act(worker, 'os-stop');
  for (const worker of keep) await cordon(lab, worker);
  await eventually(() => workers.filter((w) => !keep.has(w)).every((w) => !nodeReady(lab, w)), 'the stopped workers NotReady');
  await hub(lab, '/hub/api/users/alice', { method: 'POST' });
  const spawning = hub(lab, '/hub/api/users/alice/server', { method: 'POST' });
  await eventually(() => lab.world.jupyterhub.server('alice').pending === 'spawn', 'the spawn pending');
  const streaming = readProgress(lab, 'alice');
  t.is((await spawning).status, 202, 'still pending after the 10 s slow-spawn timeout');
  const stream = await streaming;
  t.true(stream.events.some((e) => /\[Warning\] 0\/\d+ nodes are available: .*were unschedulable/.test(e.message)), stream.events.map((e) => e.message).join('\n'));
  t.deepEqual(stream.events.at(-1), { progress: 100, failed: true, message: 'Spawn failed: Timeout' });
  t.like((await hub<UserModel>(lab, '/hub/api/users/alice')).body, { server: null, pending: null, servers: {} });
  t.is(spawnCount(lab, 'failure'), 1);
  t.is(hubMetric(lab, 'jupyterhub_server_spawn_duration_seconds_bucket', { status: 'failure', le: '30.0' }), 0, 'it took the whole 60 s');
  t.is(hubMetric(lab, 'jupyterhub_server_spawn_duration_seconds_bucket', { status: 'failure', le: '120.0' }), 1);
  await eventually(() => !lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-alice'), 'the pod removed');
  const after = await readProgress(lab, 'alice');
  t.deepEqual(after.events, [{ progress: 100, failed: true, message: 'Spawn failed: Timeout' }], 'the hub remembers the failure until the next spawn');
  t.is(lab.world.internalErrors.length, 0);
});

test('with every worker VM stopped the hub is unreachable and a spawn request creates nothing', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  await hub(lab, '/hub/api/users/alice', { method: 'POST' });
  for (const node of lab.world.nodes().filter((n) => n.metadata.name.startsWith('worker-'))) lab.world.openstack.act(node.metadata.name, 'os-stop');
  await eventually(() => !lab.world.hubHealthy(), 'the hub and proxy pods not serving');
  const spawned = await hub(lab, '/hub/api/users/alice/server', { method: 'POST' });
  t.is(spawned.status, 503);
  t.false(lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-alice'));
});

test('while the hub pod is deleted a spawn request gets the proxy 503 and is counted; user servers keep answering', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  await hub(lab, '/hub/api/users/carol', { method: 'POST' });
  lab.world.setDeploymentBroken('jhub', 'hub', true);
  await kube(lab, `/api/v1/namespaces/jhub/pods/${podOf(lab, 'hub')}`, { method: 'DELETE' });
  const refused = await hub(lab, '/hub/api/users/carol/server', { method: 'POST' });
  t.is(refused.status, 503);
  t.is(refused.body, 'Service Unavailable', "CHP's own answer: its error target (the hub) is down too");
  t.is(refused.headers.get('x-jupyterhub-version'), null, 'the proxy answered, not the hub');
  t.false(lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-carol'));
  t.is(hubMetric(lab, 'jupyterhub_request_duration_seconds_count', { method: 'POST', handler: 'jupyterhub.apihandlers.users.UserServerAPIHandler', code: '503' }), 1);
  const server = await hub(lab, '/user/user-001/api', { token: null });
  t.is(server.status, 200, 'routes live in the proxy: a running server stays reachable without the hub');
  t.is((await hub(lab, '/user/user-001/api/status')).status, 503, 'a token the server never checked cannot be checked without the hub');
  lab.world.setDeploymentBroken('jhub', 'hub', false);
  await eventually(() => lab.world.hubHealthy(), 'a new hub', 30_000);
  t.is((await hub(lab, '/user/user-001/api/status')).status, 200);
  t.is((await hub(lab, '/user/user-001/api/status')).status, 200);
  const spawned = await hub(lab, '/hub/api/users/carol/server', { method: 'POST' });
  t.true(spawned.status === 201 || spawned.status === 202, `the new hub spawns (${spawned.status})`);
  await eventually(() => lab.world.jupyterhub.server('carol').ready, 'carol ready');
});

test('a spawn cut short by the hub pod deletion is counted as failed and its stream is cut; the new hub clears it', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  await scale(lab, 'user-scheduler', 0);
  await hub(lab, '/hub/api/users/bob', { method: 'POST' });
  t.is((await hub(lab, '/hub/api/users/bob/server', { method: 'POST' })).status, 202);
  t.deepEqual((await hub(lab, '/hub/api/users/bob/server', { method: 'DELETE' })).body, { status: 400, message: 'bob is pending spawn, please wait' });
  const stream = await fetch(`${lab.endpoints.jupyterhub}/hub/api/users/bob/server/progress`, { headers: { authorization: 'token lab-hub-token' } });
  t.is(stream.status, 200);
  await kube(lab, `/api/v1/namespaces/jhub/pods/${podOf(lab, 'hub')}`, { method: 'DELETE' });
  await t.throwsAsync(stream.text(), undefined, 'the hub process ended: the stream is cut, not finished');
  t.is(spawnCount(lab, 'failure'), 1);
  await eventually(() => lab.world.hubHealthy(), 'a new hub', 30_000);
  t.like((await hub<UserModel>(lab, '/hub/api/users/bob')).body, { server: null, pending: null, servers: {} });
  await eventually(() => !lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-bob'), 'the unready pod cleaned up by the new hub');
  t.deepEqual((await hub(lab, '/hub/api/users/bob/server/progress')).body, { status: 400, message: 'bob is not starting...' }, 'the new hub does not know the old failure');
});

test("a server whose pod vanishes is stopped at the hub's next poll and loses its route", async (t) => {
  const lab = await labFor(t, { userPods: 2, jupyterhub: { pollIntervalSeconds: 120 } });
  t.truthy(lab.world.jupyterhub.routes()?.['/user/user-001']);
  const polls = lab.world.jupyterhub.hub.polls;
  await eventually(() => lab.world.jupyterhub.hub.polls > polls, 'a poll, so a whole interval lies ahead');
  await kube(lab, '/api/v1/namespaces/jhub/pods/jupyter-user-001?gracePeriodSeconds=0', { method: 'DELETE' });
  t.true(lab.world.jupyterhub.server('user-001').ready, 'until it polls, the hub still counts it running');
  const proxied = await fetch(`${lab.endpoints.jupyterhub}/user/user-001/api`, { redirect: 'manual' });
  t.is(proxied.status, 503, 'the route points at a pod that is gone');
  t.regex(await proxied.text(), /Your server appears to be down/);
  await eventually(() => !lab.world.jupyterhub.server('user-001').ready, 'the poll');
  t.is(lab.world.jupyterhub.routes()?.['/user/user-001'], undefined);
  t.truthy(lab.world.jupyterhub.routes()?.['/user/user-002'], 'the other server is untouched');
  t.is(hubMetric(lab, 'jupyterhub_running_servers'), 1);
});
