/**
 * The GlusterFS catalog against the lab's brick hosts, through gameday's real SSH transport:
 * each fault injected, held while users write, restored, and healed back to 0; the lab's
 * world then shows every brick running, no gameday rule, no marker file left.
 */
import test from 'ava';
import type { LoadedExperiment } from '../../src/experiments/model.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { labCatalog } from '../helpers/catalog.js';
import { memoryLogger } from '../helpers/ctx.js';
import { labEnv, type LabEnv } from '../helpers/lab-env.js';

const SPEED = 20;
const quiet = { log: memoryLogger().log };

async function catalog(name: string, brick: string, params: Record<string, unknown> = {}): Promise<LoadedExperiment> {
  const exp = await labCatalog(name, SPEED);
  return {
    ...exp,
    fault: { ...exp.fault, selector: { volume: 'home', brick }, params: { ...(exp.fault.params as Record<string, unknown>), ...params } },
  };
}

/** Samples the lab's pending heal entries while `run` runs; returns the run's result and the peak. */
async function sampling<T>(env: LabEnv, run: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, Object.values(env.lab.world.glusterfs.pendingHeal()).reduce((a, b) => a + b, 0));
  }, 20);
  try {
    return { result: await run(), peak };
  } finally {
    clearInterval(timer);
  }
}

function settled(env: LabEnv): string[] {
  const pool = env.lab.world.glusterfs;
  const problems: string[] = [];
  for (const b of pool.bricks()) if (b.state !== 'running') problems.push(`${b.host} ${b.state}`);
  for (const host of ['brick-001', 'brick-002', 'brick-003', 'brick-004']) {
    if (pool.rules(host).some((r) => r.includes('gameday:'))) problems.push(`${host} keeps gameday rules`);
    if (pool.hosts.get(host)?.sleepers.size) problems.push(`${host} keeps ${pool.hosts.get(host)?.sleepers.size} TTL sleeper(s)`);
    if (pool.runDirs.list(host).length) problems.push(`${host} keeps marker files ${pool.runDirs.list(host).join(', ')}`);
  }
  const pending = Object.values(pool.pendingHeal()).reduce((a, b) => a + b, 0);
  if (pending) problems.push(`${pending} entries to heal`);
  return problems;
}

test('partition-gluster-brick (iptables) passes: entries pile up during the cut, rules gone and healed after', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const experiment = await catalog('partition-gluster-brick', 'brick-003:/bricks/home');
  const { result, peak } = await sampling(env, () => runExperiment({ experiment, journal: env.journal, settings: env.settings, ...quiet }));
  t.is(result.outcome, 'passed', result.reason ?? '');
  t.true(peak > 0, 'users\' writes during the cut left entries to heal');
  t.deepEqual(settled(env), []);
  const commands = env.lab.world.glusterfs.commands('brick-003').map((c) => c.argv.join(' '));
  t.true(commands.some((c) => c.startsWith('iptables -w -I INPUT ! -i lo -p tcp ! --dport')));
  t.true(commands.some((c) => c.startsWith('setsid -f sh -c')));
  const detail = env.journal.getRun(result.runId)!;
  t.deepEqual(detail.faults.map((f) => f.status), ['restored']);
  t.true(detail.probes.some((p) => p.probe === 'nothing-to-heal' && p.phase === 'after' && p.status === 'ok'));
});

test('partition-gluster-brick by security group quarantines the brick VM and gives its groups back', async (t) => {
  const env = await labEnv(SPEED);
  t.teardown(() => env.close());
  const os = env.lab.world.openstack;
  const groups = () => JSON.stringify(os.ports().filter((p) => p.deviceId === os.server('brick-002')?.id).map((p) => [...p.securityGroups].sort()));
  const before = groups();
  const result = await runExperiment({
    experiment: await catalog('partition-gluster-brick', 'brick-002:/bricks/home', { method: 'openstack-security-group' }),
    journal: env.journal, settings: env.settings, ...quiet,
  });
  t.is(result.outcome, 'passed', result.reason ?? '');
  t.is(groups(), before);
  t.false(os.isolated('brick-002'));
  t.deepEqual(settled(env), []);
});

for (const signal of ['KILL', 'STOP'] as const) {
  test(`kill-gluster-brick with SIG${signal} passes: the brick runs again and nothing is left to heal`, async (t) => {
    const env = await labEnv(SPEED);
    t.teardown(() => env.close());
    const pidBefore = env.lab.world.glusterfs.brick('brick-004')?.pid;
    const experiment = await catalog('kill-gluster-brick', 'brick-004:/bricks/home', { signal });
    const { result, peak } = await sampling(env, () => runExperiment({ experiment, journal: env.journal, settings: env.settings, ...quiet }));
    t.is(result.outcome, 'passed', result.reason ?? '');
    t.true(peak > 0, 'writes while the brick was down left entries to heal');
    t.deepEqual(settled(env), []);
    const brick004 = env.lab.world.glusterfs.commands('brick-004').map((c) => c.argv.join(' '));
    t.true(brick004.includes(`kill -${signal} ${pidBefore}`));
    if (signal === 'STOP') t.true(brick004.includes(`kill -CONT ${pidBefore}`));
    else t.not(env.lab.world.glusterfs.brick('brick-004')?.pid, pidBefore);
    const heals = env.lab.world.glusterfs.commands().filter((c) => c.argv.join(' ') === 'gluster --mode=script --xml volume heal home');
    t.true(heals.length >= 1, 'a heal was launched');
  });
}
