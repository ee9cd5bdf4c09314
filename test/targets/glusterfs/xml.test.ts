import { readFileSync } from 'node:fs';
import test from 'ava';
import { TargetError } from '../../../src/errors.js';
import { parseCliOutput, parseHealInfo, parsePeerStatus, parseVolumeInfo, parseVolumeStatus } from '../../../src/targets/glusterfs/cli/xml.js';
import { bestStatus, redundancySets } from '../../../src/targets/glusterfs/common/bricks.js';

const fixture = (name: string) => parseCliOutput(readFileSync(new URL(`../../fixtures/glusterfs/${name}.xml`, import.meta.url), 'utf8'), name);

test('volume info: replica 3 volume with its bricks, host uuids and options', (t) => {
  const [info] = parseVolumeInfo(fixture('volume-info').root);
  t.is(info?.name, 'home');
  t.is(info?.status, 'Started');
  t.is(info?.type, 'Replicate');
  t.is(info?.replicaCount, 3);
  t.deepEqual(info?.bricks.map((b) => [b.host, b.path]), [['10.231.0.11', '/bricks/home'], ['10.231.0.12', '/bricks/home'], ['10.231.0.13', '/bricks/home']]);
  t.is(info?.bricks[1]?.hostUuid, '003d3c0e-4f97-454e-bbe9-6ec663858c59');
  t.is(info?.options['network.ping-timeout'], '5');
});

test('volume info without a name lists every volume; a missing volume is opRet -1 with its message', (t) => {
  t.is(parseVolumeInfo(fixture('volume-info-all').root).length, 2);
  const missing = fixture('volume-info-missing');
  t.is(missing.outcome.opRet, -1);
  t.is(missing.outcome.opErrstr, 'Volume does not exist');
  t.deepEqual(parseVolumeInfo(missing.root), []);
});

test('replica sets follow volume order: 2 x 3 distributed-replicate gives two sets of three', (t) => {
  const [info] = parseVolumeInfo(fixture('volume-info-distributed-replicate').root);
  t.truthy(info);
  const sets = redundancySets(info!);
  t.is(sets.length, 2);
  t.deepEqual(sets[0], ['10.231.0.11:/bricks/s1', '10.231.0.12:/bricks/s1', '10.231.0.13:/bricks/s1']);
  t.deepEqual(redundancySets({ ...info!, replicaCount: 1, disperseCount: 0 }), []);
});

test('volume status: bricks with pid and port, self-heal daemons apart; a killed brick is offline with no pid', (t) => {
  const [status] = parseVolumeStatus(fixture('volume-status').root);
  t.is(status?.bricks.length, 3);
  t.is(status?.selfHeal.length, 3);
  t.deepEqual(status?.bricks[0], { host: '10.231.0.11', path: '/bricks/home', peerId: '1a08a32d-e1cf-40b1-95d8-9caf38e77665', online: true, port: 54513, pid: 20541 });
  const [killed] = parseVolumeStatus(fixture('volume-status-brick-killed').root);
  t.deepEqual(killed?.bricks.find((b) => b.host === '10.231.0.12'), { host: '10.231.0.12', path: '/bricks/home', peerId: '003d3c0e-4f97-454e-bbe9-6ec663858c59', online: false, port: null, pid: null });
});

test('the best status view is the one seeing most bricks online; a partitioned peer omits the brick it cannot reach', (t) => {
  const [full] = parseVolumeStatus(fixture('volume-status').root);
  const [partitioned] = parseVolumeStatus(fixture('volume-status-partitioned').root);
  t.is(partitioned?.bricks.length, 2);
  const best = bestStatus([{ host: 'a', value: partitioned! }, { host: 'b', error: 'no answer' }, { host: 'c', value: full! }]);
  t.is(best?.host, 'c');
  t.is(bestStatus([{ host: 'a', error: 'x' }]), undefined);
});

test('heal info summary: counts per brick; an unreachable brick has no counts and a readable status', (t) => {
  const healthy = parseHealInfo(fixture('heal-info-summary').root);
  t.deepEqual(healthy.map((b) => b.total), [0, 0, 0]);
  const partitioned = parseHealInfo(fixture('heal-info-summary-partitioned').root);
  t.deepEqual(partitioned.map((b) => b.total), [41, 41, null]);
  t.false(partitioned[2]?.connected);
  t.is(partitioned[2]?.status, 'Failed to process entries completely. (Transport endpoint is not connected)');
  t.deepEqual(parseHealInfo(fixture('heal-info').root).map((b) => b.total), [0, 0, 0]);
  t.is(fixture('heal-info-summary-missing').outcome.opErrstr, 'Volume nope does not exist');
});

test('peer status: the other peers with their connection state', (t) => {
  t.deepEqual(parsePeerStatus(fixture('peer-status').root).map((p) => [p.hostname, p.connected]), [['10.231.0.12', true], ['10.231.0.13', true]]);
  t.deepEqual(parsePeerStatus(fixture('peer-status-partitioned').root).map((p) => [p.hostnames, p.connected]), [[['10.231.0.12'], true], [['10.231.0.13'], false]]);
});

test('output that is not gluster XML is a non-retryable error naming the command', (t) => {
  const err = t.throws(() => parseCliOutput('Connection failed. Please check if gluster daemon is operational.', 'volume info home'), { instanceOf: TargetError });
  t.regex(err.message, /volume info home: output has no <cliOutput>/);
  t.false((err as TargetError).retryable);
});
