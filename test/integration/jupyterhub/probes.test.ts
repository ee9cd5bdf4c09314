/**
 * The jupyterhub probes against the real JupyterHub 3.0 behind the real
 * configurable-http-proxy 4.6.3, with real single-user servers: health, the API and its
 * count of running servers, the spawn journey (its spawn time measured), the routes check,
 * and the health probe while the real hub is SIGKILLed. Every result is compared with what
 * the hub and the proxy say through plain fetch. Fails (never skips) when the hub is not up.
 */
import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import { ApiParams, apiProbe } from '../../../src/targets/jupyterhub/api.js';
import { HealthParams, healthProbe } from '../../../src/targets/jupyterhub/health.js';
import { RoutesParams, routesProbe } from '../../../src/targets/jupyterhub/routes.js';
import { SpawnParams, spawnProbe } from '../../../src/targets/jupyterhub/spawn.js';
import { ensureRunning, ensureStopped, hubCtx, PROBE_USER, proxyRoutes, serverOf, TEST_USERS, until } from './hub-state.js';
import { realJupyterHub } from './real-jupyterhub.js';

const signal = (): AbortSignal => new AbortController().signal;

test.before(async () => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  for (const name of TEST_USERS) await ensureRunning(hub, name);
});

test.after.always(async () => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  for (const name of [...TEST_USERS, PROBE_USER]) await ensureStopped(hub, name);
});

test.serial('jupyterhub.health: the real hub answers 200 through the real proxy', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const r = await healthProbe.check(hubCtx(hub).ctx, HealthParams.parse({ maxLatency: '2s' }), signal());
  t.true(r.ok, r.detail);
  t.is(r.value, 200);
});

test.serial('jupyterhub.api: the version the hub reports, and its ready servers counted as the hub lists them', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const res = await hub.api('GET', '/users?state=ready');
  const listed = ((await res.json()) as { servers: Record<string, { ready: boolean }> }[]).reduce((n, u) => n + Object.values(u.servers).filter((s) => s.ready).length, 0);
  const version = ((await (await fetch(`${hub.apiUrl}`)).json()) as { version: string }).version;
  const { ctx } = hubCtx(hub);
  const p = ApiParams.parse({ minVersion: '3', minRunning: 2, runningServers: { maxDrop: 0 } });
  const before = await apiProbe.check(ctx, p, signal(), { phase: 'before', baseline: undefined });
  t.true(before.ok, before.detail);
  t.is(before.value, listed);
  t.true(listed >= TEST_USERS.length);
  t.regex(before.detail, new RegExp(`^JupyterHub ${version.replace(/\./g, '\\.')}, ${listed} servers running$`));
  const dropped = await apiProbe.check(ctx, p, signal(), { phase: 'during', baseline: listed + 2 });
  t.false(dropped.ok);
  t.regex(dropped.detail, /dropped by 2/);
});

test.serial('jupyterhub.spawn: a real single-user server is spawned, answers through the proxy, and is stopped', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const r = await spawnProbe.check(hubCtx(hub).ctx, SpawnParams.parse({ user: PROBE_USER, maxSpawnTime: '60s' }), signal());
  t.true(r.ok, r.detail);
  t.true(typeof r.value === 'number' && r.value > 0 && r.value < 60);
  t.log(`spawn time ${String(r.value)} s — ${r.detail}`);
  t.is(await serverOf(hub, PROBE_USER), undefined, 'the hub lists no server for the probe user afterwards');
  t.false(Object.keys(await proxyRoutes(hub)).includes(`/user/${PROBE_USER}`), 'no route left for it');
});

test.serial('jupyterhub.spawn: a check aborted mid-spawn still stops the real server', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const ac = new AbortController();
  const check = spawnProbe.check(hubCtx(hub).ctx, SpawnParams.parse({ user: PROBE_USER }), ac.signal);
  await until('the spawn to begin', 30_000, async () => (await serverOf(hub, PROBE_USER)) !== undefined);
  ac.abort(new Error('probe deadline'));
  const err = await t.throwsAsync(check, { instanceOf: TargetError });
  t.regex(err.message, /aborted/);
  t.is(await serverOf(hub, PROBE_USER), undefined, 'stopped by the cleanup before the check settled');
});

test.serial('jupyterhub.routes: every ready server is routed; a route deleted behind the hub\'s back is a breach naming its user, until the hub re-adds it', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const { ctx } = hubCtx(hub);
  const p = RoutesParams.parse({});
  const ok = await routesProbe.check(ctx, p, signal());
  t.true(ok.ok, ok.detail);
  t.is(ok.value, 0);
  const victim = TEST_USERS[0];
  const del = await fetch(`${hub.proxyApiUrl}/api/routes/user/${victim}`, { method: 'DELETE', headers: { Authorization: `token ${hub.proxyToken}` } });
  t.is(del.status, 204);
  const deletedAt = Date.now();
  const breach = await routesProbe.check(ctx, p, signal());
  t.false(breach.ok);
  t.is(breach.value, 1);
  t.regex(breach.detail, new RegExp(`without a route: ${victim}$`));
  await until('the hub to re-add the route', 30_000, async () => (await routesProbe.check(ctx, p, signal())).ok);
  t.log(`the hub re-added /user/${victim} ${((Date.now() - deletedAt) / 1000).toFixed(1)} s after it was deleted (last_activity_interval)`);
});

test.serial('jupyterhub.health with the hub SIGKILLed: a 503 breach in milliseconds at every phase it runs, never a hang; ok once the hub is back', async (t) => {
  const hub = await realJupyterHub();
  await hub.ensureHubUp();
  const { ctx } = hubCtx(hub);
  const p = HealthParams.parse({});
  const before = await healthProbe.check(ctx, p, signal(), { phase: 'before', baseline: undefined });
  t.true(before.ok);
  const pid = hub.hubPid();
  if (pid === undefined) throw new Error(`no live hub in ${hub.hubPidFile}`);
  process.kill(pid, 'SIGKILL');
  try {
    const breach = await until('a breach from the health probe', 10_000, async () => {
      const r = await healthProbe.check(ctx, p, signal(), { phase: 'during', baseline: 200 });
      return r.ok ? undefined : r;
    });
    t.is(breach.value, 503);
    t.regex(breach.detail, /^503 in \d+ ms \(the proxy answered, the hub did not\)$/);
    const start = performance.now();
    for (let i = 0; i < 5; i++) t.false((await healthProbe.check(ctx, p, signal(), { phase: 'during', baseline: 200 })).ok);
    const perCheck = (performance.now() - start) / 5;
    t.true(perCheck < 1000, `${perCheck} ms per check`);
    t.log(`health check with the hub dead: ${perCheck.toFixed(1)} ms per check`);
  } finally {
    await hub.ensureHubUp();
  }
  const after = await healthProbe.check(ctx, p, signal(), { phase: 'after', baseline: 200 });
  t.true(after.ok, after.detail);
});
