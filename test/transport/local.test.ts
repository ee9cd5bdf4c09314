/**
 * The local transport against real child processes: no shell between gameday and the
 * program, the prefix in front, stdin, deadlines and aborts, and the rule that a result comes
 * only once the command's output is closed.
 */
import test from 'ava';
import { TargetError } from '../../src/errors.js';
import { LocalTransport } from '../../src/transport/local.js';

const local = (options: { prefix?: string[]; timeoutMs?: number } = {}): LocalTransport =>
  new LocalTransport('here', { timeoutMs: options.timeoutMs ?? 10_000, ...(options.prefix && { prefix: options.prefix }) });

test('an argument is passed as it is: shell syntax in it is never interpreted', async (t) => {
  const result = await local().run(['echo', 'a; echo b', '$HOME', '`id`']);
  t.is(result.code, 0);
  t.is(result.stdout, 'a; echo b $HOME `id`\n');
  t.is(result.signal, null);
  t.true(result.ms >= 0);
});

test('the prefix runs in front of every command', async (t) => {
  const result = await local({ prefix: ['env', 'GAMEDAY_PREFIX_TEST=yes'] }).run(['sh', '-c', 'echo "$GAMEDAY_PREFIX_TEST"']);
  t.is(result.stdout, 'yes\n');
});

test('stdin reaches the command, and exit codes and stderr come back', async (t) => {
  const transport = local();
  t.is((await transport.run(['cat'], { stdin: 'marker line\n' })).stdout, 'marker line\n');
  const failed = await transport.run(['sh', '-c', 'echo oops >&2; exit 3']);
  t.deepEqual([failed.code, failed.stderr], [3, 'oops\n']);
});

test('a command past its deadline is killed and reported as a retryable error', async (t) => {
  const started = Date.now();
  const err = await t.throwsAsync(local({ timeoutMs: 300 }).run(['sleep', '5']), { instanceOf: TargetError });
  t.true(err?.retryable);
  t.regex(err?.message ?? '', /here: sleep did not finish within 300 ms/);
  t.true(Date.now() - started < 3000);
});

test('an aborted command is killed and reported as not retryable', async (t) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('halt')), 100);
  const err = await t.throwsAsync(local().run(['sleep', '5'], { signal: controller.signal }), { instanceOf: TargetError });
  t.false(err?.retryable);
  t.regex(err?.message ?? '', /sleep aborted/);
});

test('a program that does not exist is a non-retryable error', async (t) => {
  const err = await t.throwsAsync(local().run(['/nonexistent/gameday-program']), { instanceOf: TargetError });
  t.false(err?.retryable);
  t.regex(err?.message ?? '', /cannot run \/nonexistent\/gameday-program/);
});

test('a background process still holding the output keeps the command running; one detached from it does not', async (t) => {
  const holding = await t.throwsAsync(local({ timeoutMs: 700 }).run(['sh', '-c', 'sleep 3 & echo started']), { instanceOf: TargetError });
  t.regex(holding?.message ?? '', /did not finish within 700 ms/);
  const detached = await local({ timeoutMs: 700 }).run(['sh', '-c', 'sleep 3 >/dev/null 2>&1 </dev/null & echo started']);
  t.is(detached.stdout, 'started\n');
  t.true(detached.ms < 700);
});
