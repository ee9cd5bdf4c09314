import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import { SpawnParams, spawnProbe } from '../../../src/targets/jupyterhub/spawn.js';
import { memoryLogger } from '../../helpers/ctx.js';
import { waitFor } from '../../helpers/lab-env.js';
import { makeCtx } from '../../../src/experiments/ctx.js';
import { scriptedSettings, startScriptedHub, type ScriptedHub } from './scripted-hub.js';

async function hubFor(t: { teardown(fn: () => Promise<void>): void }, script = {}): Promise<ScriptedHub> {
  const hub = await startScriptedHub(script);
  t.teardown(() => hub.close());
  return hub;
}

function setup(hub: ScriptedHub) {
  const { log, lines } = memoryLogger();
  const ctx = makeCtx('spawn-test', log, new AbortController().signal, scriptedSettings(hub));
  return { ctx, lines };
}

const params = (p: Record<string, unknown> = {}) => SpawnParams.parse(p);
const serverOf = (hub: ScriptedHub, name = 'gameday-probe') => hub.users.get(name)?.server;
const signal = (): AbortSignal => new AbortController().signal;

test('the journey creates the test user, spawns, answers through the proxy and stops; value is the spawn time', async (t) => {
  const hub = await hubFor(t, { spawnMs: 80 });
  const { ctx } = setup(hub);
  const r = await spawnProbe.check(ctx, params({ maxSpawnTime: '5s' }), signal());
  t.true(r.ok, r.detail);
  t.true(typeof r.value === 'number' && r.value >= 0.08 && r.value < 2, String(r.value));
  t.regex(r.detail, /^gameday-probe: spawned in \d+\.\d\d s \(ready after \d+\.\d\d s, answering through the proxy \d+\.\d\d s later\); stopped in \d+\.\d\d s; created user gameday-probe$/);
  t.is(serverOf(hub), undefined);
  const calls = hub.seen.filter((s) => s.method !== 'GET' || s.url.includes('/api/status')).map((s) => `${s.method} ${s.url}`);
  t.deepEqual(calls, [
    'POST /hub/api/users/gameday-probe',
    'POST /hub/api/users/gameday-probe/server',
    'GET /user/gameday-probe/api/status',
    'DELETE /hub/api/users/gameday-probe/server',
  ]);
});

test('a spawn slower than the hub holds the request (202) is waited for by polling the user', async (t) => {
  const hub = await hubFor(t, { spawnMs: 400, slowMs: 50 });
  const { ctx } = setup(hub);
  const r = await spawnProbe.check(ctx, params(), signal());
  t.true(r.ok, r.detail);
  t.true((r.value as number) >= 0.4);
  t.true(hub.seen.filter((s) => s.url === '/hub/api/users/gameday-probe').length >= 2);
});

test('a server of the test user already there is stopped first, and the detail says so', async (t) => {
  const hub = await hubFor(t);
  hub.addUser('gameday-probe', { running: true });
  const { ctx } = setup(hub);
  const r = await spawnProbe.check(ctx, params(), signal());
  t.true(r.ok, r.detail);
  t.regex(r.detail, /its server was already there \(left by an earlier check\?\): stopped it first/);
  t.is(serverOf(hub), undefined);
});

test('a spawn that fails is a breach, and nothing is left running', async (t) => {
  const hub = await hubFor(t, { failSpawn: true, spawnMs: 50, slowMs: 10 });
  const { ctx } = setup(hub);
  const r = await spawnProbe.check(ctx, params(), signal());
  t.false(r.ok);
  t.is(r.value, null);
  t.regex(r.detail, /the spawn failed: the server went away before it was ready/);
  t.is(serverOf(hub), undefined);
});

test('a ready server the proxy does not route to is a breach after answerWithin; it is stopped', async (t) => {
  const hub = await hubFor(t, { addRoutes: false });
  const { ctx } = setup(hub);
  const r = await spawnProbe.check(ctx, params({ answerWithin: '300ms' }), signal());
  t.false(r.ok);
  t.regex(r.detail, /but no answer through the proxy within 300ms \(last: 302 to \/hub\/user\/gameday-probe\/api\/status: the proxy has no route for it\)/);
  t.is(serverOf(hub), undefined);
});

test('a spawn slower than maxSpawnTime is a breach at maxSpawnTime; the pending server is stopped once it can be', async (t) => {
  const hub = await hubFor(t, { spawnMs: 600, slowMs: 20 });
  const { ctx } = setup(hub);
  const start = Date.now();
  const r = await spawnProbe.check(ctx, params({ maxSpawnTime: '150ms' }), signal());
  t.false(r.ok);
  t.regex(r.detail, /not ready after 150ms \(maxSpawnTime; pending spawn\)/);
  t.regex(r.detail, /stopped in/);
  t.is(serverOf(hub), undefined);
  t.true(Date.now() - start < 3000);
  t.true(hub.seen.some((s) => s.method === 'DELETE'), 'the stop was asked');
});

test('a check aborted mid-spawn throws, and its cleanup still stops the server with its own deadline', async (t) => {
  const hub = await hubFor(t, { spawnMs: 300, slowMs: 20 });
  const { ctx, lines } = setup(hub);
  const ac = new AbortController();
  const check = spawnProbe.check(ctx, params(), ac.signal);
  await waitFor(() => serverOf(hub)?.pending === 'spawn', 3000, 'the spawn to be pending');
  ac.abort(new Error('probe deadline'));
  const err = await t.throwsAsync(check, { instanceOf: TargetError });
  t.regex(err.message, /aborted/);
  t.is(serverOf(hub), undefined);
  // the logger hands its lines over asynchronously
  await waitFor(() => lines.some((l) => l['message'] === 'spawn probe stopped its server' && l['why'] === 'the check was aborted'), 2000, 'the cleanup log line');
  t.pass();
});

test('the next check waits for an aborted check\'s cleanup before starting', async (t) => {
  const hub = await hubFor(t, { spawnMs: 150, slowMs: 10, stopMs: 200 });
  const { ctx } = setup(hub);
  const ac = new AbortController();
  const first = spawnProbe.check(ctx, params(), ac.signal);
  await waitFor(() => serverOf(hub)?.ready, 3000, 'the first spawn to be ready');
  ac.abort();
  await t.throwsAsync(first);
  const r = await spawnProbe.check(ctx, params(), signal());
  t.true(r.ok, r.detail);
  t.notRegex(r.detail, /already there/);
});

test('a stop that does not finish within stopWithin is a breach; the cleanup goes on in the background', async (t) => {
  const hub = await hubFor(t, { slowMs: 20, stopMs: 600 });
  const { ctx } = setup(hub);
  const r = await spawnProbe.check(ctx, params({ stopWithin: '150ms' }), signal());
  t.false(r.ok);
  t.regex(r.detail, /not stopped within 150ms \(pending stop\)/);
  t.regex(r.detail, /the server did not stop/);
  await waitFor(() => serverOf(hub) === undefined, 3000, 'the background cleanup');
});

test('a token without access to servers is a non-retryable error; the server is stopped', async (t) => {
  const hub = await hubFor(t, { denyServerAccess: true });
  const { ctx } = setup(hub);
  const err = await t.throwsAsync(spawnProbe.check(ctx, params(), signal()), { instanceOf: TargetError });
  t.false(err.retryable);
  t.regex(err.message, /HTTP 403 Forbidden \(the token needs the access:servers scope\)/);
  t.is(serverOf(hub), undefined);
});

test('an admin user is refused before anything is started', async (t) => {
  const hub = await hubFor(t);
  hub.addUser('root-admin', { admin: true });
  const { ctx } = setup(hub);
  const err = await t.throwsAsync(spawnProbe.check(ctx, params({ user: 'root-admin' }), signal()), { instanceOf: TargetError });
  t.false(err.retryable);
  t.regex(err.message, /user root-admin is an admin/);
  t.false(hub.seen.some((s) => s.method === 'POST' || s.method === 'DELETE'));
});

test('params: a user name the hub would rewrite is refused; durations are checked', (t) => {
  t.is(params().user, 'gameday-probe');
  t.false(SpawnParams.safeParse({ user: 'Alice' }).success);
  t.false(SpawnParams.safeParse({ user: '../x' }).success);
  t.false(SpawnParams.safeParse({ maxSpawnTime: 60 }).success);
  t.false(SpawnParams.safeParse({ stopWithin: '0s' }).success);
  t.false(SpawnParams.safeParse({ timeout: '2m' }).success, 'timeout is the engine\'s key, not the probe\'s');
});
