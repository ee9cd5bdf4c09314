/**
 * Leader failover, as two replicas of a Deployment would live it: two `gameday daemon`
 * processes, each with its own store, compete for one Lease on the lab's Kubernetes API with
 * the controllers' timings (15 s / 10 s / 2 s). The leader is asked over its HTTP API to run
 * an experiment that stops a worker VM (marked in the server's metadata) and holds it for
 * minutes; it is SIGKILLed mid-hold. The standby must lead within the lease duration (+ its
 * retries) and, reading nothing but the marker on the server, start it again.
 */
import test from 'ava';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Journal } from '../../src/experiments/journal.js';
import { gameday, type CliChild } from '../helpers/cli.js';
import { labEnv, waitFor, type LabEnv } from '../helpers/lab-env.js';

const LEASE_MS = 15_000;
const RETRY_MS = 2_000;
const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/jhub/leases/gameday-failover';
const TOKEN = 'failover-operator-token-0123456789';

const EXPERIMENT = `apiVersion: gameday/v1
kind: Experiment
metadata: { name: kill-worker-vm, tags: [openstack] }
spec:
  fault:
    type: openstack.server.stop
    target: { name: worker-003 }
    duration: 10m
    params: { wait: 1m }
  steadyState: { interval: 1s, probes: [] }
  recovery: { within: 1m }
`;

interface Replica {
  identity: string;
  store: string;
  cli: CliChild;
  url: string;
}

/** A config for one replica: the lab's targets, its own store, the API and leader election. */
function replicaConfig(env: LabEnv, identity: string): { file: string; store: string } {
  const store = join(env.dir, `${identity}.db`);
  const shared = readFileSync(env.configFile, 'utf8').replace(/^store: .*$/m, `store: { path: ${store} }`);
  const file = join(env.dir, `${identity}.yaml`);
  writeFileSync(file, [
    shared.trimEnd(),
    'daemon:',
    '  listen: 127.0.0.1:0',
    `  experiments: ${join(env.dir, 'experiments')}`,
    `  tokens: [{ name: ops, role: operator, token: { file: ${join(env.dir, 'operator-token')} } }]`,
    '  leaderElection:',
    `    { enabled: true, namespace: jhub, name: gameday-failover, identity: ${identity}, kubeconfig: ${join(env.dir, 'kubeconfig')}, leaseDuration: 15s, renewDeadline: 10s, retryPeriod: 2s }`,
    '',
  ].join('\n'));
  return { file, store };
}

async function startReplica(env: LabEnv, identity: string): Promise<Replica> {
  const { file, store } = replicaConfig(env, identity);
  const cli = gameday(['daemon', '--config', file]);
  const url = await waitFor(() => /"message":"daemon started"[^\n]*"url":"(http:\/\/127\.0\.0\.1:\d+)"|"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"message":"daemon started"/.exec(cli.output())?.slice(1).find(Boolean), 45_000, `${identity} listening: ${cli.output()}`);
  return { identity, store, cli, url };
}

async function holder(env: LabEnv): Promise<string | undefined> {
  const response = await fetch(env.lab.endpoints.kubernetes + LEASE_PATH, { headers: { authorization: 'Bearer lab-kube-token' } });
  if (response.status !== 200) return undefined;
  const lease = (await response.json()) as { spec?: { holderIdentity?: string } };
  return lease.spec?.holderIdentity || undefined;
}

test('the standby takes the lease within its duration after the leader is SIGKILLed mid-fault, and restores the fault from the marker on the server', async (t) => {
  t.timeout(150_000);
  const env = await labEnv(20);
  const replicas: Replica[] = [];
  t.teardown(async () => {
    for (const r of replicas) if (r.cli.child.exitCode === null && r.cli.child.signalCode === null) r.cli.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.cli.exited));
    await env.close();
  });
  mkdirSync(join(env.dir, 'experiments'));
  writeFileSync(join(env.dir, 'experiments', 'kill-worker-vm.yaml'), EXPERIMENT);
  writeFileSync(join(env.dir, 'operator-token'), `${TOKEN}\n`, { mode: 0o600 });
  const server = () => env.lab.world.openstack.server('worker-003');
  const marked = () => Object.keys(server()?.metadata ?? {}).some((k) => k.startsWith('gameday:'));
  t.is(server()?.status, 'ACTIVE');

  replicas.push(await startReplica(env, 'daemon-a'), await startReplica(env, 'daemon-b'));
  const leaderId = await waitFor(() => holder(env), 30_000, 'a leader');
  const leader = replicas.find((r) => r.identity === leaderId)!;
  const standby = replicas.find((r) => r.identity !== leaderId)!;
  t.truthy(leader, `the Lease holder ${leaderId} is one of the replicas`);

  // the standby refuses runs; the leader takes one
  const post = (r: Replica) => fetch(`${r.url}/api/runs`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ experiment: 'kill-worker-vm' }) });
  const refused = await post(standby);
  t.is(refused.status, 503, 'only the leader starts runs');
  const accepted = await post(leader);
  t.is(accepted.status, 202, await accepted.clone().text());
  const { runId } = (await accepted.json()) as { runId: string };

  const store = Journal.open(leader.store);
  try {
    await waitFor(() => store.getRun(runId)?.faults.some((f) => f.status === 'injected'), 30_000, `the fault injected: ${leader.cli.output()}`);
  } finally {
    store.close();
  }
  await waitFor(() => server()?.status === 'SHUTOFF' && marked(), 10_000, 'worker-003 stopped and marked');

  const killedAt = performance.now();
  leader.cli.child.kill('SIGKILL');
  t.is(await leader.cli.exited, null);
  t.is(server()?.status, 'SHUTOFF', 'the killed leader left its fault behind');

  await waitFor(async () => (await holder(env)) === standby.identity, LEASE_MS + 3 * RETRY_MS * 1.2 + 5000, `the standby leading: ${standby.cli.output()}`);
  const takeoverMs = performance.now() - killedAt;
  await waitFor(() => server()?.status === 'ACTIVE' && !marked(), 30_000, `worker-003 restored: ${standby.cli.output()}`);
  const restoredMs = performance.now() - killedAt;
  t.log(`takeover ${(takeoverMs / 1000).toFixed(1)} s after SIGKILL (lease ${LEASE_MS / 1000} s, retry ${RETRY_MS / 1000} s); fault restored ${(restoredMs / 1000).toFixed(1)} s after SIGKILL (${((restoredMs - takeoverMs) / 1000).toFixed(1)} s after takeover)`);
  t.true(takeoverMs <= LEASE_MS + 2 * RETRY_MS * 1.2 + 1500, `takeover within lease + retries: ${Math.round(takeoverMs)} ms`);
  t.true(restoredMs - takeoverMs <= 10_000, `restore within 10 s of leading: ${Math.round(restoredMs - takeoverMs)} ms`);
  // the standby's own store knew nothing of the run: the marker on the server was all it had
  await waitFor(() => /"message":"leftovers checked"/.test(standby.cli.output()), 10_000, 'the recovery report');
  t.regex(standby.cli.output(), /"message":"restored an object from its marker"[^\n]*"type":"openstack.server.stop"/);
  t.regex(standby.cli.output(), /"closedRuns":0[^\n]*"message":"leftovers checked"[^\n]*"restored":1/);

  // the new leader still serves, and a graceful stop releases the Lease
  const status = await fetch(`${standby.url}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.is(status.status, 200);
  standby.cli.child.kill('SIGTERM');
  t.is(await standby.cli.exited, 0, standby.cli.output());
  t.is(await holder(env), undefined, 'the lease is released on shutdown');
});
