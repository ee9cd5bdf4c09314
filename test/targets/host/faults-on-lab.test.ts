/**
 * The host faults against the lab's hosts through gameday's real SSH transport: systemd
 * units stopped and started (glusterd, which takes the host out of the pool's management),
 * unit processes killed by pidfile and by command line, the preflight's refusals, restores
 * from marker files alone, and a whole catalog experiment run by the engine. The lab's world
 * is read directly to check every effect.
 */
import test from 'ava';
import { SafetyRefusedError, TargetError } from '../../../src/errors.js';
import { recoverLeftovers } from '../../../src/experiments/recover.js';
import { runExperiment } from '../../../src/experiments/runner.js';
import { processKill } from '../../../src/targets/host/process-kill.js';
import { serviceStop } from '../../../src/targets/host/service-stop.js';
import type { Ctx, Marker } from '../../../src/targets/types.js';
import { labCatalog } from '../../helpers/catalog.js';
import { memoryLogger, testCtx } from '../../helpers/ctx.js';
import { labEnv, waitFor, type LabEnv } from '../../helpers/lab-env.js';

const SPEED = 20;
const MARKERS = '/run/gameday/host';
const quiet = { log: memoryLogger().log };

/** `targets.host` for the lab's SSH hosts (brick-001..004, worker-001), from the glusterfs settings the lab gives. */
function hostSettings(env: LabEnv): Record<string, unknown> {
  const g = env.lab.glusterfsSettings() as { hosts: { name: string; address: string; port: number }[]; ssh: unknown };
  return { hosts: g.hosts.map(({ name, address, port }) => ({ name, address, port })), ssh: g.ssh, commandTimeout: '30s' };
}

async function setup(t: { teardown(fn: () => Promise<void>): void }, speed = SPEED): Promise<{ env: LabEnv; ctx: Ctx; targets: Record<string, unknown> }> {
  const env = await labEnv(speed);
  t.teardown(() => env.close());
  const targets = { ...env.targets, host: hostSettings(env) };
  return { env, ctx: testCtx(targets), targets };
}

const marker = (faultId: string): Marker => ({ runId: 'test-run', faultId, experiment: 'x' });

test('service.stop: glusterd stopped and started over SSH; the plan records the prior state; restoring twice is harmless', async (t) => {
  const { env, ctx } = await setup(t);
  const pool = env.lab.world.glusterfs;
  const refs = await serviceStop.select(ctx, { host: 'brick-*', unit: 'glusterd' }, {});
  t.deepEqual(refs.map((r) => [r.id, r.ready, r.group]), ['brick-001', 'brick-002', 'brick-003', 'brick-004'].map((h) => [`${h}:glusterd.service`, true, 'host.service:glusterd.service']));
  const ref = refs.find((r) => r.name === 'brick-002')!;
  const before = pool.units.view('brick-002', 'glusterd')!;
  const plan = await serviceStop.plan(ctx, ref, {});
  t.like(plan.data, { host: 'brick-002', unit: 'glusterd.service', wasActive: true, enabled: 'enabled', mainPid: before.mainPid });
  t.is(pool.units.view('brick-002', 'glusterd')?.mainPid, before.mainPid, 'planning changes nothing');

  await serviceStop.inject(ctx, ref, {}, marker('test-run-f1'));
  t.is(pool.units.view('brick-002', 'glusterd')?.active, 'inactive');
  t.deepEqual(pool.runDirs.list('brick-002'), [`${MARKERS}/test-run-f1`]);
  t.false(pool.peersConnected('brick-001', 'brick-002'), 'the peers lost brick-002\'s glusterd');
  t.true(pool.brick('brick-002')?.availableToClients, 'its brick still serves');
  t.false((await serviceStop.verify!(ctx, plan)).ok);
  await serviceStop.inject(ctx, ref, {}, marker('test-run-f1')); // repeated: nothing more happens

  await serviceStop.restore(ctx, plan);
  const after = pool.units.view('brick-002', 'glusterd')!;
  t.is(after.active, 'active');
  t.not(after.mainPid, before.mainPid);
  t.true(pool.peersConnected('brick-001', 'brick-002'));
  t.deepEqual(pool.runDirs.list('brick-002'), []);
  t.true((await serviceStop.verify!(ctx, plan)).ok);
  await serviceStop.restore(ctx, plan);
  t.is(pool.units.view('brick-002', 'glusterd')?.mainPid, after.mainPid, 'a second restore starts nothing');
  const commands = pool.commands('brick-002').map((c) => c.argv.join(' '));
  t.true(commands.includes('systemctl stop glusterd.service'));
  t.true(commands.includes('systemctl start glusterd.service'));
  t.true(commands.includes('systemctl is-active glusterd.service'));
});

test('service.stop preflight: an inactive unit is left out, none active is refused, an unknown unit is an error, sshd is never stopped over SSH', async (t) => {
  const { env, ctx } = await setup(t);
  env.lab.world.glusterfs.units.stop('brick-001', 'glusterd');
  const refs = await serviceStop.select(ctx, { host: 'brick-00?', unit: 'glusterd.service' }, {});
  t.deepEqual(refs.map((r) => [r.name, r.ready, r.attributes['activeState']]), [
    ['brick-001', false, 'inactive'], ['brick-002', true, 'active'], ['brick-003', true, 'active'], ['brick-004', true, 'active'],
  ]);
  await t.throwsAsync(serviceStop.plan(ctx, refs[0]!, {}), { instanceOf: TargetError, message: /brick-001: glusterd.service is inactive, not active: nothing to stop/ });
  await t.throwsAsync(serviceStop.select(ctx, { host: 'brick-001', unit: 'nosuch' }, {}), { instanceOf: TargetError, message: 'brick-001: there is no unit nosuch.service' });
  await t.throwsAsync(serviceStop.select(ctx, { host: 'worker-001', unit: 'sshd' }, {}), { instanceOf: SafetyRefusedError, message: /refusing to stop sshd.service: gameday reaches this host over SSH/ });
  await t.throwsAsync(serviceStop.select(ctx, { host: 'db-*', unit: 'postgresql' }, {}), { instanceOf: SafetyRefusedError, message: /no host in targets.host.hosts matches "db-\*"/ });

  const exp = await labCatalog('stop-glusterd', SPEED);
  const result = await runExperiment({
    experiment: { ...exp, fault: { ...exp.fault, selector: { host: 'brick-001', unit: 'glusterd' } } }, journal: env.journal, settings: { ...env.settings, targets: { ...env.settings.targets, host: hostSettings(env) } }, ...quiet,
  });
  t.is(result.outcome, 'aborted');
  t.regex(result.reason ?? '', /refused by safety rules: only 0 of 1 matched objects may be hit.*brick-001: already unavailable/);
  t.deepEqual(env.journal.getRun(result.runId)?.faults, [], 'nothing was intended');
});

test('the stop-glusterd catalog experiment passes: client I/O goes on while glusterd is down, every brick is listed online after', async (t) => {
  const { env } = await setup(t);
  const settings = { ...env.settings, targets: { ...env.settings.targets, host: hostSettings(env) } };
  const dry = await runExperiment({ experiment: await labCatalog('stop-glusterd', SPEED), journal: env.journal, settings, dryRun: true, ...quiet });
  t.is(dry.outcome, 'dry-run');
  t.regex(dry.reason ?? '', /would stop glusterd.service on brick-00\d/);
  t.true(['brick-001', 'brick-002', 'brick-003', 'brick-004'].every((h) => env.lab.world.glusterfs.units.view(h, 'glusterd')?.active === 'active'), 'a dry run stops nothing');

  const result = await runExperiment({ experiment: await labCatalog('stop-glusterd', SPEED), journal: env.journal, settings, ...quiet });
  t.is(result.outcome, 'passed', result.reason ?? '');
  const detail = env.journal.getRun(result.runId)!;
  t.deepEqual(detail.faults.map((f) => f.status), ['restored']);
  t.true(detail.probes.filter((p) => p.probe === 'home-read-write' && p.phase === 'during').every((p) => p.status === 'ok'));
  const host = detail.faults[0]!.target.name;
  t.true(env.lab.world.glusterfs.commands(host).some((c) => c.argv.join(' ') === 'systemctl stop glusterd.service'));
  t.is(env.lab.world.glusterfs.units.view(host, 'glusterd')?.active, 'active');
  t.deepEqual(env.lab.world.glusterfs.runDirs.list(host), []);
});

test('process.kill by pidfile over SSH: glusterd killed, the restart command (systemctl start) brings it back with a new pid', async (t) => {
  const { env, ctx } = await setup(t);
  const units = env.lab.world.glusterfs.units;
  const [ref] = await processKill.select(ctx, { host: 'brick-003', pidfile: '/run/glusterd.pid' }, { signal: 'KILL' });
  const pid = units.view('brick-003', 'glusterd')!.mainPid;
  t.like(ref, { ready: true, attributes: { pid: String(pid), startTime: '400', cmdline: '/usr/sbin/glusterd -p /run/glusterd.pid --log-level INFO' } });
  const params = { signal: 'KILL' as const, restart: { command: ['systemctl', 'start', 'glusterd'] } };
  const plan = await processKill.plan(ctx, ref!, params);
  await processKill.inject(ctx, ref!, params, marker('test-run-f2'));
  t.like(units.view('brick-003', 'glusterd'), { active: 'failed', result: 'signal', mainPid: 0 });
  t.deepEqual(env.lab.world.glusterfs.runDirs.list('brick-003'), [`${MARKERS}/test-run-f2`]);
  await processKill.restore(ctx, plan);
  t.like(units.view('brick-003', 'glusterd'), { active: 'active' });
  t.not(units.view('brick-003', 'glusterd')?.mainPid, pid);
  t.deepEqual(env.lab.world.glusterfs.runDirs.list('brick-003'), []);
  const sent = env.lab.world.glusterfs.commands('brick-003').map((c) => c.argv.join(' '));
  t.true(sent.includes(`kill -s KILL ${pid}`));
  t.is(sent.filter((c) => c === 'systemctl start glusterd').length, 1);
});

test('process.kill by command line without a restart command: the restore succeeds once Restart=always has brought kubelet back', async (t) => {
  // RestartSec 10 s (simulated) is 2.5 s here: longer than the commands before the first restore
  const { env, ctx } = await setup(t, 4);
  const units = env.lab.world.glusterfs.units;
  const command = '/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///run/containerd/containerd.sock';
  const [ref] = await processKill.select(ctx, { host: 'worker-001', command }, { signal: 'KILL' });
  const before = units.view('worker-001', 'kubelet')!.mainPid;
  t.is(ref?.attributes['pid'], String(before));
  const plan = await processKill.plan(ctx, ref!, { signal: 'KILL' });
  await processKill.inject(ctx, ref!, { signal: 'KILL' }, { runId: 'lost-run', faultId: 'lost-run-f1', experiment: 'x' });
  t.is(units.view('worker-001', 'kubelet')?.active, 'activating');
  await t.throwsAsync(processKill.restore(ctx, plan), { instanceOf: TargetError, message: /is not running and the fault has no restart command/ });
  // recovery from the marker alone, with its retries: kubelet restarts 10 s (simulated) after the kill
  // the retries wait at least ~4.7 s in all: kubelet is back before they run out
  const report = await recoverLeftovers({ journal: env.journal, restore: { attempts: 12, initialDelayMs: 200, maxDelayMs: 1000 }, targets: { host: hostSettings(env) }, log: memoryLogger().log });
  t.deepEqual(report.failed, []);
  t.deepEqual(report.restored.map((r) => [r.type, r.source]), [['host.process.kill', 'marker']]);
  t.not(units.view('worker-001', 'kubelet')?.mainPid, before);
  t.deepEqual(env.lab.world.glusterfs.runDirs.list('worker-001'), []);
});

test('a stopped unit left behind without its journal row is started again from its marker alone', async (t) => {
  const { env, ctx } = await setup(t);
  const [ref] = await serviceStop.select(ctx, { host: 'worker-001', unit: 'containerd' }, {});
  await serviceStop.inject(ctx, ref!, {}, { runId: 'lost-run', faultId: 'lost-run-f7', experiment: 'x' });
  t.is(env.lab.world.glusterfs.units.view('worker-001', 'containerd')?.active, 'inactive');
  const report = await recoverLeftovers({ journal: env.journal, restore: env.settings.restore, targets: { host: hostSettings(env) }, log: memoryLogger().log });
  t.deepEqual(report.failed, []);
  t.deepEqual(report.restored.map((r) => [r.type, r.target, r.source]), [['host.service.stop', 'worker-001:containerd.service', 'marker']]);
  await waitFor(() => env.lab.world.glusterfs.units.view('worker-001', 'containerd')?.active === 'active', 2000, 'containerd active');
  t.deepEqual(env.lab.world.glusterfs.runDirs.list('worker-001'), []);
});

test('on a machine without systemd as PID 1 the service fault stops at the preflight with an error that says so', async (t) => {
  const ctx = testCtx({ host: { transport: 'local', hosts: [{ name: 'localhost' }] } });
  const err = await t.throwsAsync(serviceStop.select(ctx, { host: 'localhost', unit: 'cron' }, {}), { instanceOf: TargetError });
  t.false(err?.retryable);
  t.regex(err?.message ?? '', /localhost: (systemd is not running there|systemctl is not installed)/);
});
