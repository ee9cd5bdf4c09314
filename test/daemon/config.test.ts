import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { DaemonSection, toDaemonConfig } from '../../src/daemon/config.js';

const dir = mkdtempSync(join(tmpdir(), 'gameday-daemon-config-'));
async function load(text: string): Promise<Awaited<ReturnType<typeof loadConfig>>> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return loadConfig(file);
}

test('without a daemon section the daemon listens on loopback with safe defaults', async (t) => {
  const { daemon } = await load('log: { level: info }\n');
  t.is(daemon.listen, '127.0.0.1:9464');
  t.deepEqual(daemon.tokens, []);
  t.false(daemon.metricsAuth);
  t.is(daemon.bodyLimit, 64 * 1024);
  t.is(daemon.shutdownTimeoutMs, 120_000);
  t.false(daemon.leaderElection.enabled);
  t.is(daemon.leaderElection.name, 'gameday');
  t.deepEqual([daemon.leaderElection.leaseDurationMs, daemon.leaderElection.renewDeadlineMs, daemon.leaderElection.retryPeriodMs], [15_000, 10_000, 2_000]);
});

test('paths resolve against the config file, sizes and durations are converted', async (t) => {
  const { daemon } = await load([
    'daemon:',
    '  listen: 0.0.0.0:8080',
    '  url: http://gameday.example:9464',
    '  tokens: [{ name: ci, role: operator, token: { file: secrets/ci-token } }]',
    '  tokensFile: tokens.yaml',
    '  experiments: experiments',
    '  bodyLimit: 1MiB',
    '  shutdownTimeout: 30s',
    '  leaderElection: { enabled: true, namespace: gameday, identity: pod-a, kubeconfig: kube.yaml }',
    '',
  ].join('\n'));
  t.is(daemon.listen, '0.0.0.0:8080');
  t.is(daemon.url, 'http://gameday.example:9464');
  t.deepEqual(daemon.tokens[0]?.token, { file: join(dir, 'secrets/ci-token') });
  t.is(daemon.tokensFile, join(dir, 'tokens.yaml'));
  t.is(daemon.experiments, join(dir, 'experiments'));
  t.is(daemon.bodyLimit, 1024 * 1024);
  t.is(daemon.shutdownTimeoutMs, 30_000);
  t.is(daemon.leaderElection.kubeconfig, join(dir, 'kube.yaml'));
  t.is(daemon.leaderElection.identity, 'pod-a');
});

test('the identity defaults to $POD_NAME, else the host name', (t) => {
  const section = DaemonSection.parse({});
  t.is(toDaemonConfig(section, (p) => p, { POD_NAME: 'gameday-7f9c-abcde' }).leaderElection.identity, 'gameday-7f9c-abcde');
  t.true(toDaemonConfig(section, (p) => p, {}).leaderElection.identity.length > 0);
});

test('every problem of the daemon section is reported with its position', async (t) => {
  const err = await t.throwsAsync(load([
    'daemon:',
    '  listen: localhost',
    '  tokens: [{ name: ci, role: admin, token: plain-text-token }]',
    '  bodyLimit: lots',
    '  leaderElection: { enabled: true, retryPeriod: 9s }',
    '  metricAuth: true',
    '',
  ].join('\n')));
  const text = err.message;
  t.regex(text, /:2:\d+ daemon\.listen: expected HOST:PORT/);
  t.regex(text, /:3:\d+ daemon\.tokens\[0\]\.role: expected one of "viewer", "operator"/);
  t.regex(text, /:3:\d+ daemon\.tokens\[0\]\.token: expected a secret reference/);
  t.regex(text, /:4:\d+ daemon\.bodyLimit/);
  t.regex(text, /daemon\.leaderElection\.namespace: leader election needs a namespace/);
  t.regex(text, /daemon\.leaderElection\.retryPeriod: expected retryPeriod/);
  t.regex(text, /:6:\d+ daemon\.metricAuth: unknown key/);
});
