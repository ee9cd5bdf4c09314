/**
 * Brick processes over SSH: `ps` shows a brick's command line on its own host, `kill`
 * stops, freezes or resumes it, `volume status` shows a killed brick with pid -1 and a
 * frozen one as online, `volume start force` restarts killed bricks with a new pid and port
 * — but not a brick of a peer it is disconnected from — and a VM that reboots brings its
 * brick back by itself.
 */
import test from 'ava';
import { BRICK_PORTS } from '../../src/lab/glusterfs/bricks.js';
import { eventually } from './helpers.js';
import { elementPaths, fixture, gluster, glusterLab, partition, PARTITION_RULES, partitionRule, sshRun, statusNodes, statusPid } from './glusterfs-helpers.js';

test('ps shows the brick\'s glusterfsd command line on its own host only', async (t) => {
  const lab = await glusterLab(t);
  const brick = lab.world.glusterfs.brick('brick-002');
  const uuid = lab.world.glusterfs.hosts.get('brick-002')?.uuid ?? '';
  const ps = await sshRun(lab, 'brick-002', ['ps', '-o', 'args=', '-p', String(brick?.pid)]);
  t.is(ps.code, 0);
  t.regex(ps.stdout, new RegExp(
    `^/usr/sbin/glusterfsd -s brick-002 --volfile-id home\\.brick-002\\.bricks-home -p /var/run/gluster/vols/home/brick-002-bricks-home\\.pid ` +
    `-S /var/run/gluster/[0-9a-f]{16}\\.socket --brick-name /bricks/home -l /var/log/glusterfs/bricks/bricks-home\\.log ` +
    `--xlator-option \\*-posix\\.glusterd-uuid=${uuid} --process-name brick --brick-port ${brick?.port} --xlator-option home-server\\.listen-port=${brick?.port}\\n$`,
  ));
  const elsewhere = await sshRun(lab, 'brick-001', ['ps', '-o', 'args=', '-p', String(brick?.pid)]);
  t.deepEqual(elsewhere, { code: 1, stdout: '', stderr: '' });
  const wrongHost = await sshRun(lab, 'brick-001', ['kill', '-KILL', String(brick?.pid)]);
  t.deepEqual(wrongHost, { code: 1, stdout: '', stderr: `kill: (${brick?.pid}) - No such process\n` });
  t.is(lab.world.glusterfs.brick('brick-002')?.state, 'running');
});

test('a killed brick shows status 0, port N/A and pid -1; volume start force brings it back with a new pid and port', async (t) => {
  const lab = await glusterLab(t);
  const pid = await statusPid(lab, 'brick-001', 'brick-002');
  t.truthy(pid);
  t.is((await sshRun(lab, 'brick-002', ['kill', '-KILL', pid ?? ''])).code, 0);
  const killed = await gluster(lab, 'brick-001', 'volume', 'status', 'home');
  t.deepEqual(elementPaths(killed.stdout), elementPaths(fixture('volume-status-brick-killed.xml')));
  t.like(statusNodes(killed.stdout).find((n) => n.hostname === 'brick-002'), { status: '0', port: 'N/A', ports: { tcp: 'N/A', rdma: 'N/A' }, pid: '-1' });
  t.is((await sshRun(lab, 'brick-002', ['ps', '-o', 'args=', '-p', pid ?? ''])).code, 1);
  t.is((await sshRun(lab, 'brick-002', ['kill', '-KILL', pid ?? ''])).stderr, `kill: (${pid}) - No such process\n`);

  const start = await gluster(lab, 'brick-003', 'volume', 'start', 'home', 'force');
  t.is(start.code, 0);
  const node = statusNodes((await gluster(lab, 'brick-001', 'volume', 'status', 'home')).stdout).find((n) => n.hostname === 'brick-002');
  t.is(node?.status, '1');
  t.not(node?.pid, pid);
  const port = Number(node?.port);
  t.true(port >= BRICK_PORTS.min && port <= BRICK_PORTS.max);
  t.is(node?.ports.tcp, node?.port);
  t.regex((await sshRun(lab, 'brick-002', ['ps', '-o', 'args=', '-p', node?.pid ?? ''])).stdout, new RegExp(`--brick-port ${port} `));
});

test('a frozen brick still shows online with its pid; SIGCONT resumes it', async (t) => {
  const lab = await glusterLab(t);
  const pid = String(lab.world.glusterfs.brick('brick-004')?.pid);
  t.is((await sshRun(lab, 'brick-004', ['kill', '-STOP', pid])).code, 0);
  t.is(lab.world.glusterfs.brick('brick-004')?.state, 'frozen');
  t.false(lab.world.glusterfs.brick('brick-004')?.availableToClients);
  t.like(statusNodes((await gluster(lab, 'brick-003', 'volume', 'status', 'home')).stdout).find((n) => n.hostname === 'brick-004'), { status: '1', pid });
  t.is((await sshRun(lab, 'brick-004', ['ps', '-o', 'args=', '-p', pid])).code, 0);
  t.is((await sshRun(lab, 'brick-004', ['kill', '-CONT', pid])).code, 0);
  t.like(lab.world.glusterfs.brick('brick-004'), { state: 'running', availableToClients: true, pid: Number(pid) });
});

test('volume start force answers success but leaves a killed brick of a disconnected peer down', async (t) => {
  const lab = await glusterLab(t);
  const pid = String(lab.world.glusterfs.brick('brick-002')?.pid);
  await sshRun(lab, 'brick-002', ['kill', '-KILL', pid]);
  await partition(lab, 'brick-002', 'gameday:run-1/f1');
  t.false(lab.world.glusterfs.connected('brick-001', 'brick-002'));
  const start = await gluster(lab, 'brick-001', 'volume', 'start', 'home', 'force');
  t.is(start.code, 0);
  t.regex(start.stdout, /<opRet>0<\/opRet>/);
  t.is(lab.world.glusterfs.brick('brick-002')?.state, 'killed');
  for (const rule of PARTITION_RULES) t.is((await sshRun(lab, 'brick-002', partitionRule('-D', rule, 'gameday:run-1/f1'))).code, 0);
  await gluster(lab, 'brick-001', 'volume', 'start', 'home', 'force');
  t.is(lab.world.glusterfs.brick('brick-002')?.state, 'running');
  t.not(lab.world.glusterfs.brick('brick-002')?.pid, Number(pid));
});

test('a VM that stops loses its brick and its rules; when it starts, glusterd brings the brick back with a new pid', async (t) => {
  const lab = await glusterLab(t);
  const before = lab.world.glusterfs.brick('brick-003');
  await partition(lab, 'brick-003', 'gameday:run-2/f1');
  lab.world.openstack.act('brick-003', 'os-stop');
  await eventually(() => lab.world.openstack.server('brick-003')?.status === 'SHUTOFF', 'brick-003 SHUTOFF', 2000);
  t.is(lab.world.glusterfs.brick('brick-003')?.state, 'killed');
  t.deepEqual(lab.world.glusterfs.rules('brick-003'), []);
  t.deepEqual(lab.world.glusterfs.seenFrom('brick-001')['brick-003:/bricks/home'], 'absent');
  lab.world.openstack.act('brick-003', 'os-start');
  await eventually(() => lab.world.openstack.running('brick-003'), 'brick-003 ACTIVE', 2000);
  const after = lab.world.glusterfs.brick('brick-003');
  t.is(after?.state, 'running');
  t.not(after?.pid, before?.pid);
  t.is(lab.world.glusterfs.seenFrom('brick-001')['brick-003:/bricks/home'], 'online');
});
