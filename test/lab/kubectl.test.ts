import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Lab } from '../../src/lab/index.js';
import { eventually, labFor, podOf } from './helpers.js';

const KUBECTL = '/usr/bin/kubectl';
// the real kubectl is on the image and .ci/run installs it if missing: without it these tests fail, never skip
const withKubectl = (title: string, fn: (t: ExecutionContext) => Promise<void>): void =>
  test(title, async (t) => {
    if (!existsSync(KUBECTL)) t.fail(`${KUBECTL} is missing: install kubectl (Debian: kubernetes-client) — .ci/run does`);
    else await fn(t);
  });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function kubectlFor(t: ExecutionContext, lab: Lab): Promise<(...args: string[]) => Promise<Run>> {
  const dir = await mkdtemp(join(tmpdir(), 'gameday-kubectl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'kubeconfig');
  await writeFile(config, lab.kubeconfig(), { mode: 0o600 });
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, KUBECACHEDIR: join(dir, 'cache'), KUBECONFIG: config };
  return (...args) =>
    new Promise((resolve) => {
      execFile(KUBECTL, ['--kubeconfig', config, ...args], { env, timeout: 20_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
}

withKubectl('kubectl gets the jhub pods as JSON', async (t) => {
  const lab = await labFor(t);
  const kubectl = await kubectlFor(t, lab);
  const run = await kubectl('get', 'pods', '-n', 'jhub', '-o', 'json');
  t.is(run.code, 0, run.stderr);
  const list = JSON.parse(run.stdout) as { items: { kind: string; metadata: { name: string }; status: { phase: string } }[] };
  t.is(list.items.length, 10);
  t.true(list.items.every((p) => p.kind === 'Pod' && p.status.phase === 'Running'));
  t.true(list.items.some((p) => p.metadata.name === 'jupyter-user-001'));
});

withKubectl('kubectl lists nodes and deployments with the server-side columns', async (t) => {
  const lab = await labFor(t);
  const kubectl = await kubectlFor(t, lab);
  const nodes = await kubectl('get', 'nodes');
  t.is(nodes.code, 0, nodes.stderr);
  const lines = nodes.stdout.trim().split('\n');
  t.regex(lines[0] ?? '', /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
  t.is(lines.length, 6);
  t.regex(nodes.stdout, /master\s+Ready\s+control-plane/);
  t.regex(nodes.stdout, /worker-004\s+Ready\s+<none>/);
  const deployments = await kubectl('get', 'deploy', '-n', 'jhub');
  t.is(deployments.code, 0, deployments.stderr);
  t.regex(deployments.stdout, /hub\s+1\/1\s+1\s+1/);
  t.regex(deployments.stdout, /user-scheduler\s+2\/2\s+2\s+2/);
});

withKubectl('kubectl deletes the hub pod and the lab replaces it', async (t) => {
  const lab = await labFor(t);
  const kubectl = await kubectlFor(t, lab);
  const hubPod = podOf(lab, 'hub');
  const run = await kubectl('delete', 'pod', hubPod, '-n', 'jhub', '--wait=false');
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, new RegExp(`pod "${hubPod}" deleted`));
  t.truthy(lab.world.pods('jhub').find((p) => p.metadata.name === hubPod)?.metadata.deletionTimestamp);
  await eventually(() => lab.world.hubHealthy(), 'the hub healthy again');
  await eventually(() => !lab.world.pods('jhub').some((p) => p.metadata.name === hubPod), 'the old pod gone after its grace period');
  const after = await kubectl('get', 'pods', '-n', 'jhub', '-l', 'component=hub', '-o', 'name');
  t.notRegex(after.stdout, new RegExp(hubPod));
});

withKubectl('kubectl reports a missing pod with the API server\'s NotFound', async (t) => {
  const lab = await labFor(t);
  const kubectl = await kubectlFor(t, lab);
  const run = await kubectl('get', 'pod', 'nope', '-n', 'jhub');
  t.is(run.code, 1);
  t.regex(run.stderr, /pods "nope" not found/);
});

withKubectl('kubectl scales a deployment and cordons a node', async (t) => {
  const lab = await labFor(t);
  const kubectl = await kubectlFor(t, lab);
  const scaled = await kubectl('scale', 'deployment/proxy', '-n', 'jhub', '--replicas=2');
  t.is(scaled.code, 0, scaled.stderr);
  t.is(lab.world.deployments('jhub').find((d) => d.metadata.name === 'proxy')?.spec.replicas, 2);
  const cordoned = await kubectl('cordon', 'worker-003');
  t.is(cordoned.code, 0, cordoned.stderr);
  t.true(lab.world.nodes().find((n) => n.metadata.name === 'worker-003')?.spec.unschedulable);
});
