import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TargetError } from '../../../src/errors.js';
import { jupyterhubClient, jupyterhubClientFrom } from '../../../src/targets/jupyterhub/client.js';
import { defaultServerPath, serverStatusUrl } from '../../../src/targets/jupyterhub/common/hub-api.js';
import { cleanRoutePath, routeData } from '../../../src/targets/jupyterhub/common/proxy-api.js';
import { JupyterHubSettings } from '../../../src/targets/jupyterhub/settings.js';
import { testCtx } from '../../helpers/ctx.js';
import { HUB_TOKEN, PROXY_TOKEN, scriptedSettings, startScriptedHub, type ScriptedHub } from './scripted-hub.js';
import { closedPort } from '../../helpers/ports.js';

async function hubFor(t: { teardown(fn: () => Promise<void>): void }, script = {}): Promise<ScriptedHub> {
  const hub = await startScriptedHub(script);
  t.teardown(() => hub.close());
  return hub;
}

const clientOf = (hub: ScriptedHub) => jupyterhubClient(testCtx(scriptedSettings(hub)));

test('every hub call sends "Authorization: token …"; the proxy calls send the proxy token', async (t) => {
  const hub = await hubFor(t);
  hub.addUser('alice', { running: true });
  const client = clientOf(hub);
  await client.hub.users('ready');
  await client.proxy('test').routes();
  t.is(hub.seen.find((s) => s.port === 'hub')?.authorization, `token ${HUB_TOKEN}`);
  t.is(hub.seen.find((s) => s.port === 'proxy')?.authorization, `token ${PROXY_TOKEN}`);
});

test('users are read page by page with the pagination header, following next by offset on our own API', async (t) => {
  const hub = await hubFor(t, { pageSize: 2 });
  for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) hub.addUser(name, { running: name !== 'a3' });
  const users = await clientOf(hub).hub.users('ready');
  t.deepEqual(users.map((u) => u.name), ['a1', 'a2', 'a4', 'a5']);
  const pages = hub.seen.filter((s) => s.url.startsWith('/hub/api/users?'));
  t.is(pages.length, 2);
  t.true(pages.every((p) => p.accept === 'application/jupyterhub-pagination+json'));
  t.regex(pages[1]?.url ?? '', /offset=2/);
});

test('a hub answering plain lists is paged by offset and limit until a short page', async (t) => {
  const hub = await hubFor(t, { pageSize: 200, plainLists: true });
  for (let i = 0; i < 450; i++) hub.addUser(`u${String(i).padStart(3, '0')}`);
  const users = await clientOf(hub).hub.users(undefined);
  t.is(users.length, 450);
  t.is(new Set(users.map((u) => u.name)).size, 450);
  t.is(hub.seen.filter((s) => s.url.startsWith('/hub/api/users?')).length, 3);
});

test('a plain-list hub that ignores offset answered everyone at once: the repeated page ends the listing', async (t) => {
  const hub = await hubFor(t, { pageSize: 500, plainLists: true, ignoreOffset: true });
  for (let i = 0; i < 230; i++) hub.addUser(`u${i}`);
  const users = await clientOf(hub).hub.users(undefined);
  t.is(users.length, 230);
  t.is(hub.seen.filter((s) => s.url.startsWith('/hub/api/users?')).length, 2);
});

test('a paginated answer whose next page repeats users is an error, not an endless loop', async (t) => {
  const hub = await hubFor(t, { pageSize: 200, ignoreOffset: true });
  for (let i = 0; i < 300; i++) hub.addUser(`u${i}`);
  const err = await t.throwsAsync(clientOf(hub).hub.users(undefined), { instanceOf: TargetError });
  t.regex(err.message, /repeats users already listed/);
  t.false(err.retryable);
});

test('a missing user reads as null; creating an existing user reads it instead of failing', async (t) => {
  const hub = await hubFor(t);
  hub.addUser('bob');
  const client = clientOf(hub);
  t.is(await client.hub.user('nobody'), null);
  t.is((await client.hub.createUser('bob')).name, 'bob');
  t.is((await client.hub.createUser('carol')).name, 'carol');
  t.true(hub.users.has('carol'));
});

test('a hub error keeps its status, its own message and its retryability; the token never shows', async (t) => {
  const hub = await hubFor(t);
  hub.addUser('alice', { running: true });
  const client = clientOf(hub);
  const err = await t.throwsAsync(client.hub.startServer('alice'), { instanceOf: TargetError });
  t.is(err.message, 'JupyterHub start server of alice: HTTP 400 alice is already running');
  t.is(err.status, 400);
  t.false(err.retryable);
  const bad = jupyterhubClient(testCtx({ jupyterhub: { url: hub.url, token: { env: 'JH_CLIENT_TEST_WRONG' } } }));
  process.env['JH_CLIENT_TEST_WRONG'] = 'wrong-token-value-314159';
  const denied = await t.throwsAsync(bad.hub.users('ready'), { instanceOf: TargetError });
  t.regex(denied.message, /HTTP 403 Action is not authorized/);
  t.false(denied.message.includes('wrong-token-value-314159'));
});

test('a token echoed back in an error body is masked in the message', async (t) => {
  const server = createServer((req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 500, message: `boom with ${req.headers.authorization ?? ''}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  process.env['JH_CLIENT_TEST_ECHO'] = 'echoed-secret-271828';
  const client = jupyterhubClient(testCtx({ jupyterhub: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: { env: 'JH_CLIENT_TEST_ECHO' } } }));
  const err = await t.throwsAsync(client.hub.version(), { instanceOf: TargetError });
  t.true(err.retryable);
  t.is(err.status, 500);
  t.false(err.message.includes('echoed-secret-271828'));
  t.regex(err.message, /boom with token/);
});

test('a refused connection and a request past its deadline are retryable errors naming the call, not the token', async (t) => {
  const port = await closedPort();
  process.env['JH_CLIENT_TEST_TOKEN'] = 'never-shown-161803';
  const refused = jupyterhubClient(testCtx({ jupyterhub: { url: `http://127.0.0.1:${port}`, token: { env: 'JH_CLIENT_TEST_TOKEN' } } }));
  const err = await t.throwsAsync(refused.hub.version(), { instanceOf: TargetError });
  t.true(err.retryable);
  t.is(err.message, `JupyterHub read the version (http://127.0.0.1:${port}/hub/api): no answer (ECONNREFUSED)`);

  const silent = createServer(() => undefined); // accepts, never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    silent.closeAllConnections();
    silent.close();
  });
  const slow = jupyterhubClient(testCtx({ jupyterhub: { url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token: { env: 'JH_CLIENT_TEST_TOKEN' }, timeout: '200ms' } }));
  const start = Date.now();
  const timedOut = await t.throwsAsync(slow.hub.version(), { instanceOf: TargetError });
  t.true(Date.now() - start < 2000);
  t.regex(timedOut.message, /timed out before an answer/);
  t.true(timedOut.retryable);
  t.false(timedOut.message.includes('never-shown-161803'));
});

test('the caller aborting is told from a timeout', async (t) => {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    silent.closeAllConnections();
    silent.close();
  });
  process.env['JH_CLIENT_TEST_TOKEN'] = 'x-token';
  const client = jupyterhubClient(testCtx({ jupyterhub: { url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, token: { env: 'JH_CLIENT_TEST_TOKEN' } } }));
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  const err = await t.throwsAsync(client.hub.version(ac.signal), { instanceOf: TargetError });
  t.regex(err.message, /aborted before an answer/);
});

test('a missing token secret is a non-retryable error naming the setting and the variable', async (t) => {
  delete process.env['JH_CLIENT_TEST_UNSET'];
  const client = jupyterhubClientFrom(JupyterHubSettings.parse({ url: 'http://127.0.0.1:9', token: { env: 'JH_CLIENT_TEST_UNSET' } }));
  const err = await t.throwsAsync(client.hub.users('ready'), { instanceOf: TargetError });
  t.false(err.retryable);
  t.is(err.message, 'targets.jupyterhub.token: secret not available: environment variable JH_CLIENT_TEST_UNSET is not set');
});

test('a redirect is returned, never followed (the token stays with the hub)', async (t) => {
  const hub = await hubFor(t);
  hub.addUser('alice');
  const answer = await clientOf(hub).hub.serverStatus('/user/alice/');
  t.is(answer.status, 302);
  t.is(answer.headers.get('location'), '/hub/user/alice/api/status');
  t.is(hub.seen.filter((s) => s.url.startsWith('/hub/user/')).length, 0);
});

test('proxy routes: add, read, list, delete; deleting a missing route is false, not an error', async (t) => {
  const hub = await hubFor(t);
  const proxy = clientOf(hub).proxy('test');
  await proxy.addRoute('/user/a b/', { target: 'http://127.0.0.1:1234', user: 'a b', server_name: '', jupyterhub: true });
  t.true(hub.routes.has('/user/a b'));
  const route = await proxy.route('/user/a b');
  t.is(route?.target, 'http://127.0.0.1:1234');
  t.deepEqual(routeData(route!), { target: 'http://127.0.0.1:1234', user: 'a b', server_name: '', jupyterhub: true });
  t.deepEqual([...(await proxy.routes()).keys()].sort(), ['/', '/user/a b']);
  t.true(await proxy.deleteRoute('/user/a b'));
  t.false(await proxy.deleteRoute('/user/a b'));
  t.is(await proxy.route('/user/a b'), null);
});

test('route paths are cleaned like the proxy cleans them; server URLs are built on the public origin', (t) => {
  t.is(cleanRoutePath('/user/alice/'), '/user/alice');
  t.is(cleanRoutePath('user/alice'), '/user/alice');
  t.is(cleanRoutePath('/'), '/');
  t.is(cleanRoutePath('//'), '/');
  t.is(serverStatusUrl('https://example.org/jhub', '/jhub/user/alice/'), 'https://example.org/jhub/user/alice/api/status');
  t.is(defaultServerPath('https://example.org/jhub/', 'a@b'), '/jhub/user/a%40b/');
});
