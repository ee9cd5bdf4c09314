import test from 'ava';
import { TargetError } from '../../../../src/errors.js';
import { authRequestBody, identityUrl } from '../../../../src/targets/openstack/api/auth.js';
import { openstackClientFrom } from '../../../../src/targets/openstack/client.js';
import { appCredentialCloud, FAST_RETRY, passwordCloud, PASSWORD, startFakeCloud, type Seen } from './fake-cloud.js';

const serverBody = (id: string) => ({ server: { id, name: `worker-${id}`, status: 'ACTIVE', 'OS-EXT-STS:task_state': null } });

function serversAndPorts(req: Seen) {
  if (req.service === 'compute' && req.rest.startsWith('/servers/')) return { status: 200, body: serverBody(req.rest.slice('/servers/'.length)) };
  if (req.service === 'network' && req.rest === '/ports') return { status: 200, body: { ports: [] } };
  return undefined;
}

test('one authentication serves many calls to several services', async (t) => {
  const fake = await startFakeCloud({ handle: serversAndPorts });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY });
  for (const id of ['1', '2', '3']) t.is((await client.nova.getServer(id))?.name, `worker-${id}`);
  t.deepEqual(await client.neutron.listPorts({ deviceId: '1' }), []);
  t.is(fake.authCount(), 1);
  const calls = fake.seen.filter((s) => s.service !== undefined);
  t.is(calls.length, 4);
  for (const call of calls) t.is(call.headers['x-auth-token'], fake.tokens[0]);
});

test('the password request is a project-scoped v3 password auth sent to auth_url/v3', async (t) => {
  const fake = await startFakeCloud({ handle: serversAndPorts });
  t.teardown(() => fake.close());
  await openstackClientFrom(passwordCloud(fake)).nova.getServer('1');
  const auth = fake.seen.find((s) => s.path.endsWith('/auth/tokens'));
  t.is(auth?.path, '/identity/v3/auth/tokens');
  t.deepEqual(auth?.body, {
    auth: {
      identity: { methods: ['password'], password: { user: { name: 'gameday', domain: { name: 'Default' }, password: PASSWORD } } },
      scope: { project: { name: 'jupyter', domain: { name: 'Default' } } },
    },
  });
});

test('an application credential authenticates with the application_credential method, auth_url already ending in /v3', async (t) => {
  const fake = await startFakeCloud({ handle: serversAndPorts });
  t.teardown(() => fake.close());
  t.truthy(await openstackClientFrom(appCredentialCloud(fake)).nova.getServer('1'));
  const auth = fake.seen.find((s) => s.path.endsWith('/auth/tokens'));
  t.is(auth?.path, '/identity/v3/auth/tokens');
  t.deepEqual(auth?.body, { auth: { identity: { methods: ['application_credential'], application_credential: { id: 'ac-1', secret: 'app-cred-s3cret-value' } } } });
});

test('ids win over names, and an application credential by name carries its user', (t) => {
  t.deepEqual(authRequestBody({ type: 'password', password: 'pw-12345', userId: 'u1', projectId: 'p1' }), {
    auth: { identity: { methods: ['password'], password: { user: { id: 'u1', password: 'pw-12345' } } }, scope: { project: { id: 'p1' } } },
  });
  t.deepEqual(authRequestBody({ type: 'v3applicationcredential', secret: 's-12345', name: 'gd', username: 'svc', userDomainId: 'default' }), {
    auth: { identity: { methods: ['application_credential'], application_credential: { name: 'gd', secret: 's-12345', user: { name: 'svc', domain: { id: 'default' } } } } },
  });
});

test('Keystone URLs get /v3 when they lack it and keep it when they have it', (t) => {
  t.is(identityUrl('https://ks.example.org:5000'), 'https://ks.example.org:5000/v3');
  t.is(identityUrl('https://ks.example.org/identity/'), 'https://ks.example.org/identity/v3');
  t.is(identityUrl('https://ks.example.org/identity/v3/'), 'https://ks.example.org/identity/v3');
  t.is(identityUrl('https://ks.example.org:5000/v2.0'), 'https://ks.example.org:5000/v3');
});

test('a token close to its expiry is replaced before it is used again', async (t) => {
  const fake = await startFakeCloud({ handle: serversAndPorts, ttlMs: 3_600_000 });
  t.teardown(() => fake.close());
  let offset = 0;
  const client = openstackClientFrom(passwordCloud(fake), { now: () => Date.now() + offset });
  await client.nova.getServer('1');
  offset = 58 * 60_000;
  await client.nova.getServer('1');
  t.is(fake.authCount(), 1, 'two minutes before expiry the token is still used');
  offset = 59 * 60_000 + 30_000;
  await client.nova.getServer('1');
  t.is(fake.authCount(), 2, 'within the 60 s margin a new token is fetched');
  const last = fake.seen.at(-1);
  t.is(last?.headers['x-auth-token'], fake.tokens[1]);
});

test('a 401 from a service authenticates once more and the call then succeeds', async (t) => {
  const fake = await startFakeCloud({ handle: serversAndPorts });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY });
  await client.nova.getServer('1');
  fake.revokeAll();
  t.is((await client.nova.getServer('2'))?.id, '2');
  t.is(fake.authCount(), 2);
  const gets = fake.seen.filter((s) => s.rest === '/servers/2');
  t.deepEqual(gets.map((s) => s.headers['x-auth-token']), [fake.tokens[0], fake.tokens[1]]);
});

test('a second 401 after a fresh token is a non-retryable error', async (t) => {
  const fake = await startFakeCloud({
    handle: (req) => (req.rest === '/servers/locked' ? { status: 401, body: { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } } } : undefined),
  });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY });
  const err = await t.throwsAsync(client.nova.getServer('locked'), { instanceOf: TargetError });
  t.is(err?.status, 401);
  t.false(err?.retryable);
  t.is(err?.message, 'Nova read server locked: HTTP 401 Unauthorized: The request you have made requires authentication. (rejected again with a fresh token)');
  t.is(fake.authCount(), 2);
  t.is(fake.seen.filter((s) => s.rest === '/servers/locked').length, 2);
});

test('concurrent calls share one authentication', async (t) => {
  const fake = await startFakeCloud({ handle: serversAndPorts, authDelayMs: 100 });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake));
  const servers = await Promise.all(Array.from({ length: 10 }, (_, i) => client.nova.getServer(String(i))));
  t.is(servers.length, 10);
  t.is(fake.authCount(), 1);
});

test('concurrent calls rejected with the same old token re-authenticate once between them', async (t) => {
  const fake = await startFakeCloud({ handle: serversAndPorts, authDelayMs: 50 });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake));
  await client.nova.getServer('0');
  fake.revokeAll();
  await Promise.all(Array.from({ length: 5 }, (_, i) => client.nova.getServer(String(i))));
  t.is(fake.authCount(), 2);
});

test('a rejected password is a non-retryable Keystone error that names neither the password nor a token', async (t) => {
  const fake = await startFakeCloud();
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake, 'wrong-password-777'), { retry: FAST_RETRY });
  const err = await t.throwsAsync(client.nova.listServers(), { instanceOf: TargetError });
  t.is(err?.message, 'Keystone authenticate (cloud jupytercloud, password): HTTP 401 Unauthorized: The request you have made requires authentication. (request req-ks-401)');
  t.false(err?.retryable);
  t.is(err?.requestId, 'req-ks-401');
  t.is(fake.authCount(), 1, 'a 401 from Keystone is not retried');
  t.false(JSON.stringify({ message: err?.message, stack: err?.stack }).includes('wrong-password-777'));
});

test('a failed authentication is not cached: the next call tries again', async (t) => {
  let fail = true;
  const fake = await startFakeCloud({ handle: serversAndPorts, auth: () => (fail ? { status: 500, body: { error: { code: 500, title: 'Internal Server Error', message: 'db down' } } } : undefined) });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { retry: { ...FAST_RETRY, attempts: 2 } });
  const err = await t.throwsAsync(client.nova.getServer('1'), { instanceOf: TargetError });
  t.true(err?.retryable);
  t.is(fake.authCount(), 2, 'a 500 from Keystone is retried (asking for a token twice is harmless)');
  fail = false;
  t.truthy(await client.nova.getServer('1'));
});

test('a token answer without X-Subject-Token is an error naming the missing header', async (t) => {
  const fake = await startFakeCloud({ auth: () => ({ status: 201, body: { token: { expires_at: new Date().toISOString(), catalog: [] } } }) });
  t.teardown(() => fake.close());
  const err = await t.throwsAsync(openstackClientFrom(passwordCloud(fake)).nova.getServer('1'), { instanceOf: TargetError });
  t.regex(err?.message ?? '', /unexpected answer: no X-Subject-Token header/);
  t.false(err?.retryable);
});
