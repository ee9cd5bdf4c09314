import test, { type ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LockHeldError } from '../../src/errors.js';
import { Journal } from '../../src/experiments/journal.js';

const CHILD = fileURLToPath(new URL('./journal-crash-child.ts', import.meta.url));

function tempPath(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-journal-crash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'journal.db');
}

/** Starts the child in `mode`; killed at teardown if the test has not killed it. */
function startChild(t: ExecutionContext, mode: 'intend' | 'lock', path: string, runId: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, path, runId], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** The child's first line of output; rejects with its stderr if it exits first. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before a line: ${err}`)));
  });
}

/** SIGKILLs the child and waits until it is reaped, so its pid no longer exists. */
async function killHard(child: ChildProcess): Promise<NodeJS.Signals | null> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  return signal;
}

test('a fault intended in one process is visible at once to another and survives that process being SIGKILLed', async (t) => {
  const path = tempPath(t);
  const child = startChild(t, 'intend', path, 'crashing-run');
  t.is(await firstLine(child), 'intended crashing-run-f1');

  const watcher = Journal.open(path);
  t.teardown(() => watcher.close());
  t.deepEqual(
    watcher.unrestoredFaults().map((f) => [f.id, f.status]),
    [['crashing-run-f1', 'intended']],
    'committed before intendFault returned, seen by a second connection',
  );
  t.throws(() => watcher.acquireLock({ runId: 'next' }), { instanceOf: LockHeldError, message: /run crashing-run holds/ });

  t.is(await killHard(child), 'SIGKILL');

  const after = Journal.open(path);
  t.teardown(() => after.close());
  const [row, ...rest] = after.unrestoredFaults();
  t.deepEqual(rest, []);
  t.like(row, { id: 'crashing-run-f1', runId: 'crashing-run', status: 'intended', type: 'kubernetes.pod.delete', injectedAt: null });
  t.deepEqual(row?.plan, {
    type: 'kubernetes.pod.delete',
    target: { kind: 'kubernetes.pod', id: 'jhub/hub-7c9f8', name: 'hub-7c9f8', ready: true, attributes: { namespace: 'jhub' } },
    data: { replicas: 1, uid: 'c0ffee' },
  });
  t.like(after.openRuns()[0], { id: 'crashing-run', state: 'injecting', pid: child.pid });
  t.like(after.acquireLock({ runId: 'next' }), { runId: 'crashing-run', pid: child.pid }, 'the dead process’s lock is taken over');
});

test('of several processes racing for a free lock, exactly one wins', async (t) => {
  const path = tempPath(t);
  Journal.open(path).close();
  const children = [1, 2, 3, 4].map((n) => startChild(t, 'lock', path, `racer-${n}`));
  const answers = await Promise.all(children.map(firstLine));
  t.deepEqual(
    [...answers].sort(),
    ['acquired', 'held', 'held', 'held'],
  );
  const winner = children[answers.indexOf('acquired')];
  const journal = Journal.open(path);
  t.teardown(() => journal.close());
  t.is(journal.lockHolder()?.pid, winner?.pid);
});

test('several processes creating the same new journal at once all open it, and the schema is made once', async (t) => {
  const path = tempPath(t);
  const children = [1, 2, 3, 4].map((n) => startChild(t, 'lock', path, `opener-${n}`));
  const answers = await Promise.all(children.map(firstLine));
  t.is(answers.filter((a) => a === 'acquired').length, 1);
  const journal = Journal.open(path);
  t.teardown(() => journal.close());
  t.deepEqual(journal.halt(), { on: false, reason: null, since: null, by: null }, 'the halt row exists once');
});
