/**
 * The transport settings every command-running target shares: SSH options, the per-host
 * fields, the cross-field rules, and building a host's transport from them.
 */
import test from 'ava';
import { z } from 'zod';
import { TargetError } from '../../src/errors.js';
import { checkHost } from '../../src/transport/identifiers.js';
import { LocalTransport } from '../../src/transport/local.js';
import { openTransport } from '../../src/transport/open.js';
import { HostTransportFields, SshSettings, TransportKind, checkHostTransports } from '../../src/transport/settings.js';
import { SshTransport } from '../../src/transport/ssh.js';

const Section = z
  .object({ hosts: z.array(z.object(HostTransportFields).strict()).min(1), transport: TransportKind.default('ssh'), ssh: SshSettings.optional() })
  .strict()
  .superRefine((s, ctx) => checkHostTransports(s, ctx, 'targets.example'));

const messages = (value: unknown): string[] => {
  const parsed = Section.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('SSH settings default to root, host keys checked and a 10s connect timeout, and need a key or the agent', (t) => {
  t.like(SshSettings.parse({ privateKey: { file: '/k' } }), { user: 'root', agent: false, verifyHostKey: true, connectTimeout: '10s' });
  t.regex(SshSettings.safeParse({}).error?.issues[0]?.message ?? '', /give privateKey and\/or agent: true/);
  t.false(SshSettings.safeParse({ agent: true, connectTimeout: '0s' }).success);
  t.false(SshSettings.safeParse({ agent: true, password: 'x' }).success, 'unknown keys are refused');
});

test('a host reached over ssh needs the ssh section; prefix is for local hosts; names are unique', (t) => {
  t.deepEqual(messages({ hosts: [{ name: 'a' }] }), ['hosts.0: host a is reached over ssh: give targets.example.ssh (privateKey and/or agent)']);
  t.deepEqual(messages({ hosts: [{ name: 'a', transport: 'local', prefix: ['sudo', '-n'] }] }), []);
  t.deepEqual(messages({ transport: 'local', hosts: [{ name: 'a' }, { name: 'a' }] }), ['hosts.1.name: host a is listed twice']);
  t.deepEqual(messages({ hosts: [{ name: 'a', prefix: ['sudo'] }], ssh: { agent: true } }), ['hosts.0.prefix: prefix applies to the local transport only']);
});

test('host names and addresses that could be read as options or syntax are refused', (t) => {
  t.true(messages({ transport: 'local', hosts: [{ name: '-oProxyCommand=x' }] }).some((m) => m.startsWith('hosts.0.name: expected a host name')));
  t.true(messages({ transport: 'local', hosts: [{ name: 'a', address: 'b;c' }] }).some((m) => m.startsWith('hosts.0.address:')));
  t.is(checkHost('brick-001.example.org'), 'brick-001.example.org');
  t.throws(() => checkHost('-x'), { instanceOf: TargetError, message: /refusing to use "-x" as a host/ });
});

test('openTransport builds the local or the SSH transport a host asks for, and names the missing section', (t) => {
  const options = { transport: 'ssh' as const, commandTimeoutMs: 5000, concurrency: 2, section: 'targets.example' };
  t.true(openTransport({ name: 'here', port: 22, transport: 'local' }, options) instanceof LocalTransport);
  const ssh = openTransport({ name: 'far', address: '127.0.0.1', port: 2222 }, { ...options, ssh: SshSettings.parse({ agent: true }) });
  t.true(ssh instanceof SshTransport);
  ssh.close();
  t.throws(() => openTransport({ name: 'far', port: 22 }, options), { instanceOf: TargetError, message: 'host far is reached over ssh but targets.example.ssh is not set' });
});
