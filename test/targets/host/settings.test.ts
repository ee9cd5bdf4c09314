/**
 * `targets.host` and the identifier checks of the host faults: defaults, the allow list,
 * and every value that reaches a command refused unless it has its strict shape.
 */
import test from 'ava';
import { SafetyRefusedError, TargetError } from '../../../src/errors.js';
import { hostClient } from '../../../src/targets/host/client.js';
import {
  checkCommandLine, checkPath, checkWord, exactRegex, unitName,
} from '../../../src/targets/host/common/identifiers.js';
import { ProcessKillParams, ProcessTarget } from '../../../src/targets/host/process-kill.js';
import { ServiceTarget } from '../../../src/targets/host/service-stop.js';
import { HostSettings } from '../../../src/targets/host/settings.js';
import { testCtx } from '../../helpers/ctx.js';

test('settings default to ssh, a 1m command timeout, 4 commands per host and markers in /run/gameday/host', (t) => {
  const s = HostSettings.parse({ hosts: [{ name: 'hub-1', address: '10.0.0.5' }], ssh: { privateKey: { file: '/k' } } });
  t.like(s, { transport: 'ssh', commandTimeout: '1m', concurrency: 4, markerDir: '/run/gameday/host' });
  t.like(s.hosts[0], { name: 'hub-1', address: '10.0.0.5', port: 22 });
});

test('settings refuse a missing ssh section, a relative marker directory, unknown keys and an empty host list', (t) => {
  const issues = (value: unknown): string[] => HostSettings.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  t.deepEqual(issues({ hosts: [{ name: 'hub-1' }] }), ['hosts.0: host hub-1 is reached over ssh: give targets.host.ssh (privateKey and/or agent)']);
  t.regex(issues({ transport: 'local', hosts: [{ name: 'h' }], markerDir: 'run/gameday' })[0] ?? '', /^markerDir: expected an absolute path/);
  t.regex(issues({ transport: 'local', hosts: [{ name: 'h' }], markerDir: '/run/../etc' })[0] ?? '', /^markerDir: expected an absolute path/);
  t.regex(issues({ transport: 'local', hosts: [{ name: 'h', role: 'peer' }] })[0] ?? '', /^hosts\.0: Unrecognized key/);
  t.regex(issues({ transport: 'local', hosts: [] })[0] ?? '', /^hosts:/);
  t.deepEqual(issues({ transport: 'local', hosts: [{ name: 'h', prefix: ['sudo', '-n'] }], commandTimeout: '30s' }), []);
});

test('hosts are an allow list: a glob must match a configured host, and an unconfigured name is refused', (t) => {
  const ctx = testCtx({ host: { transport: 'local', hosts: [{ name: 'hub-1' }, { name: 'hub-2' }, { name: 'db-1' }] } });
  const client = hostClient(ctx);
  t.deepEqual(client.match('hub-*'), ['hub-1', 'hub-2']);
  t.throws(() => client.match('web-*'), { instanceOf: SafetyRefusedError, message: /no host in targets.host.hosts matches "web-\*" \(configured: hub-1, hub-2, db-1\)/ });
  t.throws(() => client.transport('web-1'), { instanceOf: TargetError, message: /host web-1 is not in targets.host.hosts/ });
  t.true(client.isLocal('db-1'));
  t.throws(() => hostClient(testCtx({})), { message: 'targets.host is not configured' });
});

test('a process target names exactly one of pidfile and command, each of a strict shape', (t) => {
  t.true(ProcessTarget.safeParse({ host: 'hub-*', pidfile: '/run/jupyterhub.pid' }).success);
  t.true(ProcessTarget.safeParse({ host: 'hub-*', command: '/usr/bin/python3 /usr/bin/jupyterhub --config /etc/jupyterhub/config.py' }).success);
  t.regex(ProcessTarget.safeParse({ host: 'h' }).error?.issues[0]?.message ?? '', /exactly one of pidfile and command/);
  t.regex(ProcessTarget.safeParse({ host: 'h', pidfile: '/a.pid', command: 'x' }).error?.issues[0]?.message ?? '', /exactly one of pidfile and command/);
  for (const pidfile of ['run/x.pid', '/run/../etc/passwd', '/run/x pid', '-/x']) t.false(ProcessTarget.safeParse({ host: 'h', pidfile }).success, pidfile);
  for (const command of [' lead', 'trail ', 'a\nb', 'tab\there', '']) t.false(ProcessTarget.safeParse({ host: 'h', command }).success, JSON.stringify(command));
});

test('params: KILL by default; a restart command is words without control characters; health takes a URL', (t) => {
  t.deepEqual(ProcessKillParams.parse({}), { signal: 'KILL' });
  t.like(ProcessKillParams.parse({ signal: 'STOP', restart: { command: ['systemctl', 'start', 'hub'] }, health: { url: 'http://127.0.0.1:8000/hub/health' } }), {
    signal: 'STOP', restart: { command: ['systemctl', 'start', 'hub'] }, health: { timeout: '1m', expectStatus: 200 },
  });
  t.false(ProcessKillParams.safeParse({ signal: 'HUP' }).success);
  t.false(ProcessKillParams.safeParse({ restart: { command: [] } }).success);
  t.false(ProcessKillParams.safeParse({ restart: { command: ['start\nrm -rf /'] } }).success);
  t.false(ProcessKillParams.safeParse({ health: { url: 'file:///etc/passwd' } }).success);
});

test('unit names: bare names are services, other unit types and odd characters are refused', (t) => {
  t.is(unitName('glusterd'), 'glusterd.service');
  t.is(unitName('foo.bar'), 'foo.bar.service');
  t.is(unitName('getty@tty1.service'), 'getty@tty1.service');
  t.is(unitName('ssh.socket'), 'ssh.socket');
  t.is(unitName('logrotate.timer'), 'logrotate.timer');
  t.throws(() => unitName('multi-user.target'), { instanceOf: TargetError, message: /only .service, .socket and .timer/ });
  for (const bad of ['-glusterd', 'a b', 'a;b', 'a/b', '']) t.throws(() => unitName(bad), { instanceOf: TargetError }, bad);
  t.false(ServiceTarget.safeParse({ host: 'h', unit: 'home.mount' }).success);
  t.true(ServiceTarget.safeParse({ host: 'h', unit: 'glusterd' }).success);
});

test('identifier checks refuse what quoting cannot make harmless, and exactRegex matches only its text', (t) => {
  t.is(checkPath('/var/run/hub.pid'), '/var/run/hub.pid');
  t.throws(() => checkPath('/var/run/./x'), { instanceOf: TargetError });
  t.throws(() => checkCommandLine('a\u0000b'), { instanceOf: TargetError });
  t.throws(() => checkWord(''), { instanceOf: TargetError });
  const text = '/usr/bin/python3 -c print(1+1) [x] {y} a|b ^$ \\d';
  const re = new RegExp(`^(?:${exactRegex(text)})$`);
  t.true(re.test(text));
  t.false(re.test(text.replace('1+1', '11')));
  t.false(new RegExp(`^(?:${exactRegex('sleep 1000')})$`).test('sleep 10000'));
});
