/**
 * The host faults' dead man's switch against the lab's hosts over gameday's real SSH
 * transport: with `ttl`, a sleeper started on the host before the fault undoes it at the
 * TTL after gameday is gone (its connections closed, nothing restored): a frozen process is
 * continued, a killed one restarted, a stopped unit started. A restore, or a recovery from
 * the marker alone, ends the sleeper first, so it never fires later. The lab's world is
 * read directly to check every effect.
 */
import test from 'ava';
import { recoverLeftovers } from '../../../src/experiments/recover.js';
import { hostClient } from '../../../src/targets/host/client.js';
import { ProcessKillParams, processKill } from '../../../src/targets/host/process-kill.js';
import { serviceStop } from '../../../src/targets/host/service-stop.js';
import type { Ctx, Marker } from '../../../src/targets/types.js';
import { memoryLogger, testCtx } from '../../helpers/ctx.js';
import { labEnv, type LabEnv } from '../../helpers/lab-env.js';

/**
 * Simulated time runs 20 times faster: a TTL of 20 s (simulated) is 1 s real — long enough
 * that the fault is in place before it, even on a loaded machine.
 */
const SPEED = 20;

function hostSettings(env: LabEnv): Record<string, unknown> {
  const g = env.lab.glusterfsSettings() as { hosts: { name: string; address: string; port: number }[]; ssh: unknown };
  return { hosts: g.hosts.map(({ name, address, port }) => ({ name, address, port })), ssh: g.ssh, commandTimeout: '30s' };
}

async function setup(t: { teardown(fn: () => Promise<void>): void }): Promise<{ env: LabEnv; ctx: Ctx }> {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  return { env, ctx: testCtx({ ...env.targets, host: hostSettings(env) }) };
}

const marker = (faultId: string): Marker => ({ runId: 'test-run', faultId, experiment: 'x' });
const sleepersOn = (env: LabEnv, host: string): string[] => [...(env.lab.world.glusterfs.hosts.get(host)?.sleepers.values() ?? [])].map((s) => s.commandLine);

test('process.kill STOP with ttl: the sleeper starts before the signal and continues the process at the TTL with gameday gone', async (t) => {
  const { env, ctx } = await setup(t);
  const pool = env.lab.world.glusterfs;
  const params = ProcessKillParams.parse({ signal: 'STOP', ttl: '20s' });
  const [ref] = await processKill.select(ctx, { host: 'brick-002', pidfile: '/run/glusterd.pid' }, params);
  const pid = pool.units.view('brick-002', 'glusterd')!.mainPid;
  const plan = await processKill.plan(ctx, ref!, params);
  t.like(plan.data, { ttlSeconds: 20 });
  await processKill.inject(ctx, ref!, params, marker('test-run-f1'));
  t.true(pool.units.view('brick-002', 'glusterd')?.frozen);
  const sent = pool.commands('brick-002').map((c) => c.argv.join(' '));
  const setsidAt = sent.findIndex((c) => c.startsWith('setsid -f sh -c'));
  t.true(setsidAt >= 0 && setsidAt < sent.indexOf(`kill -s STOP ${pid}`), 'the sleeper is started before the signal');
  t.regex(sleepersOn(env, 'brick-002')[0] ?? '', new RegExp(` gameday-ttl 20 gameday:test-run-f1 cont ${pid} \\d+$`));

  hostClient(ctx).close(); // gameday is gone: no restore will come
  await pool.sleep(5000);
  t.true(pool.units.view('brick-002', 'glusterd')?.frozen, 'still frozen before the TTL');
  await pool.sleep(16_000);
  t.like(pool.units.view('brick-002', 'glusterd'), { frozen: false, active: 'active', mainPid: pid });
  t.deepEqual(sleepersOn(env, 'brick-002'), [], 'the sleeper exited after acting');
});

test('process.kill KILL with ttl: the sleeper runs the restart command at the TTL because the process is not running', async (t) => {
  const { env, ctx } = await setup(t);
  const pool = env.lab.world.glusterfs;
  const params = ProcessKillParams.parse({ signal: 'KILL', restart: { command: ['systemctl', 'start', 'glusterd'] }, ttl: '20s' });
  const [ref] = await processKill.select(ctx, { host: 'brick-003', pidfile: '/run/glusterd.pid' }, params);
  const pid = pool.units.view('brick-003', 'glusterd')!.mainPid;
  await processKill.inject(ctx, ref!, params, marker('test-run-f2'));
  t.like(pool.units.view('brick-003', 'glusterd'), { active: 'failed', mainPid: 0 });
  hostClient(ctx).close();
  await pool.sleep(21_000);
  const after = pool.units.view('brick-003', 'glusterd')!;
  t.is(after.active, 'active');
  t.not(after.mainPid, pid);
});

test('process.kill KILL with ttl but the process back by itself: the sleeper does not run the restart command', async (t) => {
  const { env, ctx } = await setup(t);
  const pool = env.lab.world.glusterfs;
  const params = ProcessKillParams.parse({ signal: 'KILL', restart: { command: ['systemctl', 'restart', 'glusterd'] }, ttl: '20s' });
  const [ref] = await processKill.select(ctx, { host: 'brick-003', pidfile: '/run/glusterd.pid' }, params);
  await processKill.inject(ctx, ref!, params, marker('test-run-f3'));
  pool.units.start('brick-003', 'glusterd'); // an operator started it again
  const restarted = pool.units.view('brick-003', 'glusterd')!.mainPid;
  hostClient(ctx).close();
  await pool.sleep(21_000);
  t.deepEqual(sleepersOn(env, 'brick-003'), []);
  t.is(pool.units.view('brick-003', 'glusterd')?.mainPid, restarted, 'systemctl restart was not run: the process kept its pid');
});

test('a ttl with KILL and no restart command is refused when the experiment is read', (t) => {
  const parsed = ProcessKillParams.safeParse({ signal: 'KILL', ttl: '30m' });
  t.false(parsed.success);
  t.regex(parsed.error?.issues[0]?.message ?? '', /a ttl needs restart.command/);
  t.false(ProcessKillParams.safeParse({ signal: 'STOP', ttl: '500ms' }).success, 'under a second is refused');
});

test('process.kill restore ends the sleeper first: it never fires later', async (t) => {
  const { env, ctx } = await setup(t);
  const pool = env.lab.world.glusterfs;
  const params = ProcessKillParams.parse({ signal: 'STOP', ttl: '20s' });
  const [ref] = await processKill.select(ctx, { host: 'brick-004', pidfile: '/run/glusterd.pid' }, params);
  const plan = await processKill.plan(ctx, ref!, params);
  const pid = pool.units.view('brick-004', 'glusterd')!.mainPid;
  await processKill.inject(ctx, ref!, params, marker('test-run-f4'));
  t.is(sleepersOn(env, 'brick-004').length, 1);
  await processKill.restore(ctx, plan); // a plan from the journal: its fault id is found in the marker
  t.deepEqual(sleepersOn(env, 'brick-004'), []);
  t.false(pool.units.view('brick-004', 'glusterd')?.frozen);
  pool.units.signal('brick-004', pid, 'STOP'); // frozen again by someone else: a late sleeper would continue it
  await pool.sleep(25_000);
  t.true(pool.units.view('brick-004', 'glusterd')?.frozen, 'no sleeper fired after the restore');
  await processKill.restore(ctx, plan); // restoring again is harmless
  t.false(pool.units.view('brick-004', 'glusterd')?.frozen);
});

test('service.stop with ttl: the sleeper starts the unit at the TTL with gameday gone', async (t) => {
  const { env, ctx } = await setup(t);
  const pool = env.lab.world.glusterfs;
  const [ref] = await serviceStop.select(ctx, { host: 'worker-001', unit: 'containerd' }, {});
  const plan = await serviceStop.plan(ctx, ref!, { ttl: '20s' });
  t.like(plan.data, { ttlSeconds: 20 });
  await serviceStop.inject(ctx, ref!, { ttl: '20s' }, marker('test-run-f5'));
  t.is(pool.units.view('worker-001', 'containerd')?.active, 'inactive');
  t.regex(sleepersOn(env, 'worker-001')[0] ?? '', / gameday-ttl 20 gameday:test-run-f5 run systemctl start containerd\.service$/);
  hostClient(ctx).close();
  await pool.sleep(5000);
  t.is(pool.units.view('worker-001', 'containerd')?.active, 'inactive', 'still stopped before the TTL');
  await pool.sleep(16_000);
  t.is(pool.units.view('worker-001', 'containerd')?.active, 'active');
});

test('service.stop: restore ends the sleeper; recovery from a marker alone ends a leftover sleeper too', async (t) => {
  const { env, ctx } = await setup(t);
  const pool = env.lab.world.glusterfs;
  const [ref] = await serviceStop.select(ctx, { host: 'worker-001', unit: 'containerd' }, {});
  const plan = await serviceStop.plan(ctx, ref!, { ttl: '20s' });
  await serviceStop.inject(ctx, ref!, { ttl: '20s' }, marker('test-run-f6'));
  await serviceStop.restore(ctx, plan);
  t.deepEqual(sleepersOn(env, 'worker-001'), []);
  pool.units.stop('worker-001', 'containerd');
  await pool.sleep(25_000);
  t.is(pool.units.view('worker-001', 'containerd')?.active, 'inactive', 'no sleeper started it after the restore');
  pool.units.start('worker-001', 'containerd');

  const [again] = await serviceStop.select(ctx, { host: 'worker-001', unit: 'containerd' }, {});
  await serviceStop.inject(ctx, again!, { ttl: '1h' }, { runId: 'lost-run', faultId: 'lost-run-f7', experiment: 'x' });
  t.is(sleepersOn(env, 'worker-001').length, 1);
  const report = await recoverLeftovers({ journal: env.journal, restore: env.settings.restore, targets: { host: hostSettings(env) }, log: memoryLogger().log });
  t.deepEqual(report.failed, []);
  t.deepEqual(report.restored.map((r) => [r.type, r.source]), [['host.service.stop', 'marker']]);
  t.deepEqual(sleepersOn(env, 'worker-001'), [], 'recovery ended the leftover sleeper');
  t.is(pool.units.view('worker-001', 'containerd')?.active, 'active');
});
