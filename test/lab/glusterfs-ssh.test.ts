/**
 * The GlusterFS hosts' SSH servers: root with the lab's key only, host keys in the lab's
 * known_hosts (and in the state directory), one port per host, hosts whose VM is stopped or
 * isolated do not answer, the lab's shell runs simple commands only, the pool can be made
 * busy, and every command run is recorded.
 */
import test from 'ava';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { SSH_HOSTS, startLab, type Lab } from '../../src/lab/index.js';
import { eventually } from './helpers.js';
import { cliOutput, gluster, glusterLab, shellQuote, simSleep, sshRun, volumeOptions } from './glusterfs-helpers.js';

/** A key the lab never issued (one ssh2 can read back: its generator sometimes makes unreadable ones). */
function strangerKey(): string {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair.private;
  }
}

function portOf(lab: Lab, host: string): number {
  return lab.endpoints.glusterfs[host]?.port ?? 0;
}

test('every host has its own SSH port and host key, listed in known_hosts and written to the state directory', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gameday-lab-ssh-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const lab = await glusterLab(t, { stateDir: dir });
  t.deepEqual(Object.keys(lab.endpoints.glusterfs), [...SSH_HOSTS]);
  const ports = SSH_HOSTS.map((h) => portOf(lab, h));
  t.is(new Set(ports).size, 5);
  const lines = lab.knownHosts().trimEnd().split('\n');
  t.deepEqual(lines.map((l) => l.split(' ')[0]), ports.map((p) => `[127.0.0.1]:${p}`));
  t.true(lines.every((l) => /^\S+ ssh-ed25519 [A-Za-z0-9+/]+=*$/.test(l)));
  t.is(new Set(lines.map((l) => l.split(' ')[2])).size, 5, 'a key per host');
  t.is(lab.sshKeyPath, join(dir, 'ssh', 'id_ed25519'));
  t.is(await readFile(lab.sshKeyPath ?? '', 'utf8'), lab.sshClientKey);
  t.regex(lab.sshClientKey, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
  t.is((await stat(lab.sshKeyPath ?? '')).mode & 0o777, 0o600);
  t.is(await readFile(lab.knownHostsPath ?? '', 'utf8'), lab.knownHosts());
  // bracketed by the clock before and after the round trip (however long a loaded machine makes it)
  const before = Math.floor(lab.world.clock.now() / 1000);
  const date = await sshRun(lab, 'worker-001', ['date', '-u', '+%s']);
  const after = Math.ceil(lab.world.clock.now() / 1000);
  const answered = Number(date.stdout);
  t.true(answered >= before && answered <= after, `date answers the simulated clock (${answered}, between ${before} and ${after})`);
});

test('with a base port, the hosts listen on base+0..4 in the order brick-001..004, worker-001', async (t) => {
  let lab: Lab | undefined;
  for (let attempt = 0; !lab && attempt < 5; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    lab = await startLab({ ports: { kubernetes: 0, jupyterhub: 0, openstack: 0, glusterfs: base }, speed: 100 }).catch(() => undefined);
    if (lab) {
      const started = lab;
      t.teardown(() => started.close());
      t.deepEqual(SSH_HOSTS.map((h) => portOf(started, h)), [0, 1, 2, 3, 4].map((i) => base + i));
    }
  }
  t.truthy(lab, 'found five free consecutive ports');
});

test('only root with the lab\'s key gets in', async (t) => {
  const lab = await glusterLab(t);
  await t.throwsAsync(sshRun(lab, 'brick-001', ['date', '-u', '+%s'], undefined, { username: 'ubuntu' }), { message: /authentication methods failed/ });
  const stranger = strangerKey();
  await t.throwsAsync(sshRun(lab, 'brick-001', ['date', '-u', '+%s'], undefined, { privateKey: stranger }), { message: /authentication methods failed/ });
  t.is((await sshRun(lab, 'brick-001', ['date', '-u', '+%s'])).code, 0);
});

test('a host whose VM is stopped or isolated by Neutron does not answer SSH; iptables rules leave SSH open', async (t) => {
  const lab = await glusterLab(t);
  lab.world.openstack.act('brick-002', 'os-stop');
  await eventually(() => !lab.world.openstack.running('brick-002'), 'brick-002 not running', 2000);
  await t.throwsAsync(sshRun(lab, 'brick-002', ['date', '-u', '+%s']));
  const port = lab.world.openstack.ports().find((p) => p.deviceId === lab.world.openstack.server('worker-001')?.id);
  lab.world.openstack.changePort(port?.id ?? '', (p) => (p.adminStateUp = false));
  t.true(lab.world.openstack.isolated('worker-001'));
  await t.throwsAsync(sshRun(lab, 'worker-001', ['date', '-u', '+%s']));
  lab.world.openstack.changePort(port?.id ?? '', (p) => (p.adminStateUp = true));
  t.is((await sshRun(lab, 'worker-001', ['date', '-u', '+%s'])).code, 0);
  await sshRun(lab, 'brick-003', ['iptables', '-w', '-I', 'INPUT', '!', '-i', 'lo', '-p', 'tcp', '!', '--dport', '22', '-j', 'DROP']);
  await sshRun(lab, 'brick-003', ['iptables', '-w', '-I', 'OUTPUT', '!', '-o', 'lo', '-p', 'tcp', '!', '--sport', '22', '-j', 'DROP']);
  t.true(lab.world.glusterfs.cutOff('brick-003'));
  t.is((await sshRun(lab, 'brick-003', ['date', '-u', '+%s'])).code, 0);
});

test('the lab\'s shell splits quoted words and refuses unquoted metacharacters and unknown programs', async (t) => {
  const lab = await glusterLab(t);
  const value = `it's "quoted" $x`;
  const set = await sshRun(lab, 'brick-001', shellQuote(['gluster', '--mode=script', '--xml', 'volume', 'set', 'home', 'user.note', value]));
  t.is(cliOutput(set.stdout).opRet, '0');
  t.deepEqual(volumeOptions((await gluster(lab, 'brick-001', 'volume', 'info', 'home')).stdout)[0], ['user.note', value]);
  const pid = String(lab.world.glusterfs.brick('brick-001')?.pid);
  const chained = await sshRun(lab, 'brick-001', `date -u +%s; kill -KILL ${pid}`);
  t.is(chained.code, 127);
  t.regex(chained.stderr, /unquoted ';'/);
  t.is(lab.world.glusterfs.brick('brick-001')?.state, 'running');
  for (const line of ['cat /etc/passwd | head', 'echo $(id)', 'date > /tmp/x', 'kill -KILL `pidof x`', 'sleep 1 &']) {
    t.is((await sshRun(lab, 'brick-001', line)).code, 127, line);
  }
  t.deepEqual(await sshRun(lab, 'brick-001', ['uptime']), { code: 127, stdout: '', stderr: 'bash: uptime: command not found\n' });
  t.deepEqual(await sshRun(lab, 'worker-001', ['gluster', '--mode=script', '--xml', 'peer', 'status']), { code: 1, stdout: 'Connection failed. Please check if gluster daemon is operational.\n', stderr: '' });
});

test('busy(): lock-taking gluster commands answer "Another transaction is in progress" until the time has passed', async (t) => {
  const lab = await glusterLab(t);
  lab.world.glusterfs.busy(600_000);
  const status = await gluster(lab, 'brick-001', 'volume', 'status', 'home');
  t.is(status.code, 0);
  t.like(cliOutput(status.stdout), { opRet: '-1', opErrno: '30802', opErrstr: 'Another transaction is in progress for home. Please try again after some time.', cliOp: 'volStatus' });
  const start = await gluster(lab, 'brick-002', 'volume', 'start', 'home', 'force');
  t.like(cliOutput(start.stdout), { opRet: '-1', opErrstr: 'Another transaction is in progress for home. Please try again after some time.' });
  const heal = await sshRun(lab, 'brick-001', ['gluster', '--mode=script', '--xml', 'volume', 'heal', 'home']);
  t.deepEqual(heal, { code: 1, stdout: '', stderr: 'Launching heal operation to perform index self heal on volume home has been unsuccessful:\nAnother transaction is in progress for home. Please try again after some time.\n' });
  t.like(cliOutput((await gluster(lab, 'brick-001', 'volume', 'info', 'home')).stdout), { opRet: '0' });
  lab.world.glusterfs.busy(5_000);
  t.true(lab.world.glusterfs.isBusy());
  await simSleep(lab, 5_000);
  t.like(cliOutput((await gluster(lab, 'brick-001', 'volume', 'status', 'home')).stdout), { opRet: '0' });
});

test('every command run is recorded with its host, words and exit code', async (t) => {
  const lab = await glusterLab(t);
  await sshRun(lab, 'brick-003', ['date', '-u', '+%s']);
  await sshRun(lab, 'brick-003', ['kill', '-KILL', '1']);
  await sshRun(lab, 'brick-004', ['nope']);
  t.deepEqual(lab.world.glusterfs.commands('brick-003').map((c) => [c.argv.join(' '), c.code]), [['date -u +%s', 0], ['kill -KILL 1', 1]]);
  t.like(lab.world.glusterfs.commands()[2], { host: 'brick-004', argv: ['nope'], code: 127 });
});
