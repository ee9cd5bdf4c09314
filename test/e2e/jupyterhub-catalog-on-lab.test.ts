import test from 'ava';
import { runExperiment } from '../../src/experiments/runner.js';
import type { RunEvent } from '../../src/experiments/events.js';
import { labCatalog } from '../helpers/catalog.js';
import { memoryLogger } from '../helpers/ctx.js';
import { labEnv, type LabEnv } from '../helpers/lab-env.js';

const SPEED = 20;

/** The worker nodes the hub and the proxy run on. */
function hubNodes(env: LabEnv): string[] {
  return env.lab.world
    .pods('jhub')
    .filter((p) => ['hub', 'proxy'].includes(p.metadata?.labels?.['component'] ?? ''))
    .map((p) => p.spec?.nodeName ?? '')
    .filter((n) => n.startsWith('worker-'));
}

test('spawn-under-worker-loss passes when the lost worker runs neither hub nor proxy: the spawn journey keeps working during the fault', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const exp = await labCatalog('spawn-under-worker-loss', SPEED);
  const deny = hubNodes(env);
  const result = await runExperiment({ experiment: { ...exp, safety: { ...exp.safety, deny } }, journal: env.journal, settings: env.settings, log: memoryLogger().log });
  t.is(result.outcome, 'passed', result.reason ?? '');
  const detail = env.journal.getRun(result.runId)!;
  const [fault] = detail.faults;
  t.false(deny.includes(fault?.target.name ?? ''), 'a worker without hub or proxy was stopped');
  t.is(fault?.status, 'restored');
  const spawns = detail.probes.filter((p) => p.probe === 'can-spawn' && p.phase === 'during');
  const ok = spawns.filter((s) => s.status === 'ok');
  // a journey may land on the lost worker before its node is NotReady (breachAfter tolerates it)
  t.true(ok.length >= 1, `${ok.length} of ${spawns.length} spawn journeys during the fault worked`);
  for (const s of ok) t.true(typeof s.value === 'number' && s.value > 0, `spawn time ${String(s.value)} s`);
  t.is(env.lab.world.openstack.server(fault?.target.name ?? '')?.status, 'ACTIVE');
  t.is(env.lab.world.jupyterhub.server('gameday-probe').pod, undefined, 'the probe cleaned up its server');
});

test('spawn-under-worker-loss aborts when the lost worker runs the hub or the proxy, and the VM is restored', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const exp = await labCatalog('spawn-under-worker-loss', SPEED);
  const allow = hubNodes(env).slice(0, 1);
  const result = await runExperiment({ experiment: { ...exp, safety: { ...exp.safety, allow } }, journal: env.journal, settings: env.settings, log: memoryLogger().log });
  t.is(result.outcome, 'aborted', result.reason ?? '');
  t.regex(result.reason ?? '', /during the fault: .*(hub-health|can-spawn|routes-intact)/);
  const detail = env.journal.getRun(result.runId)!;
  t.deepEqual(detail.faults.map((f) => [f.target.name, f.status]), [[allow[0], 'restored']]);
  t.is(env.lab.world.openstack.server(allow[0] ?? '')?.status, 'ACTIVE');
});

test('delete-proxy-routes: the routes are gone while the fault holds, the hub re-adds them itself, and after the run every server has its route', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const { log, lines } = memoryLogger();
  const exp = await labCatalog('delete-proxy-routes', SPEED);
  const missingWhileHeld: string[][] = [];
  const listener = (event: RunEvent): void => {
    if (event.kind === 'fault' && event.action === 'injected') {
      const routes = Object.keys(env.lab.world.jupyterhub.routes() ?? {});
      missingWhileHeld.push([event.target, routes.includes(event.target) ? 'present' : 'missing']);
    }
  };
  const result = await runExperiment({ experiment: exp, journal: env.journal, settings: env.settings, log, listener });
  t.is(result.outcome, 'passed', result.reason ?? '');
  const detail = env.journal.getRun(result.runId)!;
  t.is(detail.faults.length, 2);
  t.deepEqual(missingWhileHeld.map(([, state]) => state), ['missing', 'missing']);
  const routes = Object.keys(env.lab.world.jupyterhub.routes() ?? {});
  for (const f of detail.faults) {
    t.is(f.status, 'restored');
    t.true(routes.includes(f.target.id), `${f.target.id} routed again`);
  }
  t.false(routes.some((r) => r.startsWith('/_gameday/')), 'no marker route left');
  // the hold (6 simulated minutes) outlasts the hub's route check (every 300 s): the hub repairs its table first
  const readded = lines.filter((l) => String(l['message']).includes('the hub re-added the route itself'));
  t.is(readded.length, 2, 'restore found both routes re-added by the hub and left them alone');
});
