/**
 * The GlusterFS preflight on the real pool: with a brick already offline, a brick frozen (so
 * heal info cannot read it) or entries left to heal, `gameday run` is refused by the safety
 * rules before any change — no rule, no marker, no fault row, no brick process touched.
 * Each test makes its manual change itself and puts it back in its teardown.
 */
import { rmSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { Journal } from '../../../src/experiments/journal.js';
import { gameday } from '../../helpers/cli.js';
import {
  HOSTS, brickName, cluster, experimentFile, gamedayConfig, gamedayRules, gluster, healSummary, healthy, killBrick, markers,
  removeDir, repair, until, volumeStatus, writeFiles, type BrickStatus, type Cluster, type Host,
} from './real-gluster.js';
import { processState } from '../../helpers/service-state.js';

/**
 * The exit code of a run refused by a GlusterFS preflight check. The runner records a
 * SafetyRefusedError thrown by a fault's `select` as outcome `aborted` ("refused by safety
 * rules: …"), which exits 1; only a refusal before the run (halt, lock, unrestored faults)
 * exits 4.
 */
const REFUSED_BY_PREFLIGHT_EXIT = 1;

async function brickPid(c: Cluster, host: Host): Promise<number> {
  const pid = (await volumeStatus(c)).find((b) => b.brick === brickName(host))?.pid;
  if (!pid) throw new Error(`no pid for brick ${brickName(host)}`);
  return pid;
}

/** Runs a partition experiment and checks it was refused with `why` and changed nothing. */
async function refused(t: ExecutionContext, c: Cluster, why: RegExp): Promise<void> {
  const before: BrickStatus[] = await volumeStatus(c);
  const stopped = before.filter((b) => b.pid !== null && processState(b.pid) === 'T').map((b) => b.brick);
  const { dir, config, store } = gamedayConfig(c);
  const file = experimentFile(c, dir, { name: 'it-refused', type: 'glusterfs.brick.partition', host: '10.231.0.13', params: { method: 'iptables', ttl: '10m' }, duration: '10s' });
  const started = Date.now();
  const run = gameday(['--config', config, 'run', file]);
  const code = await run.exited;
  t.log(`gameday run refused in ${Date.now() - started} ms`);
  t.is(code, REFUSED_BY_PREFLIGHT_EXIT, run.output());
  t.regex(run.output(), /refused by safety rules/);
  t.regex(run.output(), why);
  const journal = Journal.open(store);
  try {
    const [record] = journal.listRuns();
    t.is(record?.outcome, 'aborted');
    t.regex(record?.reason ?? '', why);
    t.deepEqual(journal.getRun(record!.id)!.faults, [], 'no fault was even intended');
  } finally {
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const host of HOSTS) t.deepEqual(await gamedayRules(c, host), [], `no gameday rule on ${host}`);
  for (const host of HOSTS) t.deepEqual(markers(c, host), [], `no marker on ${host}`);
  const after = await volumeStatus(c);
  t.deepEqual(after, before, 'no brick started, killed or restarted');
  t.deepEqual(after.filter((b) => b.pid !== null && processState(b.pid) === 'T').map((b) => b.brick), stopped, 'no frozen brick resumed');
}

test.serial('a brick already offline (killed by hand): gameday run is refused and changes nothing', async (t) => {
  const c = await cluster();
  const host: Host = '10.231.0.12';
  t.teardown(async () => {
    await gluster(c, 'volume start home force').catch(() => undefined);
    await repair(c);
    await healthy(c);
  });
  await killBrick(c, host);
  await refused(t, c, /already has brick\(s\) offline: 10\.231\.0\.12:\/bricks\/home/);
});

test.serial('a brick frozen by hand (listed online, unreadable by heal info): gameday run is refused and changes nothing', async (t) => {
  const c = await cluster();
  const host: Host = '10.231.0.13';
  const pid = await brickPid(c, host);
  t.teardown(async () => {
    process.kill(pid, 'SIGCONT');
    await repair(c);
    await healthy(c);
  });
  process.kill(pid, 'SIGSTOP');
  await until('the brick process stopped', 5000, () => processState(pid) === 'T', 50);
  await refused(t, c, /not fully healed \(0 entries pending, unreadable: 10\.231\.0\.13:\/bricks\/home\)/);
  t.is(processState(pid), 'T', 'the brick is still frozen: gameday did not resume it');
});

test.serial('entries left to heal (self-heal daemon off, a brick restarted after writes): gameday run is refused and changes nothing', async (t) => {
  const c = await cluster();
  const host: Host = '10.231.0.12';
  const dir = `it-pending-${Date.now()}`;
  t.teardown(async () => {
    await gluster(c, 'volume heal home enable').catch(() => undefined);
    await gluster(c, 'volume start home force').catch(() => undefined);
    await repair(c);
    await healthy(c);
    removeDir(c, dir);
  });
  await gluster(c, 'volume heal home disable');
  await killBrick(c, host);
  await writeFiles(c, dir, 5);
  await gluster(c, 'volume start home force');
  await until('the brick online again', 30_000, async () => (await volumeStatus(c)).every((b) => b.online), 1000);
  const pending = await until('heal entries pending', 20_000, async () => {
    const heal = await healSummary(c);
    return heal.bricks.every((b) => b.status === 'Connected') ? heal.total : 0;
  });
  t.log(`${pending} entries pending with the self-heal daemon off`);
  await refused(t, c, new RegExp(`not fully healed \\(\\d+ entries pending\\)`));
  t.true((await healSummary(c)).total > 0, 'still pending: gameday did not heal');
});
