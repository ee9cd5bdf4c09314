/**
 * The real `openstack` CLI (Debian's python3-openstackclient: keystoneauth, novaclient,
 * openstacksdk) against the lab's OpenStack: password and application-credential clouds from
 * the lab's clouds.yaml, server list/show, stop and start. Never skipped: without the CLI the
 * suite fails and says what to install.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab } from '../../../src/lab/index.js';

const OPENSTACK = '/usr/bin/openstack';
const CALL_TIMEOUT_MS = 60_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

interface Listed {
  ID: string;
  Name: string;
  Status: string;
  Networks: Record<string, string[]>;
  Image: string;
  Flavor: string;
}

let lab: Lab;
let dir: string;
let configFile: string;

test.before(async () => {
  if (!existsSync(OPENSTACK)) {
    throw new Error(`${OPENSTACK} is missing: install Debian's python3-openstackclient (apt-get install python3-openstackclient); CI installs it`);
  }
  dir = await mkdtemp(join(tmpdir(), 'gameday-openstack-cli-'));
  lab = await startLab({ ports: { kubernetes: 0, jupyterhub: 0, openstack: 0 }, speed: 1 });
  configFile = join(dir, 'clouds.yaml');
  await writeFile(configFile, lab.cloudsYaml(), { mode: 0o600 });
});

test.after.always(async () => {
  await lab?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function openstack(cloud: string, ...args: string[]): Promise<Run> {
  const env = { PATH: '/usr/bin:/bin', HOME: dir, OS_CLIENT_CONFIG_FILE: configFile, LANG: 'C.UTF-8' };
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(OPENSTACK, ['--os-cloud', cloud, ...args], { env, timeout: CALL_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

async function statusOf(name: string): Promise<string> {
  const run = await openstack('gameday-lab', 'server', 'show', name, '-f', 'value', '-c', 'status');
  if (run.code !== 0) throw new Error(`server show failed: ${run.stderr}`);
  return run.stdout.trim();
}

async function pollStatus(name: string, wanted: string, deadlineMs = 60_000): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const status = await statusOf(name);
    seen.push(status);
    if (status === wanted) return seen;
    if (Date.now() > deadline) throw new Error(`${name} never became ${wanted}: saw ${seen.join(', ')}`);
  }
}

test('server list -f json shows every seeded server with its network, image and flavor', async (t) => {
  const run = await openstack('gameday-lab', 'server', 'list', '-f', 'json');
  t.is(run.code, 0, run.stderr);
  const servers = JSON.parse(run.stdout) as Listed[];
  t.deepEqual(servers.map((s) => s.Name).sort(), lab.world.openstack.servers().map((s) => s.name).sort());
  t.true(servers.every((s) => s.Status === 'ACTIVE'));
  const worker = servers.find((s) => s.Name === 'worker-001');
  t.like(worker, { Image: 'ubuntu-24.04-server-cloudimg-amd64', Flavor: 'm1.xlarge', Networks: { 'jupytercloud-net': ['10.0.0.11'] } });
  t.log(`server list took ${run.ms} ms`);
});

test('server show worker-001 -f json resolves the name and shows the server like Nova does', async (t) => {
  const run = await openstack('gameday-lab', 'server', 'show', 'worker-001', '-f', 'json');
  t.is(run.code, 0, run.stderr);
  const server = JSON.parse(run.stdout) as Record<string, unknown>;
  t.like(server, {
    name: 'worker-001',
    id: lab.world.openstack.server('worker-001')?.id,
    status: 'ACTIVE',
    'OS-EXT-STS:vm_state': 'active',
    flavor: 'm1.xlarge (5)',
    key_name: 'jupytercloud',
    project_id: lab.world.keystone.project.id,
    properties: { role: 'worker' },
    addresses: { 'jupytercloud-net': ['10.0.0.11'] },
  });
  t.regex(String(server['image']), /^ubuntu-24\.04-server-cloudimg-amd64 \([0-9a-f-]{36}\)$/);
  t.deepEqual(server['security_groups'], [{ name: 'default' }, { name: 'jhub-workers' }]);
});

test('server stop takes worker-001 to SHUTOFF, server start brings it back to ACTIVE, start on ACTIVE is refused', async (t) => {
  const stop = await openstack('gameday-lab', 'server', 'stop', 'worker-001');
  t.is(stop.code, 0, stop.stderr);
  const stopping = await pollStatus('worker-001', 'SHUTOFF');
  t.log(`after stop: ${stopping.join(' → ')}`);
  t.is(lab.world.openstack.server('worker-001')?.powerState, 4);
  const start = await openstack('gameday-lab', 'server', 'start', 'worker-001');
  t.is(start.code, 0, start.stderr);
  const starting = await pollStatus('worker-001', 'ACTIVE');
  t.log(`after start: ${starting.join(' → ')}`);
  const again = await openstack('gameday-lab', 'server', 'start', 'worker-001');
  t.not(again.code, 0);
  t.regex(again.stderr, /Cannot 'start' instance [0-9a-f-]{36} while it is in vm_state active \(HTTP 409\)/);
});

test('the application-credential cloud lists the same servers', async (t) => {
  const run = await openstack('gameday-lab-appcred', 'server', 'list', '-f', 'json');
  t.is(run.code, 0, run.stderr);
  const servers = JSON.parse(run.stdout) as Listed[];
  t.deepEqual(servers.map((s) => s.Name).sort(), lab.world.openstack.servers().map((s) => s.name).sort());
});

test('Neutron through the SDK: a server\'s ports and the security groups', async (t) => {
  const ports = await openstack('gameday-lab', 'port', 'list', '--server', 'worker-002', '-f', 'json');
  t.is(ports.code, 0, ports.stderr);
  const listed = JSON.parse(ports.stdout) as { Status: string; 'Fixed IP Addresses': { ip_address: string }[] }[];
  t.is(listed.length, 1);
  t.like(listed[0], { Status: 'ACTIVE', 'Fixed IP Addresses': [{ ip_address: '10.0.0.12' }] });
  const groups = await openstack('gameday-lab', 'security', 'group', 'list', '-f', 'value', '-c', 'Name');
  t.is(groups.code, 0, groups.stderr);
  t.deepEqual(groups.stdout.trim().split('\n').sort(), ['bastion-ssh', 'default', 'glusterfs', 'jhub-workers']);
});

test('a wrong password is Keystone\'s 401', async (t) => {
  const bad = join(dir, 'bad-clouds.yaml');
  await writeFile(bad, lab.cloudsYaml().replace('password: lab-password', 'password: wrong'), { mode: 0o600 });
  const env = { PATH: '/usr/bin:/bin', HOME: dir, OS_CLIENT_CONFIG_FILE: bad, LANG: 'C.UTF-8' };
  const run = await new Promise<Run>((resolve) => {
    execFile(OPENSTACK, ['--os-cloud', 'gameday-lab', 'server', 'list'], { env, timeout: CALL_TIMEOUT_MS }, (error, stdout, stderr) => {
      resolve({ code: error ? 1 : 0, stdout, stderr, ms: 0 });
    });
  });
  t.not(run.code, 0);
  t.regex(run.stderr, /The request you have made requires authentication\. \(HTTP 401\)/);
});
