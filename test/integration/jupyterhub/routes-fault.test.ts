/**
 * `jupyterhub.proxy.routes.delete` on the real configurable-http-proxy in front of the real
 * hub: the route really goes (the user's requests fall through to the hub), its marker
 * route is there while it does, restore puts back exactly the saved route, the hub's own
 * re-add (on its route check) is observed and left alone, a restarted gameday restores from
 * the marker alone, and a whole run through the CLI passes with nothing left behind. Every
 * check reads the proxy's API and the hub's REST API with plain fetch.
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../../src/experiments/journal.js';
import { proxyRoutesDelete as fault, RoutesDeleteTarget } from '../../../src/targets/jupyterhub/proxy-routes-delete.js';
import type { Marker } from '../../../src/targets/types.js';
import { gameday } from '../../helpers/cli.js';
import {
  ensureRunning, ensureStopped, hubCtx, PROBE_USER, proxyRoutes, removeMarkers, statusThroughProxy, TEST_USERS, until, withoutActivity,
} from './hub-state.js';
import { realJupyterHub, type RealJupyterHub } from './real-jupyterhub.js';

const [ALPHA, BETA] = TEST_USERS;

async function ready(): Promise<RealJupyterHub> {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  for (const name of TEST_USERS) await ensureRunning(hub, name);
  await until('every test user routed', 30_000, async () => {
    const routes = await proxyRoutes(hub);
    return TEST_USERS.every((u) => routes[`/user/${u}`] !== undefined);
  });
  return hub;
}

const marker = (runId: string, n = 1): Marker => ({ runId, faultId: `${runId}-f${n}`, experiment: 'it-drop-routes' });

test.afterEach.always(async () => {
  const hub = await realJupyterHub();
  await removeMarkers(hub);
});

test.after.always(async () => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  for (const name of [...TEST_USERS, PROBE_USER]) await ensureStopped(hub, name);
});

test.serial('inject deletes the real route after marking it; the user falls through to the hub; restore puts back exactly the route', async (t) => {
  const hub = await ready();
  const { ctx } = hubCtx(hub, 'it-exact');
  const refs = await fault.select(ctx, RoutesDeleteTarget.parse({ users: ['jh-it-*'] }), {});
  t.deepEqual(refs.map((r) => r.name), [...TEST_USERS]);
  t.true(refs.every((r) => r.ready && r.group === hub.url));
  const ref = refs[0]!;
  const saved = withoutActivity((await proxyRoutes(hub))[`/user/${ALPHA}`]);
  t.is(saved?.['user'], ALPHA);
  const plan = await fault.plan(ctx, ref, {});
  t.deepEqual((plan.data as Record<string, unknown>)['saved'], saved);

  // The hub re-adds missing routes every few seconds: a look is judged only if the route
  // was still missing after it; otherwise the fault is injected again and looked at again.
  let judged = false;
  for (let attempt = 1; attempt <= 3 && !judged; attempt++) {
    await fault.inject(ctx, ref, {}, marker('it-exact'));
    const during = await proxyRoutes(hub);
    t.false(`/user/${ALPHA}` in during);
    t.true(`/user/${BETA}` in during, 'the other user keeps its route');
    const mark = during['/_gameday/it-exact-f1'];
    t.is(mark?.['route'], `/user/${ALPHA}`);
    t.deepEqual(mark?.['saved'], saved);
    const status = await statusThroughProxy(hub, ALPHA);
    if (`/user/${ALPHA}` in (await proxyRoutes(hub))) continue;
    t.is(status, 302, 'without its route the request goes to the hub, which redirects');
    t.is(await statusThroughProxy(hub, BETA), 200);
    judged = true;
  }
  t.true(judged, 'the hub re-added the route before every look');

  await fault.restore(ctx, plan);
  const after = await proxyRoutes(hub);
  t.deepEqual(withoutActivity(after[`/user/${ALPHA}`]), saved);
  t.false(Object.keys(after).some((p) => p.startsWith('/_gameday/')));
  t.is(await statusThroughProxy(hub, ALPHA), 200);
  t.true((await fault.verify!(ctx, plan)).ok);
  await fault.restore(ctx, plan);
  t.deepEqual(withoutActivity((await proxyRoutes(hub))[`/user/${ALPHA}`]), saved, 'a second restore changes nothing');
});

test.serial('the real hub re-adds a deleted route on its route check; restore then leaves it and records the re-add', async (t) => {
  const hub = await ready();
  const { ctx, lines } = hubCtx(hub, 'it-readd');
  const [ref] = await fault.select(ctx, RoutesDeleteTarget.parse({ users: [BETA] }), {});
  const plan = await fault.plan(ctx, ref!, {});
  await fault.inject(ctx, ref!, {}, marker('it-readd'));
  const deletedAt = Date.now();
  await until('the hub to re-add the route', 30_000, async () => `/user/${BETA}` in (await proxyRoutes(hub)));
  t.log(`re-added by the hub ${((Date.now() - deletedAt) / 1000).toFixed(1)} s after the deletion`);
  const readded = (await proxyRoutes(hub))[`/user/${BETA}`];
  t.true('/_gameday/it-readd-f1' in (await proxyRoutes(hub)), 'the hub left the marker alone');

  await fault.restore(ctx, plan);
  const after = await proxyRoutes(hub);
  t.deepEqual(after[`/user/${BETA}`], readded, 'left exactly as the hub made it (last_activity included)');
  t.false('/_gameday/it-readd-f1' in after);
  await until('the re-add log line', 2_000, () => lines.some((l) => l['message'] === 'jupyterhub: the hub re-added the route itself before restore; left as it is'));
  t.true((await fault.verify!(ctx, plan)).ok);
});

test.serial('a restarted gameday finds the marker routes and restores from them alone', async (t) => {
  const hub = await ready();
  const { ctx } = hubCtx(hub, 'it-crashed');
  const refs = await fault.select(ctx, RoutesDeleteTarget.parse({ users: ['jh-it-*'] }), {});
  const saved = Object.fromEntries(Object.entries(await proxyRoutes(hub)).map(([k, v]) => [k, withoutActivity(v)]));
  for (const [i, ref] of refs.entries()) await fault.inject(ctx, ref, {}, marker('it-crashed', i + 1));

  const fresh = hubCtx(hub, 'it-recovery').ctx;
  const plans = await fault.findLeftovers!(fresh);
  t.deepEqual(plans.map((p) => p.target.id), TEST_USERS.map((u) => `/user/${u}`));
  t.true(plans.every((p) => (p.data as Record<string, unknown>)['runId'] === 'it-crashed'));
  for (const plan of plans) await fault.restore(fresh, plan);
  const after = await proxyRoutes(hub);
  for (const u of TEST_USERS) t.deepEqual(withoutActivity(after[`/user/${u}`]), saved[`/user/${u}`]);
  t.false(Object.keys(after).some((p) => p.startsWith('/_gameday/')));
  t.deepEqual(await fault.findLeftovers!(fresh), []);
});

test.serial('a whole run through the CLI: one route dropped, steady state checked by every jupyterhub probe, nothing left behind', async (t) => {
  const hub = await ready();
  const dir = mkdtempSync(join(tmpdir(), 'gameday-it-jh-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = join(dir, 'gameday.db');
  const config = join(dir, 'gameday.yaml');
  writeFileSync(config, [
    `store: { path: ${store} }`,
    'log: { format: json }',
    'safety: { maxUnavailable: 1 }',
    'restore: { attempts: 3, initialDelay: 500ms, maxDelay: 5s }',
    'targets:',
    '  jupyterhub:',
    `    url: "${hub.url}"`,
    `    token: { file: ${hub.tokenFile} }`,
    `    proxyApiUrl: "${hub.proxyApiUrl}"`,
    `    proxyToken: { file: ${hub.proxyTokenFile} }`,
    '',
  ].join('\n'));
  const experiment = join(dir, 'drop-a-route.yaml');
  writeFileSync(experiment, `apiVersion: gameday/v1
kind: Experiment
metadata: { name: it-drop-a-route }
spec:
  fault:
    type: jupyterhub.proxy.routes.delete
    target: { users: ["jh-it-*"], count: 1 }
    duration: 2s
  steadyState:
    interval: 500ms
    probes:
      - { name: hub-up, type: jupyterhub.health, phases: [before, during, after] }
      - { name: servers-stay, type: jupyterhub.api, minVersion: "3", runningServers: { maxDrop: 0 }, phases: [before, during, after] }
      - { name: all-routed, type: jupyterhub.routes, phases: [before, after], timeout: 10s }
      - { name: can-spawn, type: jupyterhub.spawn, user: ${PROBE_USER}, maxSpawnTime: 60s, timeout: 2m, phases: [after] }
  recovery: { within: 2m }
`);
  const run = gameday(['--config', config, 'run', experiment]);
  t.teardown(async () => {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGINT');
      await run.exited;
    }
  });
  const code = await run.exited;
  t.is(code, 0, run.output());
  const journal = Journal.open(store);
  t.teardown(() => journal.close());
  const [record] = journal.listRuns();
  t.is(record?.outcome, 'passed', record?.reason ?? '');
  const detail = journal.getRun(record!.id)!;
  t.deepEqual(detail.faults.map((f) => [f.type, f.status]), [['jupyterhub.proxy.routes.delete', 'restored']]);
  const routes = await proxyRoutes(hub);
  t.true(TEST_USERS.every((u) => `/user/${u}` in routes));
  t.false(Object.keys(routes).some((p) => p.startsWith('/_gameday/')));
  t.log(`run ${record!.id}: ${record!.outcome} in ${((record!.endedAt ?? 0) - record!.startedAt) / 1000} s`);
});
