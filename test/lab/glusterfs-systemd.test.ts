/**
 * systemd on the lab's hosts, over real SSH: systemctl's outputs and exit codes as systemd
 * 252 gives them, the units' main processes in /proc, pgrep and kill, Restart=always, and
 * the couplings: glusterd stopped takes the host out of the pool's management (its bricks
 * keep serving), ssh stopped refuses new connections, a reboot starts every unit again.
 */
import test from 'ava';
import { eventually } from './helpers.js';
import { gluster, glusterLab, peers, simSleep, sshRun, statusNodes } from './glusterfs-helpers.js';

test('systemctl is-active prints the state and exits 0 when active, 3 otherwise; unknown units are inactive', async (t) => {
  const lab = await glusterLab(t);
  t.deepEqual(await sshRun(lab, 'brick-001', ['systemctl', 'is-active', 'glusterd']), { code: 0, stdout: 'active\n', stderr: '' });
  t.deepEqual(await sshRun(lab, 'brick-001', ['systemctl', 'is-active', 'nosuch.service']), { code: 3, stdout: 'inactive\n', stderr: '' });
  t.deepEqual(await sshRun(lab, 'worker-001', ['systemctl', 'is-active', 'glusterd']), { code: 3, stdout: 'inactive\n', stderr: '' }, 'the client runs no glusterd');
  t.deepEqual(await sshRun(lab, 'worker-001', ['systemctl', 'is-active', '--quiet', 'kubelet']), { code: 0, stdout: '', stderr: '' });
  t.deepEqual(await sshRun(lab, 'brick-002', ['systemctl', 'is-enabled', 'sshd']), { code: 0, stdout: 'alias\n', stderr: '' });
  t.deepEqual(await sshRun(lab, 'brick-002', ['systemctl', 'is-enabled', 'nosuch']), { code: 1, stdout: '', stderr: 'Failed to get unit file state for nosuch.service: No such file or directory\n' });
  t.deepEqual(await sshRun(lab, 'brick-002', ['systemctl', 'frobnicate', 'ssh']), { code: 1, stdout: '', stderr: 'Unknown command verb frobnicate.\n' });
  t.deepEqual(await sshRun(lab, 'brick-002', ['systemctl', '--bogus', 'is-active', 'ssh']), { code: 1, stdout: '', stderr: "systemctl: unrecognized option '--bogus'\n" });
});

test('systemctl show prints the asked properties in systemd\'s order; an unknown unit is not-found with exit 0', async (t) => {
  const lab = await glusterLab(t);
  const pid = lab.world.glusterfs.units.view('brick-003', 'glusterd')?.mainPid;
  const shown = await sshRun(lab, 'brick-003', ['systemctl', 'show', '-p', 'UnitFileState', '-p', 'ActiveState', '--property=MainPID,LoadState,SubState', 'glusterd']);
  t.deepEqual(shown, { code: 0, stdout: `MainPID=${pid}\nLoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n`, stderr: '' });
  t.deepEqual(await sshRun(lab, 'brick-003', ['systemctl', 'show', '-p', 'LoadState', '-p', 'ActiveState', '-p', 'MainPID', 'nosuch']), {
    code: 0, stdout: 'MainPID=0\nLoadState=not-found\nActiveState=inactive\n', stderr: '',
  });
  t.is((await sshRun(lab, 'brick-003', ['systemctl', 'show', '--value', '-p', 'Names', 'sshd'])).stdout, 'ssh.service sshd.service\n');
});

test('stop and start: silent with exit 0, idempotent; an unknown unit fails with exit 5 and systemd\'s message', async (t) => {
  const lab = await glusterLab(t);
  const before = lab.world.glusterfs.units.view('worker-001', 'containerd')?.mainPid;
  t.deepEqual(await sshRun(lab, 'worker-001', ['systemctl', 'stop', 'containerd']), { code: 0, stdout: '', stderr: '' });
  t.deepEqual(await sshRun(lab, 'worker-001', ['systemctl', 'stop', 'containerd']), { code: 0, stdout: '', stderr: '' });
  t.deepEqual(await sshRun(lab, 'worker-001', ['systemctl', 'is-active', 'containerd']), { code: 3, stdout: 'inactive\n', stderr: '' });
  t.deepEqual(await sshRun(lab, 'worker-001', ['systemctl', 'start', 'containerd.service']), { code: 0, stdout: '', stderr: '' });
  const after = lab.world.glusterfs.units.view('worker-001', 'containerd')?.mainPid;
  t.not(after, before);
  await sshRun(lab, 'worker-001', ['systemctl', 'start', 'containerd']);
  t.is(lab.world.glusterfs.units.view('worker-001', 'containerd')?.mainPid, after, 'start on an active unit changes nothing');
  t.deepEqual(await sshRun(lab, 'worker-001', ['systemctl', 'stop', 'nosuch']), { code: 5, stdout: '', stderr: 'Failed to stop nosuch.service: Unit nosuch.service not loaded.\n' });
  t.deepEqual(await sshRun(lab, 'worker-001', ['systemctl', 'start', 'nosuch']), { code: 5, stdout: '', stderr: 'Failed to start nosuch.service: Unit nosuch.service not found.\n' });
});

test('a unit\'s main process is in /proc and its pidfile; pgrep -f -x matches whole lines only; SIGKILL fails a unit without Restart=', async (t) => {
  const lab = await glusterLab(t);
  const pid = String(lab.world.glusterfs.units.view('brick-002', 'glusterd')?.mainPid);
  t.deepEqual(await sshRun(lab, 'brick-002', ['cat', '--', '/run/glusterd.pid']), { code: 0, stdout: `${pid}\n`, stderr: '' });
  const proc = await sshRun(lab, 'brick-002', ['cat', `/proc/${pid}/stat`, `/proc/${pid}/cmdline`]);
  t.is(proc.code, 0);
  const [stat = '', cmdline = ''] = proc.stdout.split(/\n(.*)/s);
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  t.true(stat.startsWith(`${pid} (glusterd) S `));
  t.is(fields.length + 2, 52, '52 fields');
  t.is(Number(fields[19]), 400, 'started 4 s after the host booted, in clock ticks (USER_HZ 100)');
  t.is(cmdline, '/usr/sbin/glusterd\0-p\0/run/glusterd.pid\0--log-level\0INFO\0');
  t.is((await sshRun(lab, 'brick-002', ['ps', '-o', 'args=', '-p', pid])).stdout, '/usr/sbin/glusterd -p /run/glusterd.pid --log-level INFO\n');
  t.deepEqual(await sshRun(lab, 'brick-002', ['pgrep', '-f', '-x', '--', '/usr/sbin/glusterd -p /run/glusterd\\.pid --log-level INFO']), { code: 0, stdout: `${pid}\n`, stderr: '' });
  t.is((await sshRun(lab, 'brick-002', ['pgrep', '-f', '-x', '--', '/usr/sbin/glusterd'])).code, 1, '-x: a prefix is no match');
  t.is((await sshRun(lab, 'brick-002', ['pgrep', '-f', 'glusterd -p'])).stdout, `${pid}\n`, 'without -x: anywhere in the line');

  t.deepEqual(await sshRun(lab, 'brick-002', ['kill', '-s', 'KILL', pid]), { code: 0, stdout: '', stderr: '' });
  t.deepEqual(await sshRun(lab, 'brick-002', ['systemctl', 'is-active', 'glusterd']), { code: 3, stdout: 'failed\n', stderr: '' });
  t.is((await sshRun(lab, 'brick-002', ['systemctl', 'show', '--value', '-p', 'Result', 'glusterd'])).stdout, 'signal\n');
  t.deepEqual(await sshRun(lab, 'brick-002', ['cat', `/proc/${pid}/stat`, '/run/glusterd.pid']), {
    code: 1, stdout: '', stderr: `cat: /proc/${pid}/stat: No such file or directory\ncat: /run/glusterd.pid: No such file or directory\n`,
  });
});

test('SIGSTOP freezes a unit\'s process (state T, still active); Restart=always brings a killed kubelet back after RestartSec', async (t) => {
  // slow enough that RestartSec (10 s simulated, 2 s real) outlasts the SSH round trips below
  const lab = await glusterLab(t, { speed: 5 });
  const units = lab.world.glusterfs.units;
  const ssh = String(units.view('worker-001', 'ssh')?.mainPid);
  const containerd = String(units.view('worker-001', 'containerd')?.mainPid);
  t.is((await sshRun(lab, 'worker-001', ['kill', '-STOP', containerd])).code, 0);
  t.regex((await sshRun(lab, 'worker-001', ['cat', `/proc/${containerd}/stat`])).stdout, new RegExp(`^${containerd} \\(containerd\\) T `));
  t.is((await sshRun(lab, 'worker-001', ['systemctl', 'is-active', 'containerd'])).stdout, 'active\n');
  t.is((await sshRun(lab, 'worker-001', ['kill', '-CONT', containerd])).code, 0);

  const kubelet = units.view('worker-001', 'kubelet')?.mainPid;
  t.is((await sshRun(lab, 'worker-001', ['kill', '-KILL', String(kubelet)])).code, 0);
  t.deepEqual(await sshRun(lab, 'worker-001', ['systemctl', 'is-active', 'kubelet']), { code: 3, stdout: 'activating\n', stderr: '' });
  t.is((await sshRun(lab, 'worker-001', ['systemctl', 'show', '--value', '-p', 'SubState', 'kubelet'])).stdout, 'auto-restart\n');
  await simSleep(lab, 10_500);
  const back = await eventually(() => units.view('worker-001', 'kubelet')?.active === 'active' && units.view('worker-001', 'kubelet'), 'kubelet restarted');
  t.not(back.mainPid, kubelet);
  t.is(String(units.view('worker-001', 'ssh')?.mainPid), ssh, 'other units untouched');
});

test('glusterd stopped: the CLI there fails, peers see the host disconnected without its bricks, the bricks keep serving; started again, all is back', async (t) => {
  const lab = await glusterLab(t);
  const pool = lab.world.glusterfs;
  t.is((await sshRun(lab, 'brick-002', ['systemctl', 'stop', 'glusterd'])).code, 0);
  t.deepEqual(await gluster(lab, 'brick-002', 'peer', 'status'), { code: 1, stdout: 'Connection failed. Please check if gluster daemon is operational.\n', stderr: '' });
  const seen = peers((await gluster(lab, 'brick-001', 'peer', 'status')).stdout);
  t.is(seen.find((p) => p.hostname === 'brick-002')?.connected, '0');
  t.is(seen.find((p) => p.hostname === 'brick-003')?.connected, '1');
  const nodes = statusNodes((await gluster(lab, 'brick-001', 'volume', 'status', 'home')).stdout);
  t.false(nodes.some((n) => n.hostname === 'brick-002'), 'its brick is not listed by a peer');
  t.false(nodes.some((n) => n.path === 'brick-002'), 'nor its self-heal daemon');
  t.true(pool.brick('brick-002')?.availableToClients, 'the brick process still serves clients');

  pool.signalBrick('brick-002', 'KILL');
  await gluster(lab, 'brick-001', 'volume', 'start', 'home', 'force');
  t.is(pool.brick('brick-002')?.state, 'killed', 'volume start force elsewhere cannot start the brick of a host without glusterd');
  t.is((await sshRun(lab, 'brick-002', ['systemctl', 'start', 'glusterd'])).code, 0);
  t.is(pool.brick('brick-002')?.state, 'running', 'glusterd starts its killed brick when it starts');
  t.is(peers((await gluster(lab, 'brick-001', 'peer', 'status')).stdout).find((p) => p.hostname === 'brick-002')?.connected, '1');
  t.is((await gluster(lab, 'brick-002', 'peer', 'status')).code, 0);
});

test('ssh stopped refuses new connections; after a power cycle every unit runs again with new pids', async (t) => {
  const lab = await glusterLab(t);
  const units = lab.world.glusterfs.units;
  t.is((await sshRun(lab, 'brick-004', ['systemctl', 'stop', 'ssh'])).code, 0);
  await t.throwsAsync(sshRun(lab, 'brick-004', ['true']));
  t.is(units.view('brick-004', 'ssh')?.active, 'inactive');
  const glusterd = units.view('brick-004', 'glusterd')?.mainPid;
  lab.world.openstack.act('brick-004', 'os-stop');
  await eventually(() => lab.world.openstack.server('brick-004')?.status === 'SHUTOFF', 'brick-004 SHUTOFF', 2000);
  lab.world.openstack.act('brick-004', 'os-start');
  await eventually(() => lab.world.openstack.running('brick-004') && units.view('brick-004', 'ssh')?.active === 'active', 'brick-004 booted', 2000);
  t.is((await sshRun(lab, 'brick-004', ['systemctl', 'is-active', 'ssh', 'glusterd'])).stdout, 'active\nactive\n');
  t.not(units.view('brick-004', 'glusterd')?.mainPid, glusterd);
});
