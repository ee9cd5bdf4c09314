/**
 * The brick faults' safety and recovery against the lab's brick hosts over SSH: the
 * GlusterFS-aware preflight, one brick per replica set, restores from marker files alone,
 * busy answers retried, and host keys checked.
 */
import { writeFileSync } from 'node:fs';
import test from 'ava';
import { SafetyRefusedError, TargetError } from '../../../src/errors.js';
import { recoverLeftovers } from '../../../src/experiments/recover.js';
import { chooseTargets } from '../../../src/experiments/safety.js';
import { brickKill } from '../../../src/targets/glusterfs/brick-kill.js';
import { brickPartition } from '../../../src/targets/glusterfs/brick-partition.js';
import { volumeStatus } from '../../../src/targets/glusterfs/volume-status.js';
import { memoryLogger, testCtx } from '../../helpers/ctx.js';
import { labEnv, waitFor, type LabEnv } from '../../helpers/lab-env.js';

const SPEED = 20;

function ctxOf(env: LabEnv, glusterfs: Record<string, unknown> = env.targets['glusterfs'] as Record<string, unknown>) {
  return testCtx({ ...env.targets, glusterfs });
}

test('preflight refuses a volume outside the allow list, and one with a brick offline or entries to heal', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const settings = env.targets['glusterfs'] as Record<string, unknown>;
  const notAllowed = ctxOf(env, { ...settings, volumes: ['scratch-*'] });
  await t.throwsAsync(brickKill.select(notAllowed, { volume: 'home' }, { signal: 'KILL' }), { instanceOf: SafetyRefusedError, message: /not in targets.glusterfs.volumes/ });

  const pool = env.lab.world.glusterfs;
  t.is((await brickKill.select(ctxOf(env), { volume: 'home' }, { signal: 'KILL' })).length, 4);
  pool.signalBrick('brick-001', 'KILL');
  await t.throwsAsync(brickKill.select(ctxOf(env), { volume: 'home' }, { signal: 'KILL' }), { instanceOf: SafetyRefusedError, message: /already has brick\(s\) offline: brick-001:\/bricks\/home/ });
  await waitFor(() => Object.values(pool.pendingHeal()).some((n) => n > 0), 10_000, 'writes to leave entries to heal');
  const status = await volumeStatus.check(ctxOf(env), { volume: 'home', maxOffline: 0 }, new AbortController().signal);
  t.false(status.ok);
  t.regex(status.detail, /3\/4 bricks online; offline: brick-001/);
  // the brick comes back, but what users wrote meanwhile still has to heal: still refused
  pool.setHealRate(0.001);
  pool.startForce('brick-002');
  t.is(pool.brick('brick-001')?.state, 'running');
  await t.throwsAsync(brickKill.select(ctxOf(env), { volume: 'home' }, { signal: 'KILL' }), { instanceOf: SafetyRefusedError, message: /not fully healed \(\d+ entries pending/ });
});

test('one brick per replica set: two bricks are taken from different sets, three are refused', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const refs = await brickPartition.select(ctxOf(env), { volume: 'home' }, { method: 'iptables', ttl: '30m' });
  t.deepEqual([...new Set(refs.map((r) => r.group))], ['home/replica-set-1', 'home/replica-set-2']);
  for (let i = 0; i < 10; i++) {
    const { chosen } = chooseTargets(refs, { count: 2 }, {}, Math.random, brickPartition.maxPerGroup);
    t.not(chosen[0]?.group, chosen[1]?.group);
  }
  t.throws(() => chooseTargets(refs, { count: 3 }, {}, Math.random, brickPartition.maxPerGroup), { instanceOf: SafetyRefusedError });
});

test('a partition left behind without its journal row is found by its marker file and fully undone', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const ctx = ctxOf(env);
  const [ref] = await brickPartition.select(ctx, { volume: 'home', brick: 'brick-002:/bricks/home' }, { method: 'iptables', ttl: '30m' });
  t.truthy(ref);
  await brickPartition.inject(ctx, ref!, { method: 'iptables', ttl: '30m' }, { runId: 'lost-run', faultId: 'lost-run-f1', experiment: 'x' });
  const pool = env.lab.world.glusterfs;
  t.true(pool.cutOff('brick-002'));
  t.deepEqual(pool.runDirs.list('brick-002'), ['/run/gameday/glusterfs/lost-run-f1']);
  t.is(pool.rules('brick-002').filter((r) => r.includes('"gameday:lost-run-f1"')).length, 4);
  // inject is idempotent: a second call adds no rule
  await brickPartition.inject(ctx, ref!, { method: 'iptables', ttl: '30m' }, { runId: 'lost-run', faultId: 'lost-run-f1', experiment: 'x' });
  t.is(pool.rules('brick-002').filter((r) => r.includes('gameday:')).length, 4);

  const report = await recoverLeftovers({ journal: env.journal, restore: env.settings.restore, targets: env.targets, log: memoryLogger().log });
  t.deepEqual(report.failed, []);
  t.true(report.restored.some((r) => r.type === 'glusterfs.brick.partition' && r.source === 'marker'));
  t.false(pool.cutOff('brick-002'));
  t.deepEqual(pool.rules('brick-002').filter((r) => r.includes('gameday:')), []);
  t.deepEqual(pool.runDirs.list('brick-002'), []);
});

test('gameday rules without a marker file are still found by their comment and deleted', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const ctx = ctxOf(env);
  const [ref] = await brickPartition.select(ctx, { volume: 'home', brick: 'brick-004:/bricks/home' }, { method: 'iptables', ttl: '30m' });
  await brickPartition.inject(ctx, ref!, { method: 'iptables', ttl: '30m' }, { runId: 'r', faultId: 'r-f9', experiment: 'x' });
  env.lab.world.glusterfs.runDirs.remove('brick-004', '/run/gameday/glusterfs/r-f9');
  const report = await recoverLeftovers({ journal: env.journal, restore: env.settings.restore, targets: env.targets, log: memoryLogger().log });
  t.deepEqual(report.failed, []);
  t.deepEqual(env.lab.world.glusterfs.rules('brick-004').filter((r) => r.includes('gameday:')), []);
});

test('a killed brick left behind is restarted from its marker, and a repeated restore is harmless', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const ctx = ctxOf(env);
  const [ref] = await brickKill.select(ctx, { volume: 'home', brick: 'brick-001:/bricks/home' }, { signal: 'KILL' });
  const plan = await brickKill.plan(ctx, ref!, { signal: 'KILL' });
  await brickKill.inject(ctx, ref!, { signal: 'KILL' }, { runId: 'test-run', faultId: 'test-run-f1', experiment: 'x' });
  const pool = env.lab.world.glusterfs;
  t.is(pool.brick('brick-001')?.state, 'killed');
  await brickKill.restore(ctx, plan);
  t.is(pool.brick('brick-001')?.state, 'running');
  t.deepEqual(pool.runDirs.list('brick-001'), []);
  await t.notThrowsAsync(brickKill.restore(ctx, plan));
  t.true((await brickKill.verify!(ctx, plan)).ok);
});

test('busy answers from glusterd are waited out', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  env.lab.world.glusterfs.busy(20_000); // 1 s of real time at ×20
  const result = await volumeStatus.check(ctxOf(env), { volume: 'home', maxOffline: 0 }, new AbortController().signal);
  t.true(result.ok, result.detail);
});

test('a host whose key is not the one in known_hosts is refused, naming the fingerprint', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const settings = env.targets['glusterfs'] as { ssh: { knownHostsFile: string } };
  const wrong = `${env.dir}/known_hosts.wrong`;
  writeFileSync(wrong, env.lab.knownHosts().split('\n').map((line) => line.replace(/^(\[127\.0\.0\.1\]:)(\d+)/, (_, a: string, port: string) => `${a}${Number(port) + 1}`)).join('\n'));
  const ctx = ctxOf(env, { ...settings, ssh: { ...settings.ssh, knownHostsFile: wrong } });
  const err = await t.throwsAsync(volumeStatus.check(ctx, { volume: 'home', maxOffline: 0 }, new AbortController().signal));
  t.true(err instanceof TargetError);
  t.regex(err!.message, /host key/i);
  t.regex(err!.message, /SHA256:/);
});
