/**
 * The jupyterhub probes and the routes fault against the built-in lab, unchanged from how
 * they talk to the real hub: the lab's hub and proxy answer the real wire protocols, and its
 * world is coupled (deleting the hub pod takes /hub/* away until the Deployment replaces
 * it; the hub re-adds missing routes on its route check).
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCtx } from '../../../src/experiments/ctx.js';
import { validateExperimentText } from '../../../src/experiments/load.js';
import { runExperiment } from '../../../src/experiments/runner.js';
import { startLab, type Lab, type LabOptions } from '../../../src/lab/index.js';
import { proxyRoutesDelete as fault, RoutesDeleteTarget } from '../../../src/targets/jupyterhub/proxy-routes-delete.js';
import { faultTypes, probeTypes } from '../../../src/targets/registry.js';
import type { Ctx } from '../../../src/targets/types.js';
import { memoryLogger } from '../../helpers/ctx.js';
import { labEnv, waitFor } from '../../helpers/lab-env.js';

const check = (ctx: Ctx, type: string, params: Record<string, unknown> = {}) => {
  const probe = probeTypes.get(type)!;
  return probe.check(ctx, probe.params.parse(params), AbortSignal.timeout(30_000));
};

/** `targets.jupyterhub` for a lab, its tokens in files (as `gameday lab` is to write them). */
function hubSettings(lab: Lab, dir: string): Record<string, unknown> {
  writeFileSync(join(dir, 'api-token'), 'lab-hub-token\n', { mode: 0o600 });
  writeFileSync(join(dir, 'proxy-token'), 'lab-proxy-token\n', { mode: 0o600 });
  return {
    url: lab.endpoints.jupyterhub,
    token: { file: join(dir, 'api-token') },
    proxyApiUrl: lab.endpoints.proxyApi,
    proxyToken: { file: join(dir, 'proxy-token') },
    timeout: '5s',
  };
}

async function withHubLab(t: ExecutionContext, options: LabOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-jh-lab-'));
  const lab = await startLab({ speed: 20, ports: { kubernetes: 0, jupyterhub: 0, openstack: 0, glusterfs: 0, prometheus: 0, proxyApi: 0 }, ...options });
  t.teardown(async () => {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { log, lines } = memoryLogger();
  const ctx = makeCtx('lab-run', log, new AbortController().signal, { jupyterhub: hubSettings(lab, dir) });
  return { lab, ctx, lines };
}

async function routesOf(lab: Lab): Promise<Record<string, Record<string, unknown>>> {
  const res = await fetch(`${lab.endpoints.proxyApi}/api/routes`, { headers: { Authorization: 'token lab-proxy-token' } });
  return (await res.json()) as Record<string, Record<string, unknown>>;
}

test('every probe passes on a healthy lab; the API counts its six running user servers', async (t) => {
  const { ctx } = await withHubLab(t);
  const health = await check(ctx, 'jupyterhub.health');
  t.true(health.ok, health.detail);
  const api = await check(ctx, 'jupyterhub.api', { minVersion: '3', minRunning: 6 });
  t.true(api.ok, api.detail);
  t.is(api.value, 6);
  const routes = await check(ctx, 'jupyterhub.routes');
  t.true(routes.ok, routes.detail);
  t.is(routes.detail, '6 ready servers, every one routed');
  const spawn = await check(ctx, 'jupyterhub.spawn', { maxSpawnTime: '5m' });
  t.true(spawn.ok, spawn.detail);
  t.true(typeof spawn.value === 'number' && spawn.value > 0);
  t.is((await check(ctx, 'jupyterhub.api')).value, 6, 'the probe user\'s server is gone again');
});

test('deleting the hub pod makes health a 503 breach (not an error) until the Deployment brings the hub back', async (t) => {
  const env = await labEnv(20);
  t.teardown(() => env.close());
  const dir = mkdtempSync(join(tmpdir(), 'gameday-jh-lab-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ctx = makeCtx('lab-run', memoryLogger().log, new AbortController().signal, { ...env.targets, jupyterhub: hubSettings(env.lab, dir) });
  t.true((await check(ctx, 'jupyterhub.health')).ok);
  const podDelete = faultTypes.get('kubernetes.pod.delete')!;
  const [hubPod] = await podDelete.select(ctx, { namespace: 'jhub', labelSelector: 'component=hub' }, {});
  await podDelete.inject(ctx, hubPod!, { gracePeriod: '0s' }, { runId: 'lab-run', faultId: 'lab-run-f1', experiment: 'x' });
  const breach = await waitFor(async () => {
    const r = await check(ctx, 'jupyterhub.health');
    return r.ok ? undefined : r;
  }, 10_000, 'a health breach');
  t.is(breach.value, 503);
  t.regex(breach.detail, /the proxy answered, the hub did not/);
  await waitFor(async () => (await check(ctx, 'jupyterhub.health')).ok, 30_000, 'the hub back');
  t.pass();
});

test('the routes fault on the lab: the route goes, its user falls through to the hub, restore puts back exactly the route', async (t) => {
  const { lab, ctx } = await withHubLab(t);
  const refs = await fault.select(ctx, RoutesDeleteTarget.parse({ users: ['user-00[12]', 'user-001'] }), {});
  t.deepEqual(refs.map((r) => r.name), ['user-001']);
  const saved = (await routesOf(lab))['/user/user-001'];
  const plan = await fault.plan(ctx, refs[0]!, {});
  await fault.inject(ctx, refs[0]!, {}, { runId: 'lab-run', faultId: 'lab-run-f1', experiment: 'x' });
  const during = await routesOf(lab);
  t.false('/user/user-001' in during);
  t.is(during['/_gameday/lab-run-f1']?.['route'], '/user/user-001');
  const routes = await check(ctx, 'jupyterhub.routes');
  t.false(routes.ok);
  t.is(routes.detail, '1 of 6 ready servers without a route: user-001');
  const res = await fetch(`${lab.endpoints.jupyterhub}/user/user-001/api/status`, { headers: { Authorization: 'token lab-hub-token' }, redirect: 'manual' });
  t.is(res.status, 302);
  await fault.restore(ctx, plan);
  const after = await routesOf(lab);
  const { last_activity: _a, ...restored } = after['/user/user-001'] ?? {};
  const { last_activity: _b, ...before } = saved ?? {};
  t.deepEqual(restored, before);
  t.false(Object.keys(after).some((k) => k.startsWith('/_gameday/')));
  t.true((await fault.verify!(ctx, plan)).ok);
});

test('the lab\'s hub re-adds a deleted route on its route check; restore leaves it and logs the re-add', async (t) => {
  const { lab, ctx, lines } = await withHubLab(t, { jupyterhub: { lastActivityIntervalSeconds: 5 } });
  const [ref] = await fault.select(ctx, RoutesDeleteTarget.parse({ users: ['user-002'] }), {});
  const plan = await fault.plan(ctx, ref!, {});
  await fault.inject(ctx, ref!, {}, { runId: 'lab-run', faultId: 'lab-run-f1', experiment: 'x' });
  await waitFor(async () => '/user/user-002' in (await routesOf(lab)), 10_000, 'the hub to re-add the route');
  t.true('/_gameday/lab-run-f1' in (await routesOf(lab)), 'the hub leaves the marker alone');
  await fault.restore(ctx, plan);
  t.false('/_gameday/lab-run-f1' in (await routesOf(lab)));
  await waitFor(() => lines.some((l) => l['message'] === 'jupyterhub: the hub re-added the route itself before restore; left as it is'), 2_000, 'the log line');
  t.true((await fault.verify!(ctx, plan)).ok);
});

test('a whole run on the lab: one route dropped, health and server count hold, every route and spawn fine after', async (t) => {
  const env = await labEnv(20);
  t.teardown(() => env.close());
  const settings = { ...env.settings, targets: { ...env.targets, jupyterhub: hubSettings(env.lab, env.dir) } };
  const experiment = await validateExperimentText(`apiVersion: gameday/v1
kind: Experiment
metadata: { name: lab-drop-a-route }
spec:
  fault:
    type: jupyterhub.proxy.routes.delete
    target: { users: ["user-*"], count: 1 }
    duration: 1s
  steadyState:
    interval: 200ms
    probes:
      - { name: hub-up, type: jupyterhub.health, phases: [before, during, after] }
      - { name: servers-stay, type: jupyterhub.api, runningServers: { maxDrop: 0 }, phases: [before, during, after] }
      - { name: all-routed, type: jupyterhub.routes, phases: [before, after] }
      - { name: can-spawn, type: jupyterhub.spawn, timeout: 1m, phases: [after] }
  recovery: { within: 1m }
`, 'lab-drop-a-route.yaml');
  const result = await runExperiment({ experiment, journal: env.journal, settings, log: memoryLogger().log });
  t.is(result.outcome, 'passed', result.reason ?? '');
  const run = env.journal.getRun(result.runId)!;
  t.deepEqual(run.faults.map((f) => f.status), ['restored']);
  const routes = await routesOf(env.lab);
  t.is(Object.keys(routes).filter((k) => k.startsWith('/user/')).length, 6);
  t.false(Object.keys(routes).some((k) => k.startsWith('/_gameday/')));
});
