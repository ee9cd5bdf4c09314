/**
 * Both brick faults through the real CLI on the real replica-3 volume: while the fault holds,
 * files written through the mount leave heal entries pending; after the run every gameday
 * rule and marker is gone, the brick is online, nothing is left to heal, and every file is
 * intact through the mount and on every brick.
 */
import test, { type ExecutionContext } from 'ava';
import { Journal, type FaultRow } from '../../../src/experiments/journal.js';
import { gameday } from '../../helpers/cli.js';
import {
  HOSTS, brickName, damagedFiles, drillSetup, experimentFile, gamedayRules, healSummary, healedToZero, injected,
  markers, ttlSleepers, until, volumeStatus, writeFiles, type Cluster, type ExperimentOptions, type Host,
} from './real-gluster.js';
import { processState } from '../../helpers/service-state.js';

const FILES = 30;

interface Drill {
  host: Host;
  experiment: Omit<ExperimentOptions, 'host'>;
  /** Checks while the fault holds, before the files are written. */
  during(c: Cluster, row: FaultRow): Promise<void>;
  /** Checks after the run, besides the common ones (no rules, no marker, healed, files intact). */
  after(c: Cluster): Promise<void>;
}

async function drill(t: ExecutionContext, d: Drill): Promise<void> {
  const { c, dir, tmp, config, store } = await drillSetup(t, d.experiment.name);
  const file = experimentFile(c, tmp, { ...d.experiment, host: d.host });
  const started = Date.now();
  const run = gameday(['--config', config, 'run', file]);
  // a failed assertion must not leave the run holding its fault: SIGINT makes it restore first
  t.teardown(async () => {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGINT');
      await run.exited;
    }
  });
  const journal = Journal.open(store);
  t.teardown(() => journal.close());

  const row = await injected(run, journal);
  t.log(`injected ${((Date.now() - started) / 1000).toFixed(1)} s after start: ${row.id}`);
  t.true(markers(c, d.host).includes(row.id), `marker /run/gameday/glusterfs/${row.id} on ${d.host}`);
  await d.during(c, row);

  const writeStart = Date.now();
  const sums = await writeFiles(c, dir, FILES);
  t.log(`${FILES} files written through the mount in ${Date.now() - writeStart} ms during the fault`);
  const pending = await until('heal entries pending during the fault', 30_000, async () => (await healSummary(c, [d.host])).total, 500);
  t.log(`${pending} heal entries pending during the fault`);
  t.is(journal.unrestoredFaults().find((f) => f.id === row.id)?.status, 'injected', 'the fault still held when the pending heals were seen');

  const code = await run.exited;
  t.log(`run done ${((Date.now() - started) / 1000).toFixed(1)} s after start`);
  t.is(code, 0, run.output());
  const [record] = journal.listRuns();
  t.is(record?.outcome, 'passed', record?.reason ?? '');
  t.deepEqual(journal.getRun(record!.id)!.faults.map((f) => f.status), ['restored']);

  for (const host of HOSTS) t.deepEqual(await gamedayRules(c, host), [], `no gameday rule left on ${host}`);
  for (const host of HOSTS) t.deepEqual(markers(c, host), [], `no marker left on ${host}`);
  for (const host of HOSTS) t.deepEqual(await ttlSleepers(c, host), [], `no time-to-live sleeper left on ${host}`);
  const healMs = await healedToZero(c);
  t.log(`heal info 0 on every brick ${healMs} ms after the run ended`);
  t.deepEqual(await damagedFiles(c, dir, sums), [], 'every file intact through the mount and on every brick');
  await d.after(c);
}

const brickOf = async (c: Cluster, host: Host, from: readonly Host[] = HOSTS) =>
  (await volumeStatus(c, from)).find((b) => b.brick === brickName(host));

test.serial('glusterfs.brick.partition (iptables): 4 commented DROP rules while files are written; after the run none left, healed, files intact on every brick', async (t) => {
  const host: Host = '10.231.0.13';
  await drill(t, {
    host,
    experiment: { name: 'it-partition', type: 'glusterfs.brick.partition', params: { method: 'iptables', ttl: '10m' }, duration: '20s', io: true },
    async during(c, row) {
      const rules = await gamedayRules(c, host);
      t.is(rules.length, 4, rules.join('\n'));
      t.true(rules.every((r) => r.includes(`"gameday:${row.id}"`) && r.includes('-j DROP') && r.includes('--datestop')), rules.join('\n'));
      for (const other of HOSTS.filter((h) => h !== host)) t.deepEqual(await gamedayRules(c, other), [], `no rule on ${other}`);
    },
    async after(c) {
      const status = await volumeStatus(c);
      t.true(status.every((b) => b.online), JSON.stringify(status));
    },
  });
});

test.serial('glusterfs.brick.kill KILL: the brick is offline while files are written; after the run online with a new pid, healed, files intact', async (t) => {
  const host: Host = '10.231.0.12';
  let killed = 0;
  await drill(t, {
    host,
    experiment: { name: 'it-kill', type: 'glusterfs.brick.kill', params: { signal: 'KILL' }, duration: '15s', io: true },
    async during(c, row) {
      killed = (row.plan.data as { pid: number }).pid;
      t.true([undefined, 'Z'].includes(processState(killed)), `brick process ${killed} is gone (or a zombie not reaped yet)`);
      const brick = await until('the brick offline in volume status', 20_000, async () => {
        const b = await brickOf(c, host, HOSTS.filter((h) => h !== host));
        return b && !b.online ? b : undefined;
      });
      t.false(brick.online);
    },
    async after(c) {
      const brick = await brickOf(c, host);
      t.true(brick?.online, JSON.stringify(brick));
      t.truthy(brick?.pid);
      t.not(brick?.pid, killed, 'a new brick process');
    },
  });
});

test.serial('glusterfs.brick.kill STOP: the brick is frozen (still listed online) while files are written; after the run the same process runs again, healed, files intact', async (t) => {
  const host: Host = '10.231.0.11';
  let frozen = 0;
  await drill(t, {
    host,
    experiment: { name: 'it-freeze', type: 'glusterfs.brick.kill', params: { signal: 'STOP' }, duration: '25s', io: true },
    async during(c, row) {
      frozen = (row.plan.data as { pid: number }).pid;
      t.is(processState(frozen), 'T', `brick process ${frozen} is stopped`);
      const brick = await brickOf(c, host, HOSTS.filter((h) => h !== host));
      t.true(brick?.online, 'glusterd still lists a frozen brick online');
      t.is(brick?.pid, frozen);
    },
    async after(c) {
      const brick = await brickOf(c, host);
      t.true(brick?.online);
      t.is(brick?.pid, frozen, 'the same process, resumed');
      t.not(processState(frozen), 'T');
    },
  });
});
