import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GamedayError } from '../src/errors.js';
import { redactText } from '../src/log.js';
import { SecretRef, resolveSecret } from '../src/secrets.js';

test('a secret reference is either { env: NAME } or { file: PATH }', (t) => {
  t.deepEqual(SecretRef.parse({ env: 'HUB_TOKEN' }), { env: 'HUB_TOKEN' });
  t.deepEqual(SecretRef.parse({ file: '/run/secrets/token' }), { file: '/run/secrets/token' });
});

test('a secret value written in place of a reference is refused, and the message does not repeat it', (t) => {
  for (const input of ['plain-secret-value', { env: 'HUB_TOKEN', file: '/x' }, { value: 'plain-secret-value' }, 42]) {
    const result = SecretRef.safeParse(input);
    t.false(result.success);
    const messages = result.error?.issues.map((i) => i.message) ?? [];
    t.deepEqual(messages, [
      'expected a secret reference, { env: NAME } or { file: PATH } (secret values are never written in config files)',
    ]);
    t.false(JSON.stringify(messages).includes('plain-secret-value'));
  }
});

test('an env reference must name a variable', (t) => {
  const result = SecretRef.safeParse({ env: 'not a name' });
  t.deepEqual(result.error?.issues.map((i) => i.message), ['expected an environment variable name (letters, digits, _), got "not a name"']);
});

test.serial('an env reference resolves to the variable and the value is masked in logs from then on', (t) => {
  process.env.GAMEDAY_TEST_SECRET_A = 'env-secret-1234';
  try {
    t.is(resolveSecret({ env: 'GAMEDAY_TEST_SECRET_A' }), 'env-secret-1234');
    t.is(redactText('token=env-secret-1234'), 'token=[redacted]');
  } finally {
    delete process.env.GAMEDAY_TEST_SECRET_A;
  }
});

test('a file reference resolves to the content without its final newline, masked in logs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gameday-secret-'));
  const file = join(dir, 'token');
  await writeFile(file, 'file-secret-5678\n');
  t.is(resolveSecret({ file }), 'file-secret-5678');
  t.is(redactText('Bearer file-secret-5678'), 'Bearer [redacted]');
});

test('an unset environment variable is an error naming it', (t) => {
  delete process.env.GAMEDAY_TEST_SECRET_UNSET;
  const err = t.throws(() => resolveSecret({ env: 'GAMEDAY_TEST_SECRET_UNSET' }), { instanceOf: GamedayError });
  t.is(err?.message, 'secret not available: environment variable GAMEDAY_TEST_SECRET_UNSET is not set');
});

test('a missing file is an error naming the file', (t) => {
  const file = join(tmpdir(), 'gameday-no-such-secret');
  const err = t.throws(() => resolveSecret({ file }), { instanceOf: GamedayError });
  t.true(err?.message.startsWith(`secret not available: cannot read file ${file} (`));
  t.truthy(err?.cause);
});

test('an empty secret file is an error naming the file, never an empty secret', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gameday-secret-'));
  const file = join(dir, 'empty');
  await writeFile(file, '\n');
  const err = t.throws(() => resolveSecret({ file }), { instanceOf: GamedayError });
  t.is(err?.message, `secret not available: file ${file} is empty`);
});
