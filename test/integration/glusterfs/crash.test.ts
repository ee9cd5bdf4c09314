/**
 * Crash drills on the real pool: `gameday run` SIGKILLed once its brick fault is `injected`
 * leaves the fault in place (rules on the host, or the brick down) with its marker; files
 * written meanwhile leave heals pending; `gameday recover` alone then removes the rules (or
 * brings the brick back), heals, removes the marker and closes the run.
 */
import test from 'ava';
import { Journal } from '../../../src/experiments/journal.js';
import { gameday } from '../../helpers/cli.js';
import {
  HOSTS, brickName, damagedFiles, drillSetup, experimentFile, gamedayRules, healSummary, healedToZero, injected,
  markers, until, volumeStatus, writeFiles, type Cluster, type ExperimentOptions, type Host,
} from './real-gluster.js';

interface Crash {
  host: Host;
  experiment: Omit<ExperimentOptions, 'host' | 'duration'>;
  /** True once the fault shows on the pool (checked after the kill). */
  inPlace(c: Cluster, faultId: string): Promise<boolean>;
  /** Checks once recovered, besides no rules, no marker, healed and files intact. */
  back(c: Cluster): Promise<void>;
}

const drills: Record<string, Crash> = {
  'glusterfs.brick.partition (iptables)': {
    host: '10.231.0.13',
    experiment: { name: 'it-crash-partition', type: 'glusterfs.brick.partition', params: { method: 'iptables', ttl: '10m' } },
    inPlace: async (c, faultId) => (await gamedayRules(c, '10.231.0.13')).filter((r) => r.includes(`"gameday:${faultId}"`)).length === 4,
    async back(c) {
      if (!(await volumeStatus(c)).every((b) => b.online)) throw new Error('a brick is offline after recover');
    },
  },
  'glusterfs.brick.kill KILL': {
    host: '10.231.0.12',
    experiment: { name: 'it-crash-kill', type: 'glusterfs.brick.kill', params: { signal: 'KILL' } },
    inPlace: async (c) => (await volumeStatus(c, ['10.231.0.11'])).find((b) => b.brick === brickName('10.231.0.12'))?.online === false,
    async back(c) {
      const brick = (await volumeStatus(c)).find((b) => b.brick === brickName('10.231.0.12'));
      if (!brick?.online) throw new Error(`brick not online after recover: ${JSON.stringify(brick)}`);
    },
  },
};

for (const [what, d] of Object.entries(drills)) {
  test.serial(`${what}: a run SIGKILLed once injected leaves the fault in place; gameday recover alone undoes it, heals and removes the marker`, async (t) => {
    const { c, dir, tmp, config, store } = await drillSetup(t, d.experiment.name);
    const file = experimentFile(c, tmp, { ...d.experiment, host: d.host, duration: '10m' });
    const run = gameday(['--config', config, 'run', file]);
    t.teardown(() => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    });
    const journal = Journal.open(store);
    t.teardown(() => journal.close());
    const row = await injected(run, journal);
    run.child.kill('SIGKILL');
    t.is(await run.exited, null);

    await until('the fault still in place after the kill', 10_000, () => d.inPlace(c, row.id));
    t.true(markers(c, d.host).includes(row.id), 'the marker is still on the host');
    const sums = await writeFiles(c, dir, 10);
    const pending = await until('heal entries pending while the fault is left in place', 30_000, async () => (await healSummary(c, [d.host])).total);
    t.log(`${pending} heal entries pending with the fault left in place by the killed run`);
    await new Promise((r) => setTimeout(r, 2000));
    t.true(await d.inPlace(c, row.id), 'nothing undid the fault while gameday was dead');

    const started = Date.now();
    const recover = gameday(['--config', config, 'recover']);
    t.is(await recover.exited, 0, recover.output());
    t.log(`gameday recover took ${Date.now() - started} ms: ${recover.output().split('\n').filter((l) => /^(restored|closed run)/.test(l)).join('; ')}`);
    t.regex(recover.output(), new RegExp(`restored ${d.experiment.type.replaceAll('.', '\\.')} on`));

    for (const host of HOSTS) t.deepEqual(await gamedayRules(c, host), [], `no gameday rule left on ${host}`);
    for (const host of HOSTS) t.deepEqual(markers(c, host), [], `no marker left on ${host}`);
    await d.back(c);
    const healMs = await healedToZero(c);
    t.log(`heal info 0 on every brick ${healMs} ms after recover`);
    t.deepEqual(await damagedFiles(c, dir, sums), [], 'every file intact through the mount and on every brick');
    t.deepEqual(journal.unrestoredFaults(), []);
    const [record] = journal.listRuns();
    t.is(record?.outcome, 'aborted');
    t.regex(record?.reason ?? '', /closed by recovery/);
    t.deepEqual(journal.getRun(record!.id)!.faults.map((f) => f.status), ['restored']);
  });
}
