import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TargetError } from '../../../src/errors.js';
import { ApiParams, apiProbe, versionAtLeast } from '../../../src/targets/jupyterhub/api.js';
import { amountOf, BaselineBound, boundBreach } from '../../../src/targets/jupyterhub/common/bounds.js';
import { HealthParams, healthProbe } from '../../../src/targets/jupyterhub/health.js';
import { RoutesParams, routesProbe } from '../../../src/targets/jupyterhub/routes.js';
import type { ProbeRun } from '../../../src/targets/types.js';
import { testCtx } from '../../helpers/ctx.js';
import { scriptedSettings, startScriptedHub, type ScriptedHub } from './scripted-hub.js';

async function hubFor(t: { teardown(fn: () => Promise<void>): void }, script = {}): Promise<ScriptedHub> {
  const hub = await startScriptedHub(script);
  t.teardown(() => hub.close());
  return hub;
}

const signal = (): AbortSignal => new AbortController().signal;
const during = (baseline: number | undefined): ProbeRun => ({ phase: 'during', baseline });

test('health: 200 from the hub is ok, with the status as value', async (t) => {
  const hub = await hubFor(t);
  const r = await healthProbe.check(testCtx(scriptedSettings(hub)), HealthParams.parse({}), signal());
  t.true(r.ok);
  t.is(r.value, 200);
  t.regex(r.detail, /^200 in \d+ ms$/);
});

test('health: the proxy answering 503 for a dead hub is a breach that says who answered', async (t) => {
  const hub = await hubFor(t, { hubDown: true });
  const r = await healthProbe.check(testCtx(scriptedSettings(hub)), HealthParams.parse({}), signal());
  t.false(r.ok);
  t.is(r.value, 503);
  t.regex(r.detail, /^503 in \d+ ms \(the proxy answered, the hub did not\)$/);
});

test('health: no answer at all is a retryable error, not a breach', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  process.env['JH_PROBES_TOKEN'] = 'x';
  const ctx = testCtx({ jupyterhub: { url: `http://127.0.0.1:${port}`, token: { env: 'JH_PROBES_TOKEN' } } });
  const err = await t.throwsAsync(healthProbe.check(ctx, {}, signal()), { instanceOf: TargetError });
  t.true(err.retryable);
  t.regex(err.message, /ECONNREFUSED/);
});

test('health: a 404 or a redirect means a wrong URL: a non-retryable error naming the setting', async (t) => {
  const server = createServer((req, res) => {
    if (req.url === '/a/hub/health') res.writeHead(404).end('nope');
    else res.writeHead(301, { location: 'https://elsewhere/hub/health' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env['JH_PROBES_TOKEN'] = 'x';
  for (const [url, words] of [[`${base}/a`, /HTTP 404 nope/], [`${base}/b`, /HTTP 301 redirected to https:\/\/elsewhere/]] as const) {
    const err = await t.throwsAsync(healthProbe.check(testCtx({ jupyterhub: { url, token: { env: 'JH_PROBES_TOKEN' } } }), {}, signal()), { instanceOf: TargetError });
    t.false(err.retryable);
    t.regex(err.message, words);
    t.regex(err.message, /targets\.jupyterhub\.url/);
  }
});

test('health: slower than maxLatency is a breach', async (t) => {
  const server = createServer((_req, res) => void setTimeout(() => res.writeHead(200).end(), 120));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  process.env['JH_PROBES_TOKEN'] = 'x';
  const ctx = testCtx({ jupyterhub: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: { env: 'JH_PROBES_TOKEN' } } });
  const r = await healthProbe.check(ctx, HealthParams.parse({ maxLatency: '50ms' }), signal());
  t.false(r.ok);
  t.regex(r.detail, /slower than 50ms/);
  t.true((await healthProbe.check(ctx, HealthParams.parse({ maxLatency: '5s' }), signal())).ok);
});

test('api: the count of ready servers is the value; pending or stopped servers do not count', async (t) => {
  const hub = await hubFor(t);
  hub.addUser('alice', { running: true });
  hub.addUser('bob', { running: true });
  hub.addUser('carol');
  hub.users.get('bob')!.server!.ready = false;
  hub.users.get('bob')!.server!.pending = 'stop';
  const r = await apiProbe.check(testCtx(scriptedSettings(hub)), ApiParams.parse({ minVersion: '3' }), signal());
  t.true(r.ok);
  t.is(r.value, 1);
  t.is(r.detail, 'JupyterHub 3.0.0, 1 server running');
});

test('api: a version below minVersion and fewer than minRunning are breaches, both listed', async (t) => {
  const hub = await hubFor(t);
  const r = await apiProbe.check(testCtx(scriptedSettings(hub)), ApiParams.parse({ minVersion: '3.1', minRunning: 1 }), signal());
  t.false(r.ok);
  t.is(r.detail, 'JupyterHub 3.0.0, 0 servers running (version below 3.1; fewer than 1 running)');
});

test('api: runningServers is judged against the baseline during the fault, and not in the before phase', async (t) => {
  const hub = await hubFor(t);
  for (const name of ['a', 'b', 'c']) hub.addUser(name, { running: true });
  const ctx = testCtx(scriptedSettings(hub));
  const p = ApiParams.parse({ runningServers: { maxDrop: 1 } });
  t.true((await apiProbe.check(ctx, p, signal(), { phase: 'before', baseline: undefined })).ok);
  t.true((await apiProbe.check(ctx, p, signal(), during(4))).ok);
  const r = await apiProbe.check(ctx, p, signal(), during(5));
  t.false(r.ok);
  t.is(r.detail, 'JupyterHub 3.0.0, 3 servers running, 5 before (dropped by 2 from 5 (maxDrop 1))');
  t.true((await apiProbe.check(ctx, p, signal(), during(undefined))).ok, 'no baseline: nothing to compare with');
});

test('api: an API that refuses the token is an error, not a breach', async (t) => {
  const hub = await hubFor(t);
  process.env['JH_PROBES_BAD'] = 'not-the-token';
  const ctx = testCtx({ jupyterhub: { url: hub.url, token: { env: 'JH_PROBES_BAD' } } });
  const err = await t.throwsAsync(apiProbe.check(ctx, ApiParams.parse({}), signal()), { instanceOf: TargetError });
  t.is(err.status, 403);
  t.false(err.retryable);
});

test('bounds: maxDrop and within, as counts or percentages of the baseline', (t) => {
  t.is(amountOf('10%', 30), 3);
  t.is(amountOf(2, 30), 2);
  t.is(boundBreach({ maxDrop: 2 }, 8, 10), undefined);
  t.is(boundBreach({ maxDrop: 2 }, 7, 10), 'dropped by 3 from 10 (maxDrop 2)');
  t.is(boundBreach({ maxDrop: 2 }, 50, 10), undefined, 'a rise is no drop');
  t.is(boundBreach({ within: '10%' }, 22, 20), undefined);
  t.is(boundBreach({ within: '10%' }, 23, 20), 'moved by 3 from 20 (within 10%)');
  t.is(boundBreach({ within: 0 }, 0, 0), undefined);
  t.false(BaselineBound.safeParse({}).success);
  t.false(BaselineBound.safeParse({ maxDrop: '10' }).success);
  t.false(BaselineBound.safeParse({ maxDrop: -1 }).success);
  t.false(ApiParams.safeParse({ runningServers: { maxdrop: 1 } }).success);
});

test('versions compare by their numeric parts', (t) => {
  t.true(versionAtLeast('3.0.0', '3'));
  t.true(versionAtLeast('3.1.1', '3.1'));
  t.true(versionAtLeast('4.0.0b1', '3.1.1'));
  t.false(versionAtLeast('3.0.0', '3.0.1'));
  t.false(versionAtLeast('2.3.1', '3'));
  t.false(ApiParams.safeParse({ minVersion: 'three' }).success);
});

test('routes: every ready server routed is ok; a ready server without a route is a breach naming it', async (t) => {
  const hub = await hubFor(t);
  hub.addUser('alice', { running: true });
  hub.addUser('bob', { running: true, route: false });
  hub.addUser('carol', { running: true });
  hub.addUser('dave');
  const ctx = testCtx(scriptedSettings(hub));
  const r = await routesProbe.check(ctx, RoutesParams.parse({}), signal());
  t.false(r.ok);
  t.is(r.value, 1);
  t.is(r.detail, '1 of 3 ready servers without a route: bob');
  t.true((await routesProbe.check(ctx, RoutesParams.parse({ maxMissing: 1 }), signal())).ok);
  hub.addUser('bob', { running: true });
  const after = await routesProbe.check(ctx, RoutesParams.parse({}), signal());
  t.true(after.ok);
  t.is(after.detail, '3 ready servers, every one routed');
});

test('routes: a route is matched by path when its data names no user', async (t) => {
  const hub = await hubFor(t);
  hub.addUser('alice', { running: true });
  hub.routes.set('/user/alice', { target: 'http://127.0.0.1:1' });
  const r = await routesProbe.check(testCtx(scriptedSettings(hub)), RoutesParams.parse({}), signal());
  t.true(r.ok);
});

test('routes: without a proxy API configured every check is a non-retryable error', async (t) => {
  const hub = await hubFor(t);
  process.env['JH_PROBES_TOKEN'] = 'x';
  const err = await t.throwsAsync(routesProbe.check(testCtx({ jupyterhub: { url: hub.url, token: { env: 'JH_PROBES_TOKEN' } } }), { maxMissing: 0 }, signal()), { instanceOf: TargetError });
  t.false(err.retryable);
  t.regex(err.message, /jupyterhub\.routes needs the proxy's API/);
});
