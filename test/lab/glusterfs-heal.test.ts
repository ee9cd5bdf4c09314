/**
 * Heal accounting as measured on GlusterFS 10: writes to a degraded replica set leave
 * pending entries on the brick that got them; they drain after the next crawl once the set
 * is whole again — except entries owed to a frozen (SIGSTOP/SIGCONT) brick, which only a
 * triggered `volume heal` drains; `volume heal` fails while a brick is down; heal info
 * waits out network.ping-timeout for a brick it cannot reach.
 */
import test from 'ava';
import { eventually } from './helpers.js';
import { gluster, glusterLab, healBricks, lastTookMs, pendingByHost, simSleep, sshRun } from './glusterfs-helpers.js';

const HEAL_TIMEOUT_MS = 10_000;

test('entries owed to a frozen brick grow during the freeze and are not healed by the crawl after SIGCONT, only by volume heal', async (t) => {
  const lab = await glusterLab(t, { writeRate: 40 });
  const pid = String(lab.world.glusterfs.brick('brick-001')?.pid);
  await sshRun(lab, 'brick-001', ['kill', '-STOP', pid]);
  await eventually(() => pendingByHost(lab)['brick-002']! >= 20, 'entries on brick-002', 2000);
  t.is(pendingByHost(lab)['brick-001'], 0);

  const summary = await gluster(lab, 'brick-003', 'volume', 'heal', 'home', 'info', 'summary');
  t.true(lastTookMs(lab, 'brick-003') >= 5000, 'heal info waits network.ping-timeout for the hung brick');
  t.like(healBricks(summary.stdout)[0], { '@hostUuid': '-', name: 'brick-001:/bricks/home', status: 'Failed to process entries completely. (Transport endpoint is not connected)totalNumberOfEntries0' });
  t.is(healBricks(summary.stdout)[0]?.totalNumberOfEntries, undefined);
  t.is(Number(healBricks(summary.stdout)[1]?.totalNumberOfEntries) > 0, true);

  await sshRun(lab, 'brick-001', ['kill', '-CONT', pid]);
  lab.world.glusterfs.setWriteRate(0);
  const owed = pendingByHost(lab)['brick-002'] ?? 0;
  await simSleep(lab, 2.5 * HEAL_TIMEOUT_MS);
  t.is(pendingByHost(lab)['brick-002'], owed, 'two crawls went by and healed nothing');

  const heal = await sshRun(lab, 'brick-004', ['gluster', '--mode=script', '--xml', 'volume', 'heal', 'home']);
  t.deepEqual(heal, { code: 0, stdout: 'Launching heal operation to perform index self heal on volume home has been successful \nUse heal info commands to check status.\n', stderr: '' });
  await eventually(() => pendingByHost(lab)['brick-002'] === 0, 'entries healed after volume heal', 2500);
});

test('a killed brick: volume heal fails while it is down; after start force the crawl heals its entries', async (t) => {
  const lab = await glusterLab(t, { writeRate: 40 });
  await sshRun(lab, 'brick-003', ['kill', '-KILL', String(lab.world.glusterfs.brick('brick-003')?.pid)]);
  await eventually(() => pendingByHost(lab)['brick-004']! >= 10, 'entries on brick-004', 2000);
  t.is(pendingByHost(lab)['brick-001'], 0, 'the other replica set is whole');
  const refused = await sshRun(lab, 'brick-001', ['gluster', '--mode=script', '--xml', 'volume', 'heal', 'home']);
  t.deepEqual(refused, {
    code: 1, stdout: '',
    stderr: "Launching heal operation to perform index self heal on volume home has been unsuccessful:\nGlusterd Syncop Mgmt brick op 'Heal' failed. Please check glustershd log file for details.\n",
  });
  const summary = await gluster(lab, 'brick-001', 'volume', 'heal', 'home', 'info', 'summary');
  t.true(lastTookMs(lab, 'brick-001') < 1000, 'a killed brick refuses at once: no ping-timeout wait');
  t.is(healBricks(summary.stdout)[2]?.['@hostUuid'], '-');

  lab.world.glusterfs.setWriteRate(0);
  await gluster(lab, 'brick-001', 'volume', 'start', 'home', 'force');
  await eventually(() => pendingByHost(lab)['brick-004'] === 0, 'entries healed by the crawl', 2500);
  t.deepEqual(lab.world.glusterfs.healing(), ['idle', 'idle']);
});

test('writes fail (EIO) while both bricks of a replica set are gone', async (t) => {
  const lab = await glusterLab(t);
  lab.world.glusterfs.signalBrick('brick-001', 'KILL');
  lab.world.glusterfs.signalBrick('brick-002', 'KILL');
  lab.world.glusterfs.setWriteRate(40);
  await eventually(() => lab.world.glusterfs.writeStats().failed >= 5, 'failed writes', 2000);
  t.true(lab.world.glusterfs.writeStats().written > 0, 'the other replica set still takes writes');
  t.deepEqual(pendingByHost(lab), { 'brick-001': 0, 'brick-002': 0, 'brick-003': 0, 'brick-004': 0 });
});

test('the heal rate is steerable: entries drain at the rate set', async (t) => {
  const lab = await glusterLab(t, { writeRate: 200 });
  lab.world.glusterfs.signalBrick('brick-002', 'KILL');
  await eventually(() => pendingByHost(lab)['brick-001']! >= 100, 'entries on brick-001', 2000);
  lab.world.glusterfs.setWriteRate(0);
  lab.world.glusterfs.setHealRate(1);
  await gluster(lab, 'brick-001', 'volume', 'start', 'home', 'force');
  const heal = await sshRun(lab, 'brick-001', ['gluster', 'volume', 'heal', 'home']);
  t.is(heal.code, 0);
  const start = pendingByHost(lab)['brick-001'] ?? 0;
  const from = lab.world.clock.now();
  await simSleep(lab, 20_000);
  const seconds = (lab.world.clock.now() - from) / 1000;
  const healed = start - (pendingByHost(lab)['brick-001'] ?? 0);
  t.true(Math.abs(healed - seconds) <= 2, `healed ${healed} entries in ${seconds} s at 1 entry/s`);
});
