import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetError } from '../../../../src/errors.js';
import { redactText } from '../../../../src/log.js';
import { cloudsFileCandidates, deepMerge, resolveCloud } from '../../../../src/targets/openstack/api/clouds.js';

interface Dirs {
  home: string;
  cwd: string;
  userDir: string;
}

async function dirs(): Promise<Dirs> {
  const root = await mkdtemp(join(tmpdir(), 'gameday-clouds-'));
  const home = join(root, 'home');
  const cwd = join(root, 'work');
  const userDir = join(home, '.config', 'openstack');
  await mkdir(userDir, { recursive: true });
  await mkdir(cwd, { recursive: true });
  return { home, cwd, userDir };
}

const JUPYTERCLOUD = [
  'clouds:',
  '  jupytercloud:',
  '    auth:',
  '      auth_url: https://keystone.example.org:5000',
  '      username: gameday',
  '      password: file-password-123',
  '      project_name: jupyter',
  '      user_domain_name: Default',
  '      project_domain_name: Default',
  '    region_name: RegionOne',
  '    interface: internal',
  '',
].join('\n');

function thrown(t: { throws: (fn: () => unknown, e: { instanceOf: typeof TargetError }) => unknown }, fn: () => unknown): TargetError {
  return t.throws(fn, { instanceOf: TargetError }) as TargetError;
}

test('a cloud named in the settings is read from ~/.config/openstack/clouds.yaml', async (t) => {
  const d = await dirs();
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD);
  const cloud = resolveCloud({ cloud: 'jupytercloud', env: {}, home: d.home, cwd: d.cwd });
  t.is(cloud.name, 'jupytercloud');
  t.is(cloud.source, '~/.config/openstack/clouds.yaml');
  t.is(cloud.authUrl, 'https://keystone.example.org:5000');
  t.is(cloud.regionName, 'RegionOne');
  t.is(cloud.interface, 'internal');
  t.deepEqual(cloud.auth, {
    type: 'password',
    username: 'gameday',
    password: 'file-password-123',
    userDomainName: 'Default',
    projectName: 'jupyter',
    projectDomainName: 'Default',
  });
});

test('OS_CLIENT_CONFIG_FILE comes first, then ./clouds.yaml, then the home and site files', async (t) => {
  const d = await dirs();
  const explicit = join(d.cwd, 'elsewhere.yaml');
  const env = { OS_CLIENT_CONFIG_FILE: explicit };
  const list = cloudsFileCandidates({ env, home: d.home, cwd: d.cwd });
  t.is(list[0], explicit);
  t.true(list.indexOf(join(d.cwd, 'clouds.yaml')) < list.indexOf(join(d.userDir, 'clouds.yaml')));
  t.true(list.indexOf(join(d.userDir, 'clouds.yaml')) < list.indexOf('/etc/openstack/clouds.yaml'));

  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD.replace('RegionOne', 'FromHome'));
  t.is(resolveCloud({ cloud: 'jupytercloud', env: {}, home: d.home, cwd: d.cwd }).regionName, 'FromHome');
  await writeFile(join(d.cwd, 'clouds.yaml'), JUPYTERCLOUD.replace('RegionOne', 'FromCwd'));
  t.is(resolveCloud({ cloud: 'jupytercloud', env: {}, home: d.home, cwd: d.cwd }).regionName, 'FromCwd');
  await writeFile(explicit, JUPYTERCLOUD.replace('RegionOne', 'FromEnvFile'));
  t.is(resolveCloud({ cloud: 'jupytercloud', env, home: d.home, cwd: d.cwd }).regionName, 'FromEnvFile');
});

test('secure.yaml is deep-merged over clouds.yaml: its password fills the auth block and keeps the other keys', async (t) => {
  const d = await dirs();
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD.replace('      password: file-password-123\n', ''));
  await writeFile(join(d.userDir, 'secure.yaml'), 'clouds:\n  jupytercloud:\n    auth:\n      password: secure-password-456\n');
  const cloud = resolveCloud({ cloud: 'jupytercloud', env: {}, home: d.home, cwd: d.cwd });
  t.is(cloud.auth.type, 'password');
  t.is(cloud.auth.type === 'password' ? cloud.auth.password : '', 'secure-password-456');
  t.is(cloud.auth.type === 'password' ? cloud.auth.username : '', 'gameday');
  t.is(cloud.regionName, 'RegionOne');
  t.deepEqual(deepMerge({ a: { b: 1, c: [1] } }, { a: { c: [2] } }), { a: { b: 1, c: [2] } });
});

test('the cloud setting wins over OS_CLOUD, and OS_CLOUD wins over the OS_* variables', async (t) => {
  const d = await dirs();
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD + JUPYTERCLOUD.replace('clouds:\n', '').replace('jupytercloud', 'other').replace('RegionOne', 'Other'));
  const env = { OS_CLOUD: 'other', OS_AUTH_URL: 'https://env.example.org/v3', OS_USERNAME: 'env', OS_PASSWORD: 'env-password-789' };
  t.is(resolveCloud({ cloud: 'jupytercloud', env, home: d.home, cwd: d.cwd }).name, 'jupytercloud');
  const fromOsCloud = resolveCloud({ env, home: d.home, cwd: d.cwd });
  t.is(fromOsCloud.name, 'other');
  t.is(fromOsCloud.regionName, 'Other');
  t.is(fromOsCloud.authUrl, 'https://keystone.example.org:5000', 'a named cloud never mixes with the OS_* variables');
});

test('without a cloud name the OS_* variables make the cloud, even when a clouds.yaml exists', async (t) => {
  const d = await dirs();
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD);
  const env = {
    OS_AUTH_URL: 'https://env.example.org:5000/v3',
    OS_USERNAME: 'env-user',
    OS_PASSWORD: 'env-password-789',
    OS_PROJECT_ID: 'p-123',
    OS_USER_DOMAIN_ID: 'default',
    OS_REGION_NAME: 'EnvRegion',
    OS_INTERFACE: 'public',
  };
  const cloud = resolveCloud({ env, home: d.home, cwd: d.cwd });
  t.is(cloud.name, 'envvars');
  t.is(cloud.source, 'environment');
  t.is(cloud.authUrl, 'https://env.example.org:5000/v3');
  t.is(cloud.regionName, 'EnvRegion');
  t.is(cloud.interface, 'public');
  t.deepEqual(cloud.auth, { type: 'password', username: 'env-user', password: 'env-password-789', userDomainId: 'default', projectId: 'p-123' });
});

test('an explicit clouds file with no cloud name uses its only cloud, not the OS_* variables', async (t) => {
  const d = await dirs();
  const file = join(d.cwd, 'mine.yaml');
  await writeFile(file, JUPYTERCLOUD);
  const cloud = resolveCloud({ cloudsFile: file, env: { OS_AUTH_URL: 'https://env.example.org' }, home: d.home, cwd: d.cwd });
  t.is(cloud.name, 'jupytercloud');
  t.is(cloud.source, file);
});

test('with no name and no variables the only cloud is used; with two clouds the error names them', async (t) => {
  const d = await dirs();
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD);
  t.is(resolveCloud({ env: {}, home: d.home, cwd: d.cwd }).name, 'jupytercloud');
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD + JUPYTERCLOUD.replace('clouds:\n', '').replace('jupytercloud', 'other'));
  const err = thrown(t, () => resolveCloud({ env: {}, home: d.home, cwd: d.cwd }));
  t.is(err.message, '~/.config/openstack/clouds.yaml: more than one cloud (jupytercloud, other); name one with targets.openstack.cloud or OS_CLOUD');
  t.false(err.retryable);
});

test('an application credential by id needs only the id and the secret; by name it needs its user', async (t) => {
  const d = await dirs();
  await writeFile(
    join(d.userDir, 'clouds.yaml'),
    [
      'clouds:',
      '  byid:',
      '    auth_type: v3applicationcredential',
      '    auth: { auth_url: "https://ks.example.org/v3", application_credential_id: ac-1, application_credential_secret: app-secret-111 }',
      '  byname:',
      '    auth_type: v3applicationcredential',
      '    auth: { auth_url: "https://ks.example.org", application_credential_name: gameday, username: svc, user_domain_name: Default, application_credential_secret: app-secret-222 }',
      '  noname:',
      '    auth: { auth_url: "https://ks.example.org", application_credential_name: gameday, application_credential_secret: app-secret-333 }',
      '',
    ].join('\n'),
  );
  const look = { env: {}, home: d.home, cwd: d.cwd };
  t.deepEqual(resolveCloud({ ...look, cloud: 'byid' }).auth, { type: 'v3applicationcredential', secret: 'app-secret-111', id: 'ac-1' });
  t.deepEqual(resolveCloud({ ...look, cloud: 'byname' }).auth, {
    type: 'v3applicationcredential',
    secret: 'app-secret-222',
    name: 'gameday',
    username: 'svc',
    userDomainName: 'Default',
  });
  const err = thrown(t, () => resolveCloud({ ...look, cloud: 'noname' }));
  t.is(err.message, '~/.config/openstack/clouds.yaml: clouds.noname.auth.username: missing (or user_id)', 'auth_type is inferred from the secret');
  t.false(err.message.includes('app-secret-333'));
});

test('application credentials come from the OS_APPLICATION_CREDENTIAL_* variables', (t) => {
  const env = {
    OS_AUTH_TYPE: 'v3applicationcredential',
    OS_AUTH_URL: 'https://ks.example.org:5000',
    OS_APPLICATION_CREDENTIAL_ID: 'ac-9',
    OS_APPLICATION_CREDENTIAL_SECRET: 'env-app-secret-999',
  };
  t.deepEqual(resolveCloud({ env, home: '/nonexistent', cwd: '/nonexistent' }).auth, { type: 'v3applicationcredential', secret: 'env-app-secret-999', id: 'ac-9' });
});

test('a missing field is named by file and key, never with a value', async (t) => {
  const d = await dirs();
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD.replace('      auth_url: https://keystone.example.org:5000\n', ''));
  const look = { cloud: 'jupytercloud', env: {}, home: d.home, cwd: d.cwd };
  const err = thrown(t, () => resolveCloud(look));
  t.is(err.message, '~/.config/openstack/clouds.yaml: clouds.jupytercloud.auth.auth_url: missing');
  t.false(err.message.includes('file-password-123'));

  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD.replace('      project_name: jupyter\n', ''));
  t.is(thrown(t, () => resolveCloud(look)).message, '~/.config/openstack/clouds.yaml: clouds.jupytercloud.auth.project_name: missing (or project_id)');

  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD.replace('      password: file-password-123\n', ''));
  t.is(thrown(t, () => resolveCloud(look)).message, '~/.config/openstack/clouds.yaml: clouds.jupytercloud.auth.password: missing');
});

test('a missing environment variable is named by its OS_ name', (t) => {
  const env = { OS_AUTH_URL: 'https://ks.example.org', OS_USERNAME: 'u', OS_PASSWORD: 'env-password-789', OS_PROJECT_NAME: 'p' };
  const err = thrown(t, () => resolveCloud({ env, home: '/nonexistent', cwd: '/nonexistent' }));
  t.is(err.message, 'environment: OS_USER_DOMAIN_NAME: missing (or OS_USER_DOMAIN_ID, or OS_USER_ID)');
  const noUrl = thrown(t, () => resolveCloud({ env: { OS_USERNAME: 'u' }, home: '/nonexistent', cwd: '/nonexistent' }));
  t.is(noUrl.message, 'environment: OS_AUTH_URL: missing');
});

test('a named cloud missing from the file lists the clouds it has; no file at all says where it looked', async (t) => {
  const d = await dirs();
  const none = thrown(t, () => resolveCloud({ cloud: 'jupytercloud', env: {}, home: d.home, cwd: d.cwd }));
  t.regex(none.message, /^OpenStack cloud "jupytercloud" \(from targets\.openstack\.cloud\): no clouds\.yaml found \(looked in .*~\/\.config\/openstack\/clouds\.yaml, \/etc\/openstack\/clouds\.yaml\)$/);
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD);
  const err = thrown(t, () => resolveCloud({ env: { OS_CLOUD: 'jupyter' }, home: d.home, cwd: d.cwd }));
  t.is(err.message, '~/.config/openstack/clouds.yaml: clouds.jupyter: missing (clouds in this file: jupytercloud)');
});

test('every password and secret read is registered with the log redaction', async (t) => {
  const d = await dirs();
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD.replace('file-password-123', 'registered-pw-4242'));
  resolveCloud({ cloud: 'jupytercloud', env: {}, home: d.home, cwd: d.cwd });
  t.is(redactText('pw=registered-pw-4242'), 'pw=[redacted]');
  resolveCloud({ env: { OS_AUTH_URL: 'https://k', OS_APPLICATION_CREDENTIAL_ID: 'i', OS_APPLICATION_CREDENTIAL_SECRET: 'registered-secret-4343' } });
  t.is(redactText('registered-secret-4343'), '[redacted]');
});

test('a YAML syntax error gives the position, never the text of the line', async (t) => {
  const d = await dirs();
  await writeFile(join(d.userDir, 'clouds.yaml'), 'clouds:\n  x:\n    auth: { password: "leaky-pass-1\n');
  const err = thrown(t, () => resolveCloud({ cloud: 'x', env: {}, home: d.home, cwd: d.cwd }));
  t.regex(err.message, /^~\/\.config\/openstack\/clouds\.yaml:\d+:\d+: YAML syntax error \([A-Z_]+\)$/);
  t.false(err.message.includes('leaky-pass-1'));
});

test('unsupported auth types, Identity v2 and turning TLS checks off are refused by key', async (t) => {
  const d = await dirs();
  const look = { cloud: 'jupytercloud', env: {}, home: d.home, cwd: d.cwd };
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD + '    auth_type: v3token\n');
  t.is(thrown(t, () => resolveCloud(look)).message, '~/.config/openstack/clouds.yaml: clouds.jupytercloud.auth_type: unsupported "v3token" (supported: password, v3password, v3applicationcredential)');
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD + '    identity_api_version: 2\n');
  t.is(thrown(t, () => resolveCloud(look)).message, '~/.config/openstack/clouds.yaml: clouds.jupytercloud.identity_api_version: only Identity v3 is supported');
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD + '    verify: false\n');
  t.regex(thrown(t, () => resolveCloud(look)).message, /clouds\.jupytercloud\.verify: turning TLS verification off is not supported/);
});

test('dashed keys, legacy tenant names, URL-suffixed interfaces and a regions list are read like openstacksdk does', async (t) => {
  const d = await dirs();
  await writeFile(
    join(d.userDir, 'clouds.yaml'),
    [
      'clouds:',
      '  old:',
      '    auth:',
      '      auth-url: https://ks.example.org',
      '      user_id: 42',
      '      password: legacy-pass-55',
      '      tenant-name: legacy',
      '      domain_name: Default',
      '    interface: internalURL',
      '    regions: [{ name: North }, South]',
      '',
    ].join('\n'),
  );
  const cloud = resolveCloud({ cloud: 'old', env: {}, home: d.home, cwd: d.cwd });
  t.is(cloud.authUrl, 'https://ks.example.org');
  t.is(cloud.interface, 'internal');
  t.is(cloud.regionName, 'North');
  t.deepEqual(cloud.auth, { type: 'password', password: 'legacy-pass-55', userId: '42', userDomainName: 'Default', projectName: 'legacy', projectDomainName: 'Default' });
});

test.serial('with no options, HOME and OS_CLIENT_CONFIG_FILE of the process are honoured', async (t) => {
  const d = await dirs();
  const saved = { HOME: process.env['HOME'], OS_CLIENT_CONFIG_FILE: process.env['OS_CLIENT_CONFIG_FILE'], OS_CLOUD: process.env['OS_CLOUD'] };
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  await writeFile(join(d.userDir, 'clouds.yaml'), JUPYTERCLOUD.replace('RegionOne', 'HomeRegion'));
  process.env['HOME'] = d.home;
  delete process.env['OS_CLIENT_CONFIG_FILE'];
  process.env['OS_CLOUD'] = 'jupytercloud';
  t.is(resolveCloud().regionName, 'HomeRegion');
  t.is(resolveCloud().source, '~/.config/openstack/clouds.yaml');
  const explicit = join(d.cwd, 'explicit.yaml');
  await writeFile(explicit, JUPYTERCLOUD.replace('RegionOne', 'ExplicitRegion'));
  process.env['OS_CLIENT_CONFIG_FILE'] = explicit;
  t.is(resolveCloud().regionName, 'ExplicitRegion');
});
