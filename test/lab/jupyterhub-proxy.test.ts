import test from 'ava';
import { eventually, hub, kube, labFor, podOf } from './helpers.js';
import { afterCheckRoutes, checkRoutesRuns, proxyApi } from './jupyterhub-helpers.js';

type Routes = Record<string, Record<string, unknown>>;

test('the proxy API lists, reads, adds and deletes routes as configurable-http-proxy does', async (t) => {
  const lab = await labFor(t, { userPods: 2 });
  const listed = await proxyApi<Routes>(lab, '/api/routes');
  t.is(listed.status, 200);
  t.is(listed.headers.get('content-type'), 'application/json');
  t.deepEqual(Object.keys(listed.body), ['/', '/user/user-001', '/user/user-002']);
  t.like(listed.body['/'], { hub: true, target: 'http://hub:8081', jupyterhub: true });
  const pod = lab.world.pods('jhub').find((p) => p.metadata.name === 'jupyter-user-001');
  t.deepEqual(Object.keys(listed.body['/user/user-001'] ?? {}), ['user', 'server_name', 'target', 'jupyterhub', 'last_activity']);
  t.like(listed.body['/user/user-001'], { user: 'user-001', server_name: '', target: `http://${pod?.status.podIP ?? ''}:8888`, jupyterhub: true });
  t.regex(String(listed.body['/user/user-001']?.['last_activity']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const one = await proxyApi<Record<string, unknown>>(lab, '/api/routes/user/user-001/');
  t.like(one.body, { user: 'user-001' });
  const missing = await proxyApi(lab, '/api/routes/user/nobody');
  t.is(missing.status, 404);
  t.is(missing.body, '');
  const added = await proxyApi(lab, '/api/routes/extra/path', { method: 'POST', body: JSON.stringify({ target: 'http://10.99.0.1:8888', owner: 'test' }) });
  t.is(added.status, 201);
  t.like((await proxyApi<Record<string, unknown>>(lab, '/api/routes/extra/path')).body, { target: 'http://10.99.0.1:8888', owner: 'test' });
  t.deepEqual((await proxyApi(lab, '/api/routes/x', { method: 'POST', body: JSON.stringify({ nottarget: 1 }) })).body, "Must specify 'target' as string");
  const notJson = await proxyApi<string>(lab, '/api/routes/x', { method: 'POST', body: 'nojson' });
  t.is(notJson.status, 400);
  t.regex(notJson.body, /^Body not valid JSON: SyntaxError: /);
  t.is((await proxyApi(lab, '/api/routes/extra/path', { method: 'DELETE' })).status, 204);
  t.is((await proxyApi(lab, '/api/routes/extra/path', { method: 'DELETE' })).status, 404);
  t.deepEqual((await proxyApi(lab, '/api/routes', { method: 'PUT' })).body, 'Method not supported');
  t.deepEqual((await proxyApi(lab, '/api/nothing')).body, 'Not Found');
  t.deepEqual((await proxyApi(lab, '/api/routes?inactive_since=garbage')).body, "Invalid datestamp 'garbage' must be ISO8601.");
  t.deepEqual(Object.keys((await proxyApi<Routes>(lab, '/api/routes?inactive_since=2000-01-01T00:00:00Z')).body), []);
  const future = new Date(lab.world.clock.now() + 3_600_000).toISOString();
  t.deepEqual(Object.keys((await proxyApi<Routes>(lab, `/api/routes?inactive_since=${future}`)).body), ['/', '/user/user-001', '/user/user-002']);
});

test('the proxy API wants its own token in the form "token X"', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  for (const headers of [{}, { authorization: 'token wrong' }, { authorization: 'Bearer lab-proxy-token' }, { authorization: 'token lab-hub-token' }]) {
    const answer = await proxyApi(lab, '/api/routes', { token: null, headers });
    t.is(answer.status, 403, JSON.stringify(headers));
    t.is(answer.body, '');
  }
  t.is((await proxyApi(lab, '/api/routes/x', { method: 'POST', token: null, body: JSON.stringify({ target: 'http://a:1' }) })).status, 403);
  t.is(lab.world.jupyterhub.routes()?.['/x'], undefined, 'a refused POST adds nothing');
});

test('requests through the proxy follow only its route table', async (t) => {
  const lab = await labFor(t, { userPods: 2 });
  const pod2 = lab.world.pods('jhub').find((p) => p.metadata.name === 'jupyter-user-002');
  await proxyApi(lab, '/api/routes/user/user-001', { method: 'POST', body: JSON.stringify({ target: 'http://10.99.99.99:8888' }) });
  const dead = await fetch(`${lab.endpoints.jupyterhub}/user/user-001/api`);
  t.is(dead.status, 503);
  t.is(dead.headers.get('content-type'), 'text/html');
  t.regex(await dead.text(), /Your server appears to be down/);
  await proxyApi(lab, '/api/routes/elsewhere', { method: 'POST', body: JSON.stringify({ target: `http://${pod2?.status.podIP ?? ''}:8888` }) });
  const foreign = await fetch(`${lab.endpoints.jupyterhub}/elsewhere/api`);
  t.is(foreign.status, 404, "user-002's notebook server has no such path");
  t.is((await proxyApi(lab, '/api/routes/', { method: 'DELETE' })).status, 204, 'the default route can go too');
  const unrouted = await fetch(`${lab.endpoints.jupyterhub}/hub/health`);
  t.is(unrouted.status, 404, 'no route: CHP answers 404 with the hub error page');
  t.regex(await unrouted.text(), /404 : Not Found/);
  const healthz = await fetch(`${lab.endpoints.jupyterhub}/_chp_healthz`);
  t.deepEqual(await healthz.json(), { status: 'OK' });
  t.true(lab.world.jupyterhub.checkRoutes(), 'check_routes (POST /hub/api/proxy) puts the hub route back');
  t.is((await fetch(`${lab.endpoints.jupyterhub}/hub/health`)).status, 200);
  t.like(lab.world.jupyterhub.routes()?.['/user/user-001'], { target: `http://${lab.world.pods('jhub').find((p) => p.metadata.name === 'jupyter-user-001')?.status.podIP ?? ''}:8888` }, 'and corrects a route whose target is wrong');
  t.like(lab.world.jupyterhub.routes()?.['/elsewhere'], { target: `http://${pod2?.status.podIP ?? ''}:8888` }, 'routes JupyterHub did not add are left alone');
});

test("a deleted user route leaves the server unreachable until the hub's next check_routes re-adds it", async (t) => {
  const lab = await labFor(t, { userPods: 1, jupyterhub: { lastActivityIntervalSeconds: 200 } });
  await afterCheckRoutes(lab);
  const runs = checkRoutesRuns(lab);
  t.is((await proxyApi(lab, '/api/routes/user/user-001', { method: 'DELETE' })).status, 204);
  const anonymous = await fetch(`${lab.endpoints.jupyterhub}/user/user-001/api`, { redirect: 'manual' });
  t.is(anonymous.status, 302);
  t.is(anonymous.headers.get('location'), '/hub/user/user-001/api');
  const atHub = await fetch(`${lab.endpoints.jupyterhub}/hub/user/user-001/api`, { redirect: 'manual', headers: { authorization: 'token lab-hub-token' } });
  t.is(atHub.status, 302, 'the hub sees a ready server and sends the request back');
  t.is(atHub.headers.get('location'), '/user/user-001/api?redirects=1');
  const looped = await fetch(`${lab.endpoints.jupyterhub}/user/user-001/api`, { headers: { authorization: 'token lab-hub-token' } });
  t.is(looped.status, 500);
  t.regex(await looped.text(), /Redirect loop detected\./);
  t.is(checkRoutesRuns(lab), runs, 'no check_routes ran meanwhile');
  await afterCheckRoutes(lab);
  t.like(lab.world.jupyterhub.routes()?.['/user/user-001'], { user: 'user-001', jupyterhub: true });
  t.deepEqual((await hub(lab, '/user/user-001/api', { token: null })).body, { version: '6.5.4' });
});

test("deleting the proxy pod loses every route until the hub's next tick re-adds them", async (t) => {
  const lab = await labFor(t, { userPods: 2, jupyterhub: { lastActivityIntervalSeconds: 200 } });
  await afterCheckRoutes(lab);
  lab.world.setDeploymentBroken('jhub', 'proxy', true);
  await kube(lab, `/api/v1/namespaces/jhub/pods/${podOf(lab, 'proxy')}`, { method: 'DELETE' });
  await t.throwsAsync(proxyApi(lab, '/api/routes'), undefined, 'no proxy pod: the proxy API has no endpoint');
  const down = await fetch(`${lab.endpoints.jupyterhub}/hub/health`);
  t.is(down.status, 503);
  lab.world.setDeploymentBroken('jhub', 'proxy', false);
  await eventually(() => lab.world.jupyterhub.proxyReady(), 'a new proxy pod');
  const fresh = await proxyApi<Routes>(lab, '/api/routes');
  t.deepEqual(Object.keys(fresh.body), ['/'], 'a new proxy knows only its default route');
  t.deepEqual(Object.keys(fresh.body['/'] ?? {}), ['target', 'last_activity']);
  t.is((await fetch(`${lab.endpoints.jupyterhub}/hub/health`)).status, 200, 'the default route reaches the hub');
  const lost = await fetch(`${lab.endpoints.jupyterhub}/user/user-001/api`, { redirect: 'manual' });
  t.is(lost.status, 302, "the user's route is gone: the request falls to the hub");
  await afterCheckRoutes(lab);
  const back = await proxyApi<Routes>(lab, '/api/routes');
  t.deepEqual(Object.keys(back.body).sort(), ['/', '/user/user-001', '/user/user-002']);
  t.like(back.body['/'], { hub: true, jupyterhub: true }, 'check_routes replaced the default route with its own');
  t.is((await fetch(`${lab.endpoints.jupyterhub}/user/user-001/api`)).status, 200);
});

test('the hub API shows the proxy routes it owns and runs check_routes on demand', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  await proxyApi(lab, '/api/routes/other', { method: 'POST', body: JSON.stringify({ target: 'http://10.99.0.1:80' }) });
  await proxyApi(lab, '/api/routes/user/user-001', { method: 'DELETE' });
  const before = await hub<Routes>(lab, '/hub/api/proxy');
  t.deepEqual(Object.keys(before.body), ['/'], 'only routes JupyterHub added, as routespecs');
  t.like(before.body['/'], { routespec: '/', target: 'http://hub:8081', data: { hub: true } });
  const checked = await hub(lab, '/hub/api/proxy', { method: 'POST' });
  t.is(checked.status, 200);
  const after = await hub<Routes>(lab, '/hub/api/proxy');
  t.deepEqual(Object.keys(after.body), ['/', '/user/user-001/']);
  t.like(after.body['/user/user-001/'], { routespec: '/user/user-001/', data: { user: 'user-001', server_name: '' } });
  t.truthy(lab.world.jupyterhub.routes()?.['/other'], 'the foreign route stays');
});
