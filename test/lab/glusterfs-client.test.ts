/**
 * The FUSE mount on worker-001: dd writes a file, cat reads it, rm -f removes it; a file's
 * replica set decides which bricks it needs — with one brick gone the write succeeds and
 * leaves a heal entry, with both gone it fails with "Transport endpoint is not connected",
 * and a frozen brick makes the call wait out network.ping-timeout first.
 */
import test from 'ava';
import type { Lab } from '../../src/lab/index.js';
import { glusterLab, lastTookMs, pendingByHost, sshRun } from './glusterfs-helpers.js';

/** A path under the mount that DHT places in replica set `set`. */
function pathIn(lab: Lab, set: number, stem = 'probe'): string {
  for (let i = 0; ; i += 1) {
    const path = `/mnt/home/gameday/${stem}-${i}`;
    if (lab.world.glusterfs.mount.replicaSetOf(path) === set) return path;
  }
}

test('dd writes a file through the mount, cat reads it back, rm -f removes it', async (t) => {
  const lab = await glusterLab(t);
  const path = '/mnt/home/gameday/probe-1';
  t.deepEqual(await sshRun(lab, 'worker-001', ['dd', `of=${path}`, 'conv=fsync', 'status=none'], 'written by gameday\n'), { code: 0, stdout: '', stderr: '' });
  t.deepEqual(lab.world.glusterfs.mount.list(), [path]);
  t.deepEqual(await sshRun(lab, 'worker-001', ['cat', '--', path]), { code: 0, stdout: 'written by gameday\n', stderr: '' });
  t.deepEqual(await sshRun(lab, 'worker-001', ['rm', '-f', '--', path]), { code: 0, stdout: '', stderr: '' });
  t.deepEqual(await sshRun(lab, 'worker-001', ['cat', '--', path]), { code: 1, stdout: '', stderr: `cat: ${path}: No such file or directory\n` });
  t.is((await sshRun(lab, 'worker-001', ['rm', '-f', '--', path])).code, 0, 'rm -f of a missing file is no error');
  t.deepEqual(pendingByHost(lab), { 'brick-001': 0, 'brick-002': 0, 'brick-003': 0, 'brick-004': 0 });
});

test('paths outside the mount, and the brick hosts, have no such file', async (t) => {
  const lab = await glusterLab(t);
  t.deepEqual(await sshRun(lab, 'worker-001', ['dd', 'of=/tmp/x', 'conv=fsync', 'status=none'], 'x'), { code: 1, stdout: '', stderr: "dd: failed to open '/tmp/x': No such file or directory\n" });
  t.deepEqual(await sshRun(lab, 'brick-001', ['dd', 'of=/mnt/home/x', 'conv=fsync', 'status=none'], 'x'), { code: 1, stdout: '', stderr: "dd: failed to open '/mnt/home/x': No such file or directory\n" });
  t.is((await sshRun(lab, 'worker-001', ['cat', '--', '/mnt/home/../etc/passwd'])).code, 1);
  t.deepEqual(lab.world.glusterfs.mount.list(), []);
});

test('one brick of the set gone: the write succeeds and leaves a heal entry; both gone: ENOTCONN, the other set unaffected', async (t) => {
  const lab = await glusterLab(t);
  lab.world.glusterfs.signalBrick('brick-003', 'KILL');
  const degraded = pathIn(lab, 1, 'degraded');
  t.is((await sshRun(lab, 'worker-001', ['dd', `of=${degraded}`, 'conv=fsync', 'status=none'], 'one copy')).code, 0);
  t.like(pendingByHost(lab), { 'brick-003': 0, 'brick-004': 1 });
  lab.world.glusterfs.signalBrick('brick-004', 'KILL');
  const lost = pathIn(lab, 1, 'lost');
  t.deepEqual(await sshRun(lab, 'worker-001', ['dd', `of=${lost}`, 'conv=fsync', 'status=none'], 'nowhere'), { code: 1, stdout: '', stderr: `dd: failed to open '${lost}': Transport endpoint is not connected\n` });
  t.deepEqual(await sshRun(lab, 'worker-001', ['cat', '--', degraded]), { code: 1, stdout: '', stderr: `cat: ${degraded}: Transport endpoint is not connected\n` });
  t.regex((await sshRun(lab, 'worker-001', ['rm', '-f', '--', degraded])).stderr, /^rm: cannot remove '.*': Transport endpoint is not connected\n$/);
  const fine = pathIn(lab, 0, 'fine');
  t.is((await sshRun(lab, 'worker-001', ['dd', `of=${fine}`, 'conv=fsync', 'status=none'], 'two copies')).code, 0);
  t.deepEqual(lab.world.glusterfs.mount.list().sort(), [degraded, fine].sort());
});

test('a frozen brick makes the call wait network.ping-timeout, then the write lands on its partner', async (t) => {
  const lab = await glusterLab(t);
  t.is(lab.world.glusterfs.options.set('network.ping-timeout', '60'), undefined, 'long enough to outlast the SSH handshake');
  lab.world.glusterfs.signalBrick('brick-001', 'STOP');
  const frozenSince = lab.world.glusterfs.brick('brick-001')?.frozenSince ?? 0;
  const path = pathIn(lab, 0, 'frozen');
  t.is((await sshRun(lab, 'worker-001', ['dd', `of=${path}`, 'conv=fsync', 'status=none'], 'late')).code, 0);
  t.true(lastTookMs(lab, 'worker-001') > 0, 'the write waited');
  t.true((lab.world.glusterfs.commands('worker-001').at(-1)?.finishedAt ?? 0) >= frozenSince + 60_000, 'until the client gave up on the frozen brick');
  t.like(pendingByHost(lab), { 'brick-001': 0, 'brick-002': 1 });
  t.is((await sshRun(lab, 'worker-001', ['cat', '--', path])).stdout, 'late');
  t.true(lastTookMs(lab, 'worker-001') < 1000, 'once given up on, the brick is skipped at once');
});
