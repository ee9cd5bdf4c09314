import test from 'ava';
import { makeCtx } from '../../../src/experiments/ctx.js';
import { TargetError } from '../../../src/errors.js';
import { markerPath, MARKER_TARGET } from '../../../src/targets/jupyterhub/markers.js';
import { proxyRoutesDelete as fault, RoutesDeleteTarget } from '../../../src/targets/jupyterhub/proxy-routes-delete.js';
import type { Marker, RestorePlan } from '../../../src/targets/types.js';
import { memoryLogger } from '../../helpers/ctx.js';
import { scriptedSettings, startScriptedHub, type ScriptedHub } from './scripted-hub.js';

async function hubFor(t: { teardown(fn: () => Promise<void>): void }): Promise<ScriptedHub> {
  const hub = await startScriptedHub();
  t.teardown(() => hub.close());
  hub.addUser('alice', { running: true });
  hub.addUser('bob', { running: true });
  hub.addUser('carol');
  hub.addUser('admin-x', { running: true });
  return hub;
}

function setup(hub: ScriptedHub, runId = 'run-1') {
  const { log, lines } = memoryLogger();
  const ctx = makeCtx(runId, log, new AbortController().signal, scriptedSettings(hub));
  return { ctx, lines };
}

const marker = (n = 1): Marker => ({ runId: 'run-1', faultId: `run-1-f${n}`, experiment: 'drop-routes' });
const target = (users: string[]) => RoutesDeleteTarget.parse({ users });
const writes = (hub: ScriptedHub) => hub.seen.filter((s) => s.method !== 'GET');
const withoutActivity = (r: Record<string, unknown> | undefined) => {
  if (!r) return r;
  const { last_activity: _, ...rest } = r;
  return rest;
};

async function planFor(hub: ScriptedHub, user: string) {
  const { ctx, lines } = setup(hub);
  const refs = await fault.select(ctx, target([user]), {});
  const ref = refs.find((r) => r.name === user);
  if (!ref) throw new Error(`no ref for ${user}`);
  return { ctx, lines, ref, plan: await fault.plan(ctx, ref, {}) };
}

test('select lists the ready servers of the matching users as routes of one group; plan and select change nothing', async (t) => {
  const hub = await hubFor(t);
  hub.routes.delete('/user/bob');
  const { ctx } = setup(hub);
  const refs = await fault.select(ctx, target(['a*', 'bob', 'carol']), {});
  t.deepEqual(refs.map((r) => [r.id, r.name, r.ready]), [['/user/admin-x', 'admin-x', true], ['/user/alice', 'alice', true], ['/user/bob', 'bob', false]]);
  t.deepEqual(new Set(refs.map((r) => r.group)), new Set([hub.url]));
  t.deepEqual(refs[1]?.attributes, { user: 'alice', server: '', route: '/user/alice', target: String(hub.routes.get('/user/alice')?.['target']) });
  await fault.plan(ctx, refs[1]!, {});
  t.deepEqual(writes(hub), []);
  t.is(fault.describe(refs[1]!, {}), `delete proxy route /user/alice of alice (→ ${String(hub.routes.get('/user/alice')?.['target'])})`);
});

test('the plan captures the route\'s full data, without the proxy\'s last_activity', async (t) => {
  const hub = await hubFor(t);
  const before = withoutActivity(hub.routes.get('/user/alice'));
  const { plan } = await planFor(hub, 'alice');
  t.deepEqual(plan.data, { runId: 'run-1', route: '/user/alice', user: 'alice', server: '', saved: before });
});

test('inject adds the marker route before deleting the route; restore puts back exactly the saved route and removes the marker', async (t) => {
  const hub = await hubFor(t);
  const before = withoutActivity(hub.routes.get('/user/alice'));
  const { ctx, ref, plan } = await planFor(hub, 'alice');
  await fault.inject(ctx, ref, {}, marker());
  t.false(hub.routes.has('/user/alice'));
  const mark = hub.routes.get('/_gameday/run-1-f1');
  t.is(mark?.['target'], MARKER_TARGET);
  t.deepEqual(mark?.['gameday'], { runId: 'run-1', faultId: 'run-1-f1', experiment: 'drop-routes', type: 'jupyterhub.proxy.routes.delete' });
  t.deepEqual(mark?.['saved'], before);
  t.false('jupyterhub' in (mark ?? {}), 'the hub must not adopt or delete the marker');
  t.deepEqual(writes(hub).map((w) => `${w.method} ${w.url}`), ['POST /api/routes/_gameday/run-1-f1', 'DELETE /api/routes/user/alice']);
  t.true(hub.routes.has('/user/bob'), 'other routes untouched');

  await fault.restore(ctx, plan);
  t.deepEqual(withoutActivity(hub.routes.get('/user/alice')), before);
  t.false([...hub.routes.keys()].some((k) => k.startsWith('/_gameday/')));
  const verified = await fault.verify!(ctx, plan);
  t.true(verified.ok);
  t.is(verified.detail, `route /user/alice → ${String(before?.['target'])}`);
});

test('inject twice, restore twice, and restore without inject are harmless', async (t) => {
  const hub = await hubFor(t);
  const before = withoutActivity(hub.routes.get('/user/alice'));
  const { ctx, ref, plan } = await planFor(hub, 'alice');
  await fault.restore(ctx, plan);
  t.deepEqual(writes(hub).map((w) => w.method), [], 'restore without inject changes nothing');
  await fault.inject(ctx, ref, {}, marker());
  await fault.inject(ctx, ref, {}, marker());
  t.deepEqual(writes(hub).map((w) => w.method), ['POST', 'DELETE'], 'the second inject found the marker and did nothing');
  await fault.restore(ctx, plan);
  await fault.restore(ctx, plan);
  t.deepEqual(withoutActivity(hub.routes.get('/user/alice')), before);
  t.deepEqual([...hub.routes.keys()].sort(), ['/', '/user/admin-x', '/user/alice', '/user/bob']);
});

test('a route the hub re-added is left as the hub made it, and the re-add is logged', async (t) => {
  const hub = await hubFor(t);
  const { ctx, lines, ref, plan } = await planFor(hub, 'alice');
  await fault.inject(ctx, ref, {}, marker());
  const readded = { user: 'alice', server_name: '', target: 'http://127.0.0.1:55555', jupyterhub: true, last_activity: 'x' };
  hub.routes.set('/user/alice', readded);
  await fault.restore(ctx, plan);
  t.is(hub.routes.get('/user/alice')?.['target'], 'http://127.0.0.1:55555');
  t.false(hub.routes.has('/_gameday/run-1-f1'));
  await new Promise((r) => setImmediate(r));
  t.true(lines.some((l) => l['message'] === 'jupyterhub: the hub re-added the route itself before restore; left as it is' && l['route'] === '/user/alice'));
  const v = await fault.verify!(ctx, plan);
  t.false(v.ok, 'a route to another target is not the saved one');
  t.regex(v.detail, /not the saved/);
});

test('a server stopped while its route was deleted does not get its old route back; verify accepts that', async (t) => {
  const hub = await hubFor(t);
  const { ctx, ref, plan } = await planFor(hub, 'alice');
  await fault.inject(ctx, ref, {}, marker());
  delete hub.users.get('alice')!.server;
  await fault.restore(ctx, plan);
  t.false(hub.routes.has('/user/alice'));
  t.false(hub.routes.has('/_gameday/run-1-f1'));
  const v = await fault.verify!(ctx, plan);
  t.true(v.ok);
  t.regex(v.detail, /no longer runs/);
});

test('a proxy that restarted (routes and markers gone) gets the route back, and the restart is logged', async (t) => {
  const hub = await hubFor(t);
  const before = withoutActivity(hub.routes.get('/user/alice'));
  const { ctx, lines, ref, plan } = await planFor(hub, 'alice');
  await fault.inject(ctx, ref, {}, marker());
  hub.restartProxy();
  await fault.restore(ctx, plan);
  t.deepEqual(withoutActivity(hub.routes.get('/user/alice')), before);
  await new Promise((r) => setImmediate(r));
  t.true(lines.some((l) => String(l['message']).includes('did the proxy restart')));
});

test('leftovers are found from the marker routes alone and restored without the journal', async (t) => {
  const hub = await hubFor(t);
  const before = { alice: withoutActivity(hub.routes.get('/user/alice')), bob: withoutActivity(hub.routes.get('/user/bob')) };
  const { ctx } = setup(hub);
  const refs = await fault.select(ctx, target(['alice', 'bob']), {});
  for (const [i, ref] of refs.entries()) await fault.inject(ctx, ref, {}, marker(i + 1));
  hub.routes.set('/_gameday/not-ours', { target: 'http://127.0.0.1:9', something: 'else' });
  const fresh = setup(hub, 'recovery-run').ctx;
  const plans: RestorePlan[] = await fault.findLeftovers!(fresh);
  t.deepEqual(plans.map((p) => [p.target.id, (p.data as Record<string, unknown>)['faultId'], (p.data as Record<string, unknown>)['runId']]), [
    ['/user/alice', 'run-1-f1', 'run-1'],
    ['/user/bob', 'run-1-f2', 'run-1'],
  ]);
  for (const plan of plans) await fault.restore(fresh, plan);
  t.deepEqual(withoutActivity(hub.routes.get('/user/alice')), before.alice);
  t.deepEqual(withoutActivity(hub.routes.get('/user/bob')), before.bob);
  t.deepEqual([...hub.routes.keys()].filter((k) => k.startsWith('/_gameday/')), ['/_gameday/not-ours'], 'a route that is not a well-formed marker is left alone');
  t.deepEqual(await fault.findLeftovers!(fresh), []);
});

test('a route already marked as deleted is selected as not ready', async (t) => {
  const hub = await hubFor(t);
  const { ctx, ref } = await planFor(hub, 'alice');
  await fault.inject(ctx, ref, {}, marker());
  hub.routes.set('/user/alice', { user: 'alice', server_name: '', target: 'http://127.0.0.1:1', jupyterhub: true });
  const refs = await fault.select(ctx, target(['alice']), {});
  t.false(refs[0]?.ready);
});

test('without a proxy API the fault refuses to select; without a hub configured there are no leftovers', async (t) => {
  const hub = await hubFor(t);
  process.env['JH_FAULT_TOKEN'] = 'x';
  const ctx = makeCtx('r', memoryLogger().log, new AbortController().signal, { jupyterhub: { url: hub.url, token: { env: 'JH_FAULT_TOKEN' } } });
  const err = await t.throwsAsync(fault.select(ctx, target(['*']), {}), { instanceOf: TargetError });
  t.false(err.retryable);
  t.regex(err.message, /jupyterhub\.proxy\.routes\.delete needs the proxy's API/);
  t.deepEqual(await fault.findLeftovers!(ctx), []);
  t.deepEqual(await fault.findLeftovers!(makeCtx('r', memoryLogger().log, new AbortController().signal, {})), []);
});

test('a plan whose route vanished since selection is refused; an unreadable plan is a non-retryable error', async (t) => {
  const hub = await hubFor(t);
  const { ctx } = setup(hub);
  const [ref] = await fault.select(ctx, target(['alice']), {});
  hub.routes.delete('/user/alice');
  const err = await t.throwsAsync(fault.plan(ctx, ref!, {}), { instanceOf: TargetError });
  t.regex(err.message, /no route \/user\/alice/);
  const bad = await t.throwsAsync(fault.restore(ctx, { type: fault.type, target: ref!, data: { route: 'x' } }), { instanceOf: TargetError });
  t.false(bad.retryable);
});

test('target and marker inputs are checked', (t) => {
  t.false(RoutesDeleteTarget.safeParse({}).success);
  t.false(RoutesDeleteTarget.safeParse({ users: [] }).success);
  t.false(RoutesDeleteTarget.safeParse({ users: ['a'], namespace: 'x' }).success);
  t.false(fault.params.safeParse({ grace: 1 }).success);
  t.is(markerPath('20260101-x-ab12-f1'), '/_gameday/20260101-x-ab12-f1');
  t.throws(() => markerPath('../evil'), { instanceOf: TargetError });
});
