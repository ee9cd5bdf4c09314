import test from 'ava';
import { eventually, hub, kube, labFor, podOf } from './helpers.js';
import { hubMetric } from './jupyterhub-helpers.js';

const HEALTH = 'jupyterhub.handlers.pages.HealthCheckHandler';
const USERS = 'jupyterhub.apihandlers.users.UserListAPIHandler';

test('hub requests are counted by method, handler and code, the 503s of a hub outage included', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  const count = (handler: string, code: string, method = 'GET'): number => hubMetric(lab, 'jupyterhub_request_duration_seconds_count', { method, handler, code });
  for (let i = 0; i < 3; i++) await fetch(`${lab.endpoints.jupyterhub}/hub/health`);
  await hub(lab, '/hub/api/users', { token: null });
  await hub(lab, '/hub/api/users');
  t.is(count(HEALTH, '200'), 3);
  t.is(count(USERS, '403'), 1);
  t.is(count(USERS, '200'), 1);
  t.is(hubMetric(lab, 'jupyterhub_request_duration_seconds_bucket', { method: 'GET', handler: HEALTH, code: '200', le: '0.1' }), 3, 'a health check is fast (its processing is not scaled by the lab speed)');
  lab.world.setDeploymentBroken('jhub', 'hub', true);
  await kube(lab, `/api/v1/namespaces/jhub/pods/${podOf(lab, 'hub')}`, { method: 'DELETE' });
  t.is((await fetch(`${lab.endpoints.jupyterhub}/hub/health`)).status, 503);
  t.is((await hub(lab, '/hub/api/users')).status, 503);
  t.is(count(HEALTH, '503'), 1);
  t.is(count(USERS, '503'), 1);
  lab.world.setDeploymentBroken('jhub', 'hub', false);
  await eventually(() => lab.world.hubHealthy(), 'the hub back', 30_000);
  t.is(count(HEALTH, '200'), 3, 'counters survive the hub restart');
  const served = await fetch(`${lab.endpoints.jupyterhub}/user/user-001/api`);
  t.is(served.status, 200);
  t.is(count('jupyterhub.handlers.base.PrefixRedirectHandler', '302'), 0, 'a request a user server answers is not the hub request');
});

test('/hub/metrics wants a token and serves the text exposition with JupyterHub names and buckets', async (t) => {
  const lab = await labFor(t, { userPods: 2 });
  const anonymous = await fetch(`${lab.endpoints.jupyterhub}/hub/metrics`);
  t.is(anonymous.status, 403);
  t.regex(await anonymous.text(), /Access to metrics requires scope &#39;read:metrics&#39;/);
  const answer = await fetch(`${lab.endpoints.jupyterhub}/hub/metrics`, { headers: { authorization: 'token lab-hub-token' } });
  t.is(answer.status, 200);
  t.is(answer.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await answer.text();
  for (const name of ['jupyterhub_request_duration_seconds', 'jupyterhub_server_spawn_duration_seconds', 'jupyterhub_check_routes_duration_seconds']) {
    t.true(text.includes(`# TYPE ${name} histogram\n`), name);
  }
  t.true(text.includes('# HELP jupyterhub_running_servers the number of user servers currently running\n# TYPE jupyterhub_running_servers gauge\njupyterhub_running_servers 2.0\n'));
  t.true(text.includes('jupyterhub_total_users 2.0\n'));
  const spawnBuckets = [...text.matchAll(/^jupyterhub_server_spawn_duration_seconds_bucket\{le="([^"]+)",status="success"\}/gm)].map((m) => m[1]);
  t.deepEqual(spawnBuckets, ['0.5', '1.0', '2.5', '5.0', '10.0', '15.0', '30.0', '60.0', '120.0', '+Inf']);
  for (const status of ['success', 'failure', 'already-pending', 'throttled', 'too-many-users']) {
    t.true(text.includes(`jupyterhub_server_spawn_duration_seconds_count{status="${status}"} 0.0\n`), status);
  }
  t.regex(text, /^jupyterhub_check_routes_duration_seconds_count [1-9]\d*\.0$/m, 'check_routes ran when the hub started');
  t.regex(text, /^jupyterhub_request_duration_seconds_count\{code="403",handler="jupyterhub.handlers.metrics.MetricsHandler",method="GET"\} 1.0$/m);
});

test('spawns are timed and the gauges follow users and servers', async (t) => {
  const lab = await labFor(t, { userPods: 1, speed: 10 });
  await hub(lab, '/hub/api/users/alice', { method: 'POST' });
  t.is(hubMetric(lab, 'jupyterhub_total_users'), 2);
  t.is((await hub(lab, '/hub/api/users/alice/server', { method: 'POST' })).status, 201);
  t.is(hubMetric(lab, 'jupyterhub_running_servers'), 2);
  t.is(hubMetric(lab, 'jupyterhub_server_spawn_duration_seconds_count', { status: 'success' }), 1);
  const took = hubMetric(lab, 'jupyterhub_server_spawn_duration_seconds_sum', { status: 'success' });
  t.true(took >= 1.9 && took < 10, `scheduling, container start and readiness take a few simulated seconds (${took} s)`);
  t.is(hubMetric(lab, 'jupyterhub_server_spawn_duration_seconds_bucket', { status: 'success', le: '1.0' }), 0);
  t.is(hubMetric(lab, 'jupyterhub_server_spawn_duration_seconds_bucket', { status: 'success', le: '10.0' }), 1);
  const spawnRequest = hubMetric(lab, 'jupyterhub_request_duration_seconds_sum', { method: 'POST', handler: 'jupyterhub.apihandlers.users.UserServerAPIHandler', code: '201' });
  t.true(spawnRequest >= took - 0.01, 'the start request lasted as long as the spawn');
  await hub(lab, '/hub/api/users/alice/server', { method: 'DELETE' });
  t.is(hubMetric(lab, 'jupyterhub_running_servers'), 1);
  await hub(lab, '/hub/api/users/alice', { method: 'DELETE' });
  t.is(hubMetric(lab, 'jupyterhub_total_users'), 1);
});
