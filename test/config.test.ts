import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { homedir, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkConfigText,
  defaultConfig,
  defaultStorePath,
  isPathKey,
  loadConfig,
  resolveSettingsPaths,
  validateConfigText,
  type Config,
} from '../src/config.js';
import { ConfigInvalidError, GamedayError, type PositionedIssue } from '../src/errors.js';
import { testTargets } from './fixtures/test-registry.js';
import { targets as registered } from '../src/targets/registry.js';

function issueLines(issues: PositionedIssue[]): string[] {
  return issues.map((i) => `${i.line}:${i.col} ${i.path ? `${i.path}: ` : ''}${i.message}`);
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'gameday-config-'));
}

test('an empty section list gives the documented defaults', async (t) => {
  const config = await validateConfigText('log: {}\n', '/etc/gameday/gameday.yaml', testTargets);
  t.deepEqual(config, {
    file: '/etc/gameday/gameday.yaml',
    store: { path: defaultStorePath() },
    log: { level: 'info', format: 'auto' },
    safety: { maxUnavailable: 1, allow: [], deny: [], oneRunAtATime: true },
    restore: { attempts: 8, initialDelayMs: 500, maxDelayMs: 30_000 },
    targets: {},
    schedule: { gamedays: [], blackouts: [] },
    daemon: {
      listen: '127.0.0.1:9464',
      tokens: [],
      metricsAuth: false,
      bodyLimit: 65_536,
      shutdownTimeoutMs: 120_000,
      leaderElection: { enabled: false, name: 'gameday', identity: process.env['POD_NAME'] || hostname(), leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    },
  } satisfies Config);
});

test('durations become milliseconds and relative paths resolve against the config file directory', async (t) => {
  const text = `store: { path: ../var/gameday.db }
restore: { attempts: 3, initialDelay: 1s, maxDelay: 1m30s }
targets:
  thing: { kubeconfig: lab/kubeconfig, caFile: ./ca.pem, token: { file: secrets/token } }
`;
  const config = await validateConfigText(text, '/srv/gameday/config/gameday.yaml', testTargets);
  t.is(config.store.path, '/srv/gameday/var/gameday.db');
  t.deepEqual(config.restore, { attempts: 3, initialDelayMs: 1_000, maxDelayMs: 90_000 });
  t.deepEqual(config.targets.thing, {
    kubeconfig: '/srv/gameday/config/lab/kubeconfig',
    caFile: '/srv/gameday/config/ca.pem',
    token: { file: '/srv/gameday/config/secrets/token' },
  });
});

test('absolute paths, home paths and URLs in settings are left as written or expanded from home', (t) => {
  const out = resolveSettingsPaths(
    { kubeconfig: '~/.kube/config', file: '/etc/x', path: 'https://example.org/a', nested: [{ keyPath: 'k.pem', url: 'rel' }] },
    '/cfg',
  );
  t.deepEqual(out, {
    kubeconfig: join(homedir(), '.kube/config'),
    file: '/etc/x',
    path: 'https://example.org/a',
    nested: [{ keyPath: '/cfg/k.pem', url: 'rel' }],
  });
});

test('only kubeconfig, file, path and names ending in File or Path are path keys', (t) => {
  for (const key of ['kubeconfig', 'file', 'path', 'caFile', 'keyPath']) t.true(isPathKey(key), key);
  for (const key of ['url', 'profile', 'paths', 'filename', 'context', 'File']) t.false(isPathKey(key), key);
});

test('every problem in a config is reported with its position', (t) => {
  const text = `log: { level: verbose, fromat: json }
safety:
  maxUnavailable: -1
  oneRunAtATime: "yes"
restore: { initialDelay: 2, maxDelay: 1m }
targets:
  thing: { replicas: 0, colour: red }
  nothing: {}
storage: {}
`;
  const result = checkConfigText(text, 'gameday.yaml', testTargets);
  t.false(result.ok);
  t.deepEqual(issueLines(result.ok ? [] : result.issues), [
    '1:15 log.level: expected one of "error", "warn", "info", "debug", got "verbose"',
    '1:24 log.fromat: unknown key "fromat"',
    '3:19 safety.maxUnavailable: expected a number >= 0, got -1',
    '4:18 safety.oneRunAtATime: expected true or false, got "yes"',
    '5:26 restore.initialDelay: expected a duration like 30s or 5m, got 2 (add a unit: ms, s, m or h)',
    '7:22 targets.thing.replicas: expected a number >= 1, got 0',
    '7:25 targets.thing.colour: unknown key "colour"',
    '8:3 targets.nothing: unknown target "nothing"; known: thing',
    '9:1 storage: unknown key "storage"',
  ]);
});

test("a target's settings are checked by its own schema, at their place in the file", (t) => {
  const text = `targets:
  thing:
    replicas: 0
    colour: red
    token: hunter2
  nothing: {}
`;
  const result = checkConfigText(text, 'gameday.yaml', testTargets);
  t.deepEqual(issueLines(result.ok ? [] : result.issues), [
    '3:15 targets.thing.replicas: expected a number >= 1, got 0',
    '4:5 targets.thing.colour: unknown key "colour"',
    '5:12 targets.thing.token: expected a secret reference, { env: NAME } or { file: PATH } (secret values are never written in config files)',
    '6:3 targets.nothing: unknown target "nothing"; known: thing',
  ]);
});

test('a secret written in the config is refused without repeating it', (t) => {
  const result = checkConfigText('targets:\n  thing: { token: s3cr3t-value }\n', 'gameday.yaml', testTargets);
  t.false(result.ok);
  const text = result.ok ? '' : JSON.stringify(result.issues);
  t.false(text.includes('s3cr3t-value'));
});

test('an initial restore delay longer than the maximum is an error', (t) => {
  const result = checkConfigText('restore: { initialDelay: 1m, maxDelay: 30s }\n', 'gameday.yaml', testTargets);
  t.deepEqual(issueLines(result.ok ? [] : result.issues), ['1:26 restore.initialDelay: expected a delay no longer than maxDelay (30s)']);
});

test('an invalid config throws ConfigInvalidError with every issue', async (t) => {
  const err = await t.throwsAsync(validateConfigText('log: { level: loud }\nextra: 1\n', 'c.yaml', testTargets), {
    instanceOf: ConfigInvalidError,
  });
  t.is(err?.issues.length, 2);
  t.true(err?.message.startsWith('c.yaml:1:15 log.level:'));
});

test('an empty config file and a file with two documents are refused', (t) => {
  const empty = checkConfigText('# nothing here\n', 'c.yaml', testTargets);
  t.deepEqual(issueLines(empty.ok ? [] : empty.issues), ['1:1 the file is empty; expected a gameday configuration']);
  const two = checkConfigText('log: {}\n---\nlog: {}\n', 'c.yaml', testTargets);
  t.deepEqual(issueLines(two.ok ? [] : two.issues), ['2:1 expected one YAML document per file, found 2; a second document starts here']);
});

test('the default store is under $XDG_STATE_HOME, else ~/.local/state', (t) => {
  t.is(defaultStorePath({ XDG_STATE_HOME: '/state' }), '/state/gameday/gameday.db');
  t.is(defaultStorePath({}), join(homedir(), '.local/state/gameday/gameday.db'));
  t.is(defaultStorePath({ XDG_STATE_HOME: 'relative' }), join(homedir(), '.local/state/gameday/gameday.db'));
});

test.serial('loadConfig reads the file it is given', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'gameday.yaml');
  await writeFile(file, 'store: { path: run.db }\n');
  const config = await loadConfig(file, testTargets);
  t.is(config.file, file);
  t.is(config.store.path, join(dir, 'run.db'));
});

test.serial('loadConfig falls back to $GAMEDAY_CONFIG, then ./config/gameday.yaml, then built-in defaults', async (t) => {
  const cwd = process.cwd();
  const saved = process.env.GAMEDAY_CONFIG;
  const dir = await tempDir();
  try {
    process.chdir(dir);
    delete process.env.GAMEDAY_CONFIG;
    t.deepEqual(await loadConfig(undefined, testTargets), defaultConfig());
    t.is(defaultConfig().file, undefined);

    await mkdir(join(dir, 'config'));
    await writeFile(join(dir, 'config', 'gameday.yaml'), 'log: { level: debug }\n');
    t.is((await loadConfig(undefined, testTargets)).log.level, 'debug');

    const fromEnv = join(dir, 'other.yaml');
    await writeFile(fromEnv, 'log: { level: warn }\n');
    process.env.GAMEDAY_CONFIG = fromEnv;
    t.is((await loadConfig(undefined, testTargets)).log.level, 'warn');
    t.is((await loadConfig(join(dir, 'config', 'gameday.yaml'), testTargets)).log.level, 'debug');
  } finally {
    process.chdir(cwd);
    if (saved === undefined) delete process.env.GAMEDAY_CONFIG;
    else process.env.GAMEDAY_CONFIG = saved;
  }
});

test.serial('a config file named by GAMEDAY_CONFIG that does not exist is an error naming it', async (t) => {
  const saved = process.env.GAMEDAY_CONFIG;
  process.env.GAMEDAY_CONFIG = join(tmpdir(), 'gameday-missing-config.yaml');
  try {
    const err = await t.throwsAsync(loadConfig(undefined, testTargets), { instanceOf: GamedayError });
    t.regex(err?.message ?? '', /gameday-missing-config\.yaml \(named by GAMEDAY_CONFIG\)/);
  } finally {
    if (saved === undefined) delete process.env.GAMEDAY_CONFIG;
    else process.env.GAMEDAY_CONFIG = saved;
  }
});

for (const file of ['config/gameday.yaml', 'config/gameday.example.yaml']) {
  test(`the shipped ${file} is valid with the real registry and configures every target`, async (t) => {
    const config = await loadConfig(file);
    t.true(config.store.path.startsWith('/'));
    t.deepEqual(Object.keys(config.targets).sort(), registered.map((m) => m.name).sort(), 'every registered target has a section');
  });
}

test('the shipped lab config points at the lab', async (t) => {
  const config = await loadConfig('config/gameday.yaml');
  t.is(config.store.path, join(process.cwd(), 'var/gameday.db'));
  t.deepEqual(config.targets.kubernetes, { kubeconfig: join(process.cwd(), 'var/lab/kubeconfig') });
  t.deepEqual(config.targets.http, { endpoints: { jupyterhub: 'http://127.0.0.1:18000' } });
  t.like(config.targets.openstack, { cloud: 'gameday-lab', cloudsFile: join(process.cwd(), 'var/lab/clouds.yaml') });
  t.like(config.targets.glusterfs, {
    ssh: { privateKey: { file: join(process.cwd(), 'var/lab/ssh/id_ed25519') }, knownHostsFile: join(process.cwd(), 'var/lab/ssh/known_hosts') },
    volumes: ['home'],
  });
  t.deepEqual((config.targets.glusterfs as { hosts: { port: number }[] }).hosts.map((h) => h.port), [12201, 12202, 12203, 12204, 12205]);
});
