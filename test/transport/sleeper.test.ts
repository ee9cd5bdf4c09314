/**
 * The detached sleepers against real processes of this machine, through the local
 * transport: a sleeper outlives the transport that started it and acts at its time, checks
 * the start time before a SIGCONT, runs a command unless the process runs, is found and
 * ended by its tag (and only its own), and bad values are refused before anything runs.
 * Facts are read from /proc and the file system, never through the code under test.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { TargetError } from '../../src/errors.js';
import { LocalTransport } from '../../src/transport/local.js';
import { processStartTime, sleeperArgv, startSleeper, stopSleepers } from '../../src/transport/sleeper.js';

const local = (): LocalTransport => new LocalTransport('here', { timeoutMs: 10_000 });

function stat(pid: number): { state: string; startTime: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(') ') + 2).trim().split(' ');
    return { state: fields[0] ?? '?', startTime: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** A `sleep` of its own, killed at teardown; its argv is unique to the test. */
function sleeping(t: { teardown(fn: () => void): void }, word: string): number {
  const child = spawn('sleep', [word], { detached: true, stdio: 'ignore' });
  child.unref();
  const pid = child.pid!;
  t.teardown(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  return pid;
}

const unique = (): string => `${100 + (process.pid % 500)}.${Date.now() % 100_000}`;

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-sleeper-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a cont sleeper outlives its transport and continues the frozen process at its time, not before', async (t) => {
  const pid = sleeping(t, unique());
  await sleep(50);
  const startTime = stat(pid)!.startTime;
  t.is(await processStartTime(local(), pid), startTime);
  process.kill(pid, 'SIGSTOP');
  const transport = local();
  await startSleeper(transport, 2, 'gameday:test-cont-1', { kind: 'cont', pid, startTime });
  transport.close();
  await sleep(1000);
  t.is(stat(pid)?.state, 'T', 'still frozen before the TTL');
  await sleep(1800);
  t.is(stat(pid)?.state, 'S', 'continued at the TTL, with nothing of gameday running');
  t.is(await stopSleepers(local(), 'gameday:test-cont-1'), 0, 'the sleeper exited by itself after acting');
});

test('a cont sleeper never signals a process whose start time differs (a reused pid)', async (t) => {
  const pid = sleeping(t, unique());
  await sleep(50);
  process.kill(pid, 'SIGSTOP');
  await startSleeper(local(), 1, 'gameday:test-cont-2', { kind: 'cont', pid, startTime: stat(pid)!.startTime + 1 });
  await sleep(1800);
  t.is(stat(pid)?.state, 'T');
});

test('stopSleepers ends only the sleepers of its tag, and a second start replaces the first', async (t) => {
  const dir = tempDir(t);
  const transport = local();
  await startSleeper(transport, 2, 'gameday:test-run-a', { kind: 'run', argv: ['touch', join(dir, 'a')] });
  await startSleeper(transport, 2, 'gameday:test-run-a', { kind: 'run', argv: ['touch', join(dir, 'a2')] });
  await startSleeper(transport, 2, 'gameday:test-run-b', { kind: 'run', argv: ['touch', join(dir, 'b')] });
  t.is(await stopSleepers(transport, 'gameday:test-run-a'), 1, 'one sleeper of tag a was left by the two starts');
  t.is(await stopSleepers(transport, 'gameday:test-run-a'), 0, 'ending again is harmless');
  await sleep(2800);
  t.false(existsSync(join(dir, 'a')));
  t.false(existsSync(join(dir, 'a2')));
  t.true(existsSync(join(dir, 'b')), 'the other tag fired');
});

test('run-unless-command runs the command only when no process runs that exact command line', async (t) => {
  const dir = tempDir(t);
  const word = unique();
  sleeping(t, word);
  const transport = local();
  await startSleeper(transport, 1, 'gameday:test-unless-1', { kind: 'run-unless-command', regex: `sleep ${word.replace('.', '\\.')}`, argv: ['touch', join(dir, 'running')] });
  await startSleeper(transport, 1, 'gameday:test-unless-2', { kind: 'run-unless-command', regex: `sleep ${word.replace('.', '\\.')}9`, argv: ['touch', join(dir, 'absent')] });
  await sleep(1800);
  t.false(existsSync(join(dir, 'running')));
  t.true(existsSync(join(dir, 'absent')));
});

test('bad values are refused before anything runs on the host', async (t) => {
  t.throws(() => sleeperArgv(0, 'gameday:x', { kind: 'run', argv: ['true'] }), { instanceOf: TargetError, message: /positive whole number of seconds/ });
  t.throws(() => sleeperArgv(5, 'other:x', { kind: 'run', argv: ['true'] }), { instanceOf: TargetError, message: /expected gameday:<fault id>/ });
  t.throws(() => sleeperArgv(5, 'gameday:x y', { kind: 'run', argv: ['true'] }), { instanceOf: TargetError });
  t.throws(() => sleeperArgv(5, 'gameday:x', { kind: 'run', argv: [] }), { instanceOf: TargetError });
  t.throws(() => sleeperArgv(5, 'gameday:x', { kind: 'run', argv: ['-rf'] }), { instanceOf: TargetError, message: /cannot start with an option/ });
  t.throws(() => sleeperArgv(5, 'gameday:x', { kind: 'cont', pid: 0, startTime: 1 }), { instanceOf: TargetError });
  t.throws(() => sleeperArgv(5, 'gameday:x', { kind: 'run-unless-pidfile', pidfile: 'relative', argv: ['true'] }), { instanceOf: TargetError });
  const argv = sleeperArgv(5, 'gameday:run-1-f0', { kind: 'cont', pid: 42, startTime: 7 });
  t.deepEqual([argv.slice(0, 4), argv.slice(5)], [['setsid', '-f', 'sh', '-c'], ['gameday-ttl', '5', 'gameday:run-1-f0', 'cont', '42', '7']]);
  t.is(await processStartTime(local(), 999_999_999), undefined, 'a pid that does not exist has no start time');
});
