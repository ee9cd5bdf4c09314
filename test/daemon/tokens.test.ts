import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactText } from '../../src/log.js';
import { TokenTable } from '../../src/daemon/tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'gameday-tokens-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('a bearer token is matched to its name and role; anything else is nobody', (t) => {
  const table = TokenTable.of([
    { name: 'alice', role: 'viewer', token: 'alice-secret-token-000001' },
    { name: 'bob', role: 'operator', token: 'bob-secret-token-00000002' },
  ]);
  t.deepEqual(table.authenticate('Bearer alice-secret-token-000001'), { name: 'alice', role: 'viewer' });
  t.deepEqual(table.authenticate('Bearer bob-secret-token-00000002'), { name: 'bob', role: 'operator' });
  t.is(table.authenticate(undefined), undefined);
  t.is(table.authenticate(''), undefined);
  t.is(table.authenticate('Bearer '), undefined);
  t.is(table.authenticate('bob-secret-token-00000002'), undefined);
  t.is(table.authenticate('Basic bob-secret-token-00000002'), undefined);
  t.is(table.authenticate('Bearer bob-secret-token-0000000'), undefined);
  t.is(table.authenticate('Bearer bob-secret-token-00000002 extra'), undefined);
});

test('tokens come from secret references and a tokens file, and are masked in logs from then on', (t) => {
  process.env.GAMEDAY_TEST_TOKEN_A = 'env-token-value-0123456789';
  const tokens = file('ok.yaml', '- { name: ci, role: operator, token: file-token-value-0123456789 }\n');
  const table = TokenTable.load({ tokens: [{ name: 'grafana', role: 'viewer', token: { env: 'GAMEDAY_TEST_TOKEN_A' } }], tokensFile: tokens });
  t.is(table.size, 2);
  t.deepEqual(table.authenticate('Bearer env-token-value-0123456789'), { name: 'grafana', role: 'viewer' });
  t.deepEqual(table.authenticate('Bearer file-token-value-0123456789'), { name: 'ci', role: 'operator' });
  t.is(redactText('x file-token-value-0123456789 y'), 'x [redacted] y');
  t.is(redactText('env-token-value-0123456789'), '[redacted]');
});

test('a bad tokens file is refused with a message that never quotes a token', (t) => {
  const badRole = file('role.yaml', '- { name: ci, role: admin, token: leaked-token-value-000000001 }\n');
  const e1 = t.throws(() => TokenTable.load({ tokens: [], tokensFile: badRole }));
  t.regex(e1.message, /0\.role: expected role viewer or operator/);
  t.false(e1.message.includes('leaked-token-value'));
  const short = file('short.yaml', '- { name: ci, role: viewer, token: abc }\n');
  t.regex(t.throws(() => TokenTable.load({ tokens: [], tokensFile: short })).message, /at least 16 characters/);
  const broken = file('broken.yaml', '- { name: ci, role: viewer, token: "leaked-token-value-000000002\n');
  const e2 = t.throws(() => TokenTable.load({ tokens: [], tokensFile: broken }));
  t.regex(e2.message, /not valid YAML/);
  t.false(e2.message.includes('leaked-token-value'));
  t.regex(t.throws(() => TokenTable.load({ tokens: [], tokensFile: join(dir, 'missing.yaml') })).message, /cannot read daemon tokens file .*missing\.yaml/);
});

test('two tokens with one name are refused, and an unset variable is named without a value', (t) => {
  const twice = file('twice.yaml', '- { name: ci, role: viewer, token: first-token-value-0123456 }\n- { name: ci, role: operator, token: second-token-value-012345 }\n');
  t.regex(t.throws(() => TokenTable.load({ tokens: [], tokensFile: twice })).message, /"ci" is used twice/);
  delete process.env.GAMEDAY_TEST_TOKEN_UNSET;
  t.regex(t.throws(() => TokenTable.load({ tokens: [{ name: 'x', role: 'viewer', token: { env: 'GAMEDAY_TEST_TOKEN_UNSET' } }] })).message, /GAMEDAY_TEST_TOKEN_UNSET is not set/);
});
