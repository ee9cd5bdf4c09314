import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetError } from '../../../../src/errors.js';
import { openstackClient } from '../../../../src/targets/openstack/client.js';
import { OpenStackSettings } from '../../../../src/targets/openstack/settings.js';
import { testCtx } from '../../../helpers/ctx.js';
import { PASSWORD, startFakeCloud } from './fake-cloud.js';

test('settings are strict, default the microversion and timeout, and parse the same twice', (t) => {
  const once = OpenStackSettings.parse({ cloud: 'jupytercloud' });
  t.deepEqual(once, { cloud: 'jupytercloud', computeMicroversion: '2.37', timeout: '30s' });
  t.deepEqual(OpenStackSettings.parse(once), once);
  const bad = OpenStackSettings.safeParse({ cloud: 'x', password: 'inline', timeout: 30, interface: 'private' });
  t.false(bad.success);
  const paths = bad.error?.issues.map((i) => i.path.join('.') || i.message) ?? [];
  t.true(paths.some((p) => p.includes('password')), 'an unknown key (an inline secret) is refused');
  t.true(paths.includes('timeout'));
  t.true(paths.includes('interface'));
});

test('openstackClient builds one client per run from targets.openstack and the clouds file it names', async (t) => {
  const fake = await startFakeCloud({ handle: (req) => (req.rest === '/servers/detail' ? { status: 200, body: { servers: [] } } : undefined) });
  t.teardown(() => fake.close());
  const dir = await mkdtemp(join(tmpdir(), 'gameday-osclient-'));
  const cloudsFile = join(dir, 'clouds.yaml');
  await writeFile(
    cloudsFile,
    [
      'clouds:',
      '  lab:',
      '    auth:',
      `      auth_url: ${fake.authUrl}`,
      '      username: gameday',
      `      password: ${PASSWORD}`,
      '      project_name: jupyter',
      '      user_domain_name: Default',
      '      project_domain_name: Default',
      '    region_name: RegionOne',
      '',
    ].join('\n'),
  );
  const ctx = testCtx({ openstack: { cloud: 'lab', cloudsFile, computeMicroversion: '2.40', timeout: '5s' } });
  const client = openstackClient(ctx);
  t.is(openstackClient(ctx), client, 'cached in the run client cache');
  t.deepEqual(client.cloud, { name: 'lab', source: cloudsFile, authUrl: fake.authUrl, regionName: 'RegionOne', interface: 'public' });
  t.deepEqual(await client.nova.listServers(), []);
  t.is(fake.seen.find((s) => s.rest === '/servers/detail')?.headers['openstack-api-version'], 'compute 2.40');
  t.false(JSON.stringify(client.cloud).includes(PASSWORD), 'the public view of the cloud holds no credentials');
});

test('invalid settings and an unknown cloud are non-retryable errors naming the key', async (t) => {
  const badSettings = t.throws(() => openstackClient(testCtx({ openstack: { timeout: 'soon' } })), { instanceOf: TargetError });
  t.regex(badSettings?.message ?? '', /^invalid targets\.openstack settings: timeout: expected a duration like 30s or 5m, got "soon"/);
  t.false(badSettings?.retryable);
  const dir = await mkdtemp(join(tmpdir(), 'gameday-osclient-'));
  const cloudsFile = join(dir, 'clouds.yaml');
  await writeFile(cloudsFile, 'clouds:\n  lab:\n    auth: { auth_url: "http://127.0.0.1:1" }\n');
  const unknown = t.throws(() => openstackClient(testCtx({ openstack: { cloud: 'prod', cloudsFile } })), { instanceOf: TargetError });
  t.is(unknown?.message, `${cloudsFile}: clouds.prod: missing (clouds in this file: lab)`);
});
