/**
 * The lab's `gluster --xml` answers, read over SSH, have the shapes captured from GlusterFS
 * 10.3 (test/fixtures/glusterfs): the same element paths, and the same text where the
 * answer does not depend on the pool (errors for a missing volume).
 */
import test from 'ava';
import { cliOutput, elementPaths, fixture, gluster, glusterLab, healBricks, peers, statusNodes, volumeOptions } from './glusterfs-helpers.js';

test('volume info describes home as a 2 x 2 Distributed-Replicate volume in the fixture\'s shape', async (t) => {
  const lab = await glusterLab(t);
  const one = await gluster(lab, 'brick-001', 'volume', 'info', 'home');
  t.is(one.code, 0);
  t.deepEqual(elementPaths(one.stdout), elementPaths(fixture('volume-info.xml')));
  const volume = cliOutput(one.stdout).volInfo?.volumes.volume?.[0] as unknown as Record<string, string>;
  t.like(volume, { name: 'home', id: lab.world.glusterfs.volumeId, status: '1', statusStr: 'Started', brickCount: '4', distCount: '2', replicaCount: '2', type: '7', typeStr: 'Distributed-Replicate' });
  t.regex(one.stdout, /<brick uuid="[0-9a-f-]{36}">brick-001:\/bricks\/home<name>brick-001:\/bricks\/home<\/name><hostUuid>[0-9a-f-]{36}<\/hostUuid><isArbiter>0<\/isArbiter><\/brick>/);
  t.deepEqual(volumeOptions(one.stdout).slice(0, 2), [['cluster.heal-timeout', '10'], ['network.ping-timeout', '5']]);
  const all = await gluster(lab, 'brick-003', 'volume', 'info');
  t.deepEqual(elementPaths(all.stdout), elementPaths(fixture('volume-info-all.xml')));
});

test('a missing volume answers exactly as GlusterFS does: volume info exits 0, heal info summary exits 254', async (t) => {
  const lab = await glusterLab(t);
  const info = await gluster(lab, 'brick-001', 'volume', 'info', 'nope');
  t.is(info.code, 0);
  t.is(info.stdout, fixture('volume-info-missing.xml'));
  const heal = await gluster(lab, 'brick-002', 'volume', 'heal', 'nope', 'info', 'summary');
  t.is(heal.code, 254);
  t.is(heal.stdout, fixture('heal-info-summary-missing.xml'));
  const status = await gluster(lab, 'brick-001', 'volume', 'status', 'nope');
  t.like(cliOutput(status.stdout), { opRet: '-1', opErrno: '30800', opErrstr: 'Volume nope does not exist', cliOp: 'volStatus' });
  t.is(status.code, 0);
});

test('volume status lists every brick, then the self-heal daemons (localhost first), in the fixture\'s shape', async (t) => {
  const lab = await glusterLab(t);
  const status = await gluster(lab, 'brick-002', 'volume', 'status', 'home');
  t.is(status.code, 0);
  t.deepEqual(elementPaths(status.stdout), elementPaths(fixture('volume-status.xml')));
  const nodes = statusNodes(status.stdout);
  t.deepEqual(nodes.map((n) => `${n.hostname} ${n.path}`), [
    'brick-001 /bricks/home', 'brick-002 /bricks/home', 'brick-003 /bricks/home', 'brick-004 /bricks/home',
    'Self-heal Daemon localhost', 'Self-heal Daemon brick-001', 'Self-heal Daemon brick-003', 'Self-heal Daemon brick-004',
  ]);
  t.is(cliOutput(status.stdout).volStatus?.volumes.volume[0]?.nodeCount, '8');
  const bricks = lab.world.glusterfs.bricks();
  for (const [i, brick] of bricks.entries()) {
    t.like(nodes[i], { status: '1', port: String(brick.port), ports: { tcp: String(brick.port), rdma: 'N/A' }, pid: String(brick.pid) });
  }
  t.like(nodes[4], { status: '1', port: 'N/A', ports: { tcp: 'N/A', rdma: 'N/A' } });
  const one = await gluster(lab, 'brick-002', 'volume', 'status', 'home', 'brick-003:/bricks/home');
  t.deepEqual(statusNodes(one.stdout).map((n) => n.hostname), ['brick-003']);
  t.notRegex(one.stdout, /<tasks\/>/);
});

test('heal info summary and heal info list every brick, Connected, in the fixtures\' shapes', async (t) => {
  const lab = await glusterLab(t);
  const summary = await gluster(lab, 'brick-001', 'volume', 'heal', 'home', 'info', 'summary');
  t.is(summary.code, 0);
  t.deepEqual(elementPaths(summary.stdout), elementPaths(fixture('heal-info-summary.xml')));
  t.deepEqual(healBricks(summary.stdout).map((b) => [b.name, b.status, b.totalNumberOfEntries]), [
    ['brick-001:/bricks/home', 'Connected', '0'], ['brick-002:/bricks/home', 'Connected', '0'],
    ['brick-003:/bricks/home', 'Connected', '0'], ['brick-004:/bricks/home', 'Connected', '0'],
  ]);
  t.is(healBricks(summary.stdout)[0]?.['@hostUuid'], lab.world.glusterfs.hosts.get('brick-001')?.uuid);
  const info = await gluster(lab, 'brick-001', 'volume', 'heal', 'home', 'info');
  t.deepEqual(elementPaths(info.stdout), elementPaths(fixture('heal-info.xml')));
});

test('peer status lists the other three peers, connected, in the fixture\'s shape', async (t) => {
  const lab = await glusterLab(t);
  const status = await gluster(lab, 'brick-004', 'peer', 'status');
  t.is(status.code, 0);
  t.deepEqual(elementPaths(status.stdout), elementPaths(fixture('peer-status.xml')));
  t.deepEqual(peers(status.stdout).map((p) => [p.hostname, p.connected, p.uuid]), ['brick-001', 'brick-002', 'brick-003'].map((h) => [h, '1', lab.world.glusterfs.hosts.get(h)?.uuid]));
});

test('volume start force answers in the fixture\'s shape', async (t) => {
  const lab = await glusterLab(t);
  const start = await gluster(lab, 'brick-001', 'volume', 'start', 'home', 'force');
  t.is(start.code, 0);
  t.deepEqual(elementPaths(start.stdout), elementPaths(fixture('volume-start-force.xml')));
  t.like(cliOutput(start.stdout), { opRet: '0', volStart: { volume: [{ name: 'home', id: lab.world.glusterfs.volumeId }] } });
});

test('volume set puts a user.* marker first in volume info, and volume reset takes it away (a second reset fails)', async (t) => {
  const lab = await glusterLab(t);
  const marker = 'user.gameday.run-1-f1';
  const set = await gluster(lab, 'brick-001', 'volume', 'set', 'home', marker, 'run=run-1,type=glusterfs.brick.kill');
  t.like(cliOutput(set.stdout), { opRet: '0', opErrno: '0', cliOp: 'volSet', output: 'Set volume successful' });
  const seen = await gluster(lab, 'brick-003', 'volume', 'info', 'home');
  t.deepEqual(volumeOptions(seen.stdout)[0], [marker, 'run=run-1,type=glusterfs.brick.kill']);
  const reset = await gluster(lab, 'brick-002', 'volume', 'reset', 'home', marker);
  t.like(cliOutput(reset.stdout), { opRet: '0', cliOp: 'volReset', output: 'reset volume successful' });
  t.false(volumeOptions((await gluster(lab, 'brick-001', 'volume', 'info', 'home')).stdout).some(([k]) => k === marker));
  const again = await gluster(lab, 'brick-002', 'volume', 'reset', 'home', marker);
  t.is(again.code, 0);
  t.like(cliOutput(again.stdout), { opRet: '-1', opErrstr: `Option ${marker} does not exist` });
  const unknown = await gluster(lab, 'brick-002', 'volume', 'set', 'home', 'no.such-option', 'x');
  t.like(cliOutput(unknown.stdout), { opRet: '-1', opErrstr: 'option : no.such-option does not exist', output: 'Set volume unsuccessful' });
});
