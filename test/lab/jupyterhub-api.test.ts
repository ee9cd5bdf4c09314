import test from 'ava';
import { hub, labFor } from './helpers.js';
import { scale } from './jupyterhub-helpers.js';

interface UserModel {
  kind: string;
  name: string;
  admin: boolean;
  roles: string[];
  server: string | null;
  pending: string | null;
  created: string;
  servers: Record<string, { ready: boolean; pending: string | null; stopped: boolean; url: string; progress_url: string; state: Record<string, string> }>;
}

const SCOPED: [string, string, string][] = [
  ['GET', '/hub/api/users', 'list:users'],
  ['POST', '/hub/api/users', 'admin:users'],
  ['GET', '/hub/api/users/user-001', 'read:users, read:users:name, read:servers, read:users:groups, read:users:activity, read:roles:users'],
  ['POST', '/hub/api/users/alice', 'admin:users'],
  ['DELETE', '/hub/api/users/user-001', 'delete:users'],
  ['POST', '/hub/api/users/user-001/server', 'servers'],
  ['DELETE', '/hub/api/users/user-001/server', 'delete:servers'],
  ['GET', '/hub/api/users/user-001/server/progress', 'read:servers'],
  ['GET', '/hub/api/proxy', 'proxy'],
  ['GET', '/hub/api/info', 'read:hub'],
];

test('every scoped hub API route answers 403 naming its scopes to a missing, wrong or query-string token', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  for (const [method, path, scopes] of SCOPED) {
    const expected = { status: 403, message: `Action is not authorized with current scopes; requires any of [${scopes}]` };
    for (const token of [null, 'wrong']) {
      const answer = await hub(lab, path, { method, token });
      t.is(answer.status, 403, `${method} ${path} with ${token ?? 'no token'}`);
      t.deepEqual(answer.body, expected);
      t.is(answer.headers.get('content-type'), 'application/json');
    }
    t.is((await hub(lab, `${path}?token=lab-hub-token`, { method, token: null })).status, 403, 'JupyterHub 3 takes API tokens from the header only');
  }
  t.false(lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-alice'), 'nothing was done for the refused requests');
  t.deepEqual(lab.world.jupyterhub.users().map((u) => u.name), ['user-001']);
  const bearer = await hub(lab, '/hub/api/users', { token: null, headers: { authorization: 'Bearer lab-hub-token' } });
  t.is(bearer.status, 200);
});

test('the version, info and health answer as JupyterHub 3 does, with its version header', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  const version = await hub(lab, '/hub/api', { token: null });
  t.deepEqual(version.body, { version: '3.1.1' });
  t.is(version.headers.get('x-jupyterhub-version'), '3.1.1');
  t.is((await fetch(`${lab.endpoints.jupyterhub}/hub/api/`)).status, 200);
  const info = await hub<Record<string, unknown>>(lab, '/hub/api/info');
  t.like(info.body, { version: '3.1.1', spawner: { class: 'kubespawner.spawner.KubeSpawner', version: '4.2.0' } });
  for (const path of ['/hub/health', '/hub/api/health']) {
    const health = await fetch(`${lab.endpoints.jupyterhub}${path}`);
    t.is(health.status, 200);
    t.is(health.headers.get('content-type'), 'text/html');
    t.is(await health.text(), '');
  }
  const slash = await fetch(`${lab.endpoints.jupyterhub}/hub/health/`);
  t.is(slash.status, 404, 'tornado matches /hub/health exactly');
  t.regex(await slash.text(), /404 : Not Found/);
});

test('users are created, read and deleted with JupyterHub answers, quirks included', async (t) => {
  // Slow enough that stopping user-001's server (1 s grace) ends within the 10 s slow-stop timeout on a busy machine.
  const lab = await labFor(t, { userPods: 1, speed: 10 });
  const created = await hub<UserModel>(lab, '/hub/api/users/alice', { method: 'POST' });
  t.is(created.status, 201);
  t.like(created.body, { kind: 'user', name: 'alice', admin: false, roles: ['user'], server: null, pending: null, servers: {} });
  t.regex(created.body.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
  t.deepEqual((await hub(lab, '/hub/api/users/alice', { method: 'POST' })).body, { status: 409, message: 'User alice already exists' });
  const badJson = await hub(lab, '/hub/api/users/bob', { method: 'POST', body: '{bad' });
  t.deepEqual(badJson.body, { status: 400, message: 'Invalid JSON in body of request' });
  t.is((await hub(lab, '/hub/api/users/bob')).status, 404, 'a body that is not JSON creates nobody');
  const admin = await hub<UserModel>(lab, '/hub/api/users/carol', { method: 'POST', body: JSON.stringify({ admin: true }) });
  t.deepEqual(admin.body.roles, ['user', 'admin']);
  t.true(admin.body.admin);
  const badKeys = await hub(lab, '/hub/api/users/dave', { method: 'POST', body: JSON.stringify({ foo: 1 }) });
  t.deepEqual(badKeys.body, { status: 400, message: "Invalid JSON keys: {'foo': 1}" });
  t.is((await hub(lab, '/hub/api/users/dave')).status, 200, 'JupyterHub 3.0 creates the user before it checks the body');
  const badType = await hub(lab, '/hub/api/users/erin', { method: 'POST', body: JSON.stringify({ admin: 'yes' }) });
  t.deepEqual(badType.body, { status: 400, message: "user.admin must be <class 'bool'>, not: <class 'str'>" });
  const bulk = await hub<UserModel[]>(lab, '/hub/api/users', { method: 'POST', body: JSON.stringify({ usernames: ['Frank', 'alice'] }) });
  t.is(bulk.status, 201);
  t.deepEqual(bulk.body.map((u) => u.name), ['frank'], 'names are lowercased; existing users are skipped');
  t.deepEqual((await hub(lab, '/hub/api/users', { method: 'POST', body: JSON.stringify({ usernames: ['alice'] }) })).body, { status: 409, message: 'All 1 users already exist' });
  t.deepEqual((await hub(lab, '/hub/api/users', { method: 'POST', body: JSON.stringify({ usernames: ['a/b'] }) })).body, { status: 400, message: 'Invalid username: a/b' });
  t.deepEqual((await hub(lab, '/hub/api/users', { method: 'POST', body: '{}' })).body, { status: 400, message: 'Must specify at least one user to create' });
  t.deepEqual((await hub(lab, '/hub/api/users/nobody')).body, { status: 404, message: 'Not Found' });
  const deleted = await hub(lab, '/hub/api/users/alice', { method: 'DELETE' });
  t.is(deleted.status, 204);
  t.is(deleted.body, '');
  t.is((await hub(lab, '/hub/api/users/alice', { method: 'DELETE' })).status, 404);
  t.deepEqual((await hub(lab, '/hub/api/users/nobody/server', { method: 'DELETE' })).body, { status: 500, message: 'Internal Server Error' }, 'JupyterHub 3.0 fails on a missing user here');
  const running = await hub(lab, '/hub/api/users/user-001', { method: 'DELETE' });
  t.is(running.status, 204, 'deleting a user stops its server first');
  t.false(lab.world.pods('jhub').some((p) => p.metadata.name === 'jupyter-user-001'));
  t.deepEqual(lab.world.jupyterhub.routes()?.['/user/user-001'], undefined);
});

test('the users list filters by state and name and pages with offset and limit', async (t) => {
  const lab = await labFor(t, { userPods: 3 });
  await hub(lab, '/hub/api/users/alice', { method: 'POST' });
  await scale(lab, 'user-scheduler', 0);
  await hub(lab, '/hub/api/users/bob', { method: 'POST' });
  const names = async (query: string, headers: Record<string, string> = {}): Promise<string[]> =>
    (await hub<UserModel[]>(lab, `/hub/api/users${query}`, { headers })).body.map((u) => u.name);
  const pendingSpawn = hub(lab, '/hub/api/users/bob/server', { method: 'POST' });
  t.is((await pendingSpawn).status, 202, 'no user-scheduler: the spawn outlasts the slow timeout');
  t.deepEqual(await names(''), ['user-001', 'user-002', 'user-003', 'alice', 'bob'], 'creation order');
  t.deepEqual(await names('?state=active'), ['user-001', 'user-002', 'user-003', 'bob']);
  t.deepEqual(await names('?state=ready'), ['user-001', 'user-002', 'user-003']);
  t.deepEqual(await names('?state=inactive'), ['alice']);
  t.deepEqual(await names('?name_filter=USER-00'), ['user-001', 'user-002', 'user-003']);
  t.deepEqual(await names('?offset=1&limit=2'), ['user-002', 'user-003']);
  t.deepEqual(await names('?offset=-1&limit=0'), ['user-002'], 'abs(offset), and a limit of at least 1');
  t.deepEqual((await hub(lab, '/hub/api/users?state=bogus')).body, { status: 400, message: "Unrecognized state filter: 'bogus'" });
  t.deepEqual((await hub(lab, '/hub/api/users?limit=x')).body, { status: 400, message: 'Invalid argument type, offset and limit must be integers' });
  const bob = (await hub<UserModel>(lab, '/hub/api/users/bob')).body;
  t.like(bob, { server: null, pending: 'spawn' });
  t.like(bob.servers[''], { ready: false, pending: 'spawn', stopped: false, url: '/user/bob/', progress_url: '/hub/api/users/bob/server/progress' });
  t.deepEqual(bob.servers['']?.state, { pod_name: 'jupyter-bob', namespace: 'jhub', dns_name: 'jupyter-bob.jhub.svc.cluster.local' });
  const paged = await hub<{ items: UserModel[]; _pagination: Record<string, unknown> }>(lab, '/hub/api/users?limit=2', { headers: { accept: 'application/jupyterhub-pagination+json' } });
  t.deepEqual(paged.body.items.map((u) => u.name), ['user-001', 'user-002']);
  const port = new URL(lab.endpoints.jupyterhub).port;
  t.deepEqual(paged.body._pagination, { offset: 0, limit: 2, total: 5, next: { offset: 2, limit: 2, url: `http://127.0.0.1:${port}/hub/api/users?limit=2&offset=2` } });
  const last = await hub<{ _pagination: Record<string, unknown> }>(lab, '/hub/api/users?offset=4', { headers: { accept: 'application/jupyterhub-pagination+json' } });
  t.deepEqual(last.body._pagination, { offset: 4, limit: 50, total: 5, next: null });
});

test('unknown paths answer like the hub: JSON for the API, HTML pages and redirects elsewhere', async (t) => {
  const lab = await labFor(t, { userPods: 1 });
  const base = lab.endpoints.jupyterhub;
  t.deepEqual((await hub(lab, '/hub/api/nothing', { token: null })).body, { status: 404, message: 'Not Found' });
  t.deepEqual((await hub(lab, '/hub/api/users/', { token: null })).body, { status: 404, message: 'Not Found' });
  t.deepEqual((await hub(lab, '/hub/api/users', { method: 'PUT' })).body, { status: 405, message: 'Method Not Allowed' });
  const page = await fetch(`${base}/hub/nothing`);
  t.is(page.status, 404);
  t.is(page.headers.get('content-type'), 'text/html');
  const redirects: [string, string][] = [
    ['/', '/hub/'],
    ['/hub/', '/hub/login?next=%2Fhub%2F'],
    ['/hub/home', '/hub/login?next=%2Fhub%2Fhome'],
    ['/nothing?x=1', '/hub/nothing?x=1'],
    ['/hub/user/user-001/api', '/hub/login?next=%2Fhub%2Fuser%2Fuser-001%2Fapi'],
  ];
  for (const [path, location] of redirects) {
    const answer = await fetch(`${base}${path}`, { redirect: 'manual' });
    t.is(answer.status, 302, path);
    t.is(answer.headers.get('location'), location, path);
  }
  const login = await fetch(`${base}/hub/login`);
  t.is(login.status, 200);
  t.regex(await login.text(), /<form/);
});
