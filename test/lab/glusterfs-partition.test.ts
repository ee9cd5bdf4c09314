/**
 * A brick host cut off with gameday's iptables rules: its peers see it disconnected, its
 * brick and self-heal daemon vanish from `volume status` elsewhere, writes leave heal
 * entries on its partner, SSH still works; the rules are listed by `iptables -S` in
 * iptables' own form, `-D` takes either form, a TTL sleeper removes them on time, and a
 * past `--datestop` leaves them inert. Once the rules go, the entries drain.
 */
import test from 'ava';
import { eventually } from './helpers.js';
import {
  elementPaths, fixture, gluster, glusterLab, healBricks, iptablesTime, partition, PARTITION_RULES, partitionRule, peers, pendingByHost, simSleep, sshRun, statusNodes,
} from './glusterfs-helpers.js';

const COMMENT = 'gameday:run-7/f1';

test('a partitioned brick host: peers disconnected, its brick absent elsewhere, heal entries grow, then drain after -D', async (t) => {
  const lab = await glusterLab(t, { writeRate: 40 });
  await partition(lab, 'brick-003', COMMENT);
  t.true(lab.world.glusterfs.cutOff('brick-003'));

  const fromPeer = await gluster(lab, 'brick-001', 'peer', 'status');
  t.deepEqual(elementPaths(fromPeer.stdout), elementPaths(fixture('peer-status-partitioned.xml')));
  t.deepEqual(peers(fromPeer.stdout).map((p) => `${p.hostname}=${p.connected}`), ['brick-002=1', 'brick-003=0', 'brick-004=1']);
  const fromInside = await gluster(lab, 'brick-003', 'peer', 'status');
  t.deepEqual(peers(fromInside.stdout).map((p) => p.connected), ['0', '0', '0']);

  const status = await gluster(lab, 'brick-001', 'volume', 'status', 'home');
  t.deepEqual(elementPaths(status.stdout), elementPaths(fixture('volume-status-partitioned.xml')));
  const nodes = statusNodes(status.stdout).map((n) => `${n.hostname} ${n.path}`);
  t.false(nodes.includes('brick-003 /bricks/home'));
  t.false(nodes.includes('Self-heal Daemon brick-003'));
  t.is(nodes.length, 6);
  const inside = statusNodes((await gluster(lab, 'brick-003', 'volume', 'status', 'home')).stdout).map((n) => `${n.hostname} ${n.path}`);
  t.deepEqual(inside, ['brick-003 /bricks/home', 'Self-heal Daemon localhost']);

  await eventually(() => pendingByHost(lab)['brick-004']! >= 10, 'entries on brick-004', 2000);
  const summary = await gluster(lab, 'brick-001', 'volume', 'heal', 'home', 'info', 'summary');
  t.deepEqual(elementPaths(summary.stdout), elementPaths(fixture('heal-info-summary-partitioned.xml')));
  t.like(healBricks(summary.stdout)[2], { '@hostUuid': '-', name: 'brick-003:/bricks/home' });

  const listed = await sshRun(lab, 'brick-003', ['iptables', '-w', '-S']);
  t.is(listed.stdout, [
    '-P INPUT ACCEPT', '-P FORWARD ACCEPT', '-P OUTPUT ACCEPT',
    `-A INPUT ! -i lo ! -p tcp -m comment --comment "${COMMENT}" -j DROP`,
    `-A INPUT ! -i lo -p tcp -m tcp ! --dport 22 -m comment --comment "${COMMENT}" -j DROP`,
    `-A OUTPUT ! -o lo ! -p tcp -m comment --comment "${COMMENT}" -j DROP`,
    `-A OUTPUT ! -o lo -p tcp -m tcp ! --sport 22 -m comment --comment "${COMMENT}" -j DROP`,
    '',
  ].join('\n'));

  lab.world.glusterfs.setWriteRate(0);
  const [tcpIn, otherIn, tcpOut, otherOut] = PARTITION_RULES;
  t.is((await sshRun(lab, 'brick-003', ['iptables', '-w', '-D', 'INPUT', '!', '-i', 'lo', '-p', 'tcp', '-m', 'tcp', '!', '--dport', '22', '-m', 'comment', '--comment', COMMENT, '-j', 'DROP'])).code, 0, '-D in the -S form');
  for (const rule of [otherIn, tcpOut, otherOut]) t.is((await sshRun(lab, 'brick-003', partitionRule('-D', rule ?? [], COMMENT))).code, 0, '-D in the inserted form');
  t.deepEqual(lab.world.glusterfs.rules('brick-003'), []);
  const again = await sshRun(lab, 'brick-003', partitionRule('-D', tcpIn ?? [], COMMENT));
  t.deepEqual(again, { code: 1, stdout: '', stderr: 'iptables: Bad rule (does a matching rule exist in that chain?).\n' });
  t.true(lab.world.glusterfs.connected('brick-001', 'brick-003'));
  await eventually(() => pendingByHost(lab)['brick-004'] === 0, 'entries drained after the rules went', 2500);
});

test('a TTL sleeper removes the rules with its comment after SECONDS of simulated time', async (t) => {
  const lab = await glusterLab(t);
  await partition(lab, 'brick-002', COMMENT);
  await partition(lab, 'brick-002', 'someone-else');
  const script = 'sleep "$1"; for c in INPUT OUTPUT; do while iptables -w -S "$c" | grep -qF -- "$2"; do :; done; done';
  const sleeper = await sshRun(lab, 'brick-002', ['setsid', '-f', 'sh', '-c', script, 'gameday-ttl', '60', COMMENT]);
  t.deepEqual(sleeper, { code: 0, stdout: '', stderr: '' });
  await simSleep(lab, 10_000);
  t.is(lab.world.glusterfs.rules('brick-002').length, 8);
  await eventually(() => lab.world.glusterfs.rules('brick-002').length === 4, 'the sleeper removed its rules', 2500);
  t.true(lab.world.glusterfs.rules('brick-002').every((line) => line.includes('someone-else')));
});

test('rules whose --datestop has passed are listed but inert; rules in time cut the host off until their datestop', async (t) => {
  const lab = await glusterLab(t);
  await partition(lab, 'brick-004', 'gameday:past', iptablesTime(lab.world.clock.now() - 60_000));
  t.is(lab.world.glusterfs.rules('brick-004').length, 4);
  t.regex(lab.world.glusterfs.rules('brick-004')[0] ?? '', / -m time --datestop \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d -j DROP$/);
  t.false(lab.world.glusterfs.cutOff('brick-004'));
  t.deepEqual(peers((await gluster(lab, 'brick-001', 'peer', 'status')).stdout).map((p) => p.connected), ['1', '1', '1']);

  await partition(lab, 'brick-001', 'gameday:soon', iptablesTime(lab.world.clock.now() + 90_000));
  t.true(lab.world.glusterfs.cutOff('brick-001'));
  t.is(lab.world.glusterfs.seenFrom('brick-002')['brick-001:/bricks/home'], 'absent');
  await eventually(() => !lab.world.glusterfs.cutOff('brick-001'), 'the datestop passed', 3000);
  t.is(lab.world.glusterfs.rules('brick-001').length, 4, 'the rules stay until someone deletes them');
});

test('iptables answers its own errors: bad dates exit 2, unknown chains and missing rules exit 1', async (t) => {
  const lab = await glusterLab(t);
  const badDate = await sshRun(lab, 'brick-001', partitionRule('-I', PARTITION_RULES[0] ?? [], COMMENT, '2026-13-01T00:00:00'));
  t.is(badDate.code, 2);
  t.regex(badDate.stderr, /Invalid date "2026-13-01T00:00:00" specified/);
  const noChain = await sshRun(lab, 'brick-001', ['iptables', '-w', '-S', 'NOPE']);
  t.deepEqual(noChain, { code: 1, stdout: '', stderr: 'iptables: No chain/target/match by that name.\n' });
  const check = await sshRun(lab, 'brick-001', partitionRule('-C', PARTITION_RULES[1] ?? [], COMMENT));
  t.is(check.code, 1);
  t.deepEqual(lab.world.glusterfs.rules('brick-001'), []);
});
