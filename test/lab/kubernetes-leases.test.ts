import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Lab } from '../../src/lab/index.js';
import { kube, labFor } from './helpers.js';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/jhub/leases';

interface Lease {
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion: string; uid: string };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

function lease(name: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name },
    spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: '2026-11-22T04:30:13.123456Z', renewTime: '2026-11-22T04:30:13.123456Z', leaseTransitions: 0, ...spec },
  };
}

test('a lease is created with a resourceVersion, and creating the same name again is a 409 AlreadyExists Status', async (t) => {
  const lab = await labFor(t);
  const created = await kube<Lease>(lab, LEASES, { method: 'POST', json: lease('gameday') });
  t.is(created.status, 201);
  t.is(created.body.kind, 'Lease');
  t.is(created.body.metadata.namespace, 'jhub');
  t.regex(created.body.metadata.resourceVersion, /^\d+$/);
  t.is(created.body.spec.renewTime, '2026-11-22T04:30:13.123456Z');
  const again = await kube(lab, LEASES, { method: 'POST', json: lease('gameday', { holderIdentity: 'pod-b' }) });
  t.is(again.status, 409);
  t.deepEqual(again.body, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'leases.coordination.k8s.io "gameday" already exists',
    reason: 'AlreadyExists', details: { name: 'gameday', group: 'coordination.k8s.io', kind: 'leases' }, code: 409,
  });
  const read = await kube<Lease>(lab, `${LEASES}/gameday`);
  t.is(read.body.spec.holderIdentity, 'pod-a', 'the losing create changed nothing');
});

test('an update with the current resourceVersion succeeds and bumps it; one with a stale resourceVersion is a 409 Conflict', async (t) => {
  const lab = await labFor(t);
  const created = (await kube<Lease>(lab, LEASES, { method: 'POST', json: lease('gameday') })).body;
  const renewed = await kube<Lease>(lab, `${LEASES}/gameday`, { method: 'PUT', json: { ...created, spec: { ...created.spec, renewTime: '2026-11-22T04:30:15.000001Z' } } });
  t.is(renewed.status, 200);
  t.true(Number(renewed.body.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
  t.is(renewed.body.metadata.uid, created.metadata.uid);
  t.is(renewed.body.spec.renewTime, '2026-11-22T04:30:15.000001Z');
  const stale = await kube(lab, `${LEASES}/gameday`, { method: 'PUT', json: { ...created, spec: { ...created.spec, holderIdentity: 'pod-b' } } });
  t.is(stale.status, 409);
  t.deepEqual(stale.body, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'Operation cannot be fulfilled on leases.coordination.k8s.io "gameday": the object has been modified; please apply your changes to the latest version and try again',
    reason: 'Conflict', details: { name: 'gameday', group: 'coordination.k8s.io', kind: 'leases' }, code: 409,
  });
  t.is((await kube<Lease>(lab, `${LEASES}/gameday`)).body.spec.holderIdentity, 'pod-a');
});

test('of two writers holding the same resourceVersion, exactly one wins', async (t) => {
  const lab = await labFor(t);
  const created = (await kube<Lease>(lab, LEASES, { method: 'POST', json: lease('gameday') })).body;
  const writes = await Promise.all(['pod-b', 'pod-c'].map((holder) => kube(lab, `${LEASES}/gameday`, { method: 'PUT', json: { ...created, spec: { ...created.spec, holderIdentity: holder } } })));
  t.deepEqual(writes.map((w) => w.status).sort(), [200, 409]);
});

test('a lease update without a resourceVersion is refused as Kubernetes does for leases, while a ConfigMap update without one is unconditional', async (t) => {
  const lab = await labFor(t);
  await kube(lab, LEASES, { method: 'POST', json: lease('gameday') });
  const blind = await kube(lab, `${LEASES}/gameday`, { method: 'PUT', json: lease('gameday', { holderIdentity: 'pod-b' }) });
  t.is(blind.status, 422);
  t.is(blind.body['reason'], 'Invalid');
  t.is(blind.body['message'], 'Lease.coordination.k8s.io "gameday" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
  const map = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } };
  const created = await kube<{ metadata: { resourceVersion: string } }>(lab, '/api/v1/namespaces/jhub/configmaps', { method: 'POST', json: map });
  const unconditional = await kube<{ metadata: { resourceVersion: string }; data: Record<string, string> }>(lab, '/api/v1/namespaces/jhub/configmaps/settings', { method: 'PUT', json: { ...map, data: { a: '2' } } });
  t.is(unconditional.status, 200);
  t.is(unconditional.body.data['a'], '2');
  t.true(Number(unconditional.body.metadata.resourceVersion) > Number(created.body.metadata.resourceVersion));
});

test('lease times must be MicroTimes: a time without six fraction digits is a 400, an offset is stored in UTC, bad durations are 422', async (t) => {
  const lab = await labFor(t);
  const seconds = await kube(lab, LEASES, { method: 'POST', json: lease('a', { renewTime: '2026-11-22T04:30:13Z' }) });
  t.is(seconds.status, 400);
  t.is(seconds.body['reason'], 'BadRequest');
  t.is(seconds.body['message'], 'Lease in version "v1" cannot be handled as a Lease: parsing time "2026-11-22T04:30:13Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"');
  const offset = await kube<Lease>(lab, LEASES, { method: 'POST', json: lease('b', { acquireTime: '2026-11-22T06:30:13.000250+02:00' }) });
  t.is(offset.status, 201);
  t.is(offset.body.spec.acquireTime, '2026-11-22T04:30:13.000250Z');
  const zero = await kube<{ reason: string; details: { causes: { field: string; message: string }[] } }>(lab, LEASES, { method: 'POST', json: lease('c', { leaseDurationSeconds: 0, leaseTransitions: -1 }) });
  t.is(zero.status, 422);
  t.deepEqual(zero.body.details.causes.map((c) => `${c.field}: ${c.message}`), [
    'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
  ]);
  t.is((await kube(lab, `${LEASES}/a`)).status, 404);
});

test('a deleted lease is gone: 404 NotFound naming leases.coordination.k8s.io', async (t) => {
  const lab = await labFor(t);
  await kube(lab, LEASES, { method: 'POST', json: lease('gameday') });
  const deleted = await kube(lab, `${LEASES}/gameday`, { method: 'DELETE' });
  t.is(deleted.status, 200);
  t.is(deleted.body['status'], 'Success');
  const gone = await kube(lab, `${LEASES}/gameday`);
  t.is(gone.status, 404);
  t.is(gone.body['message'], 'leases.coordination.k8s.io "gameday" not found');
  t.is((await kube(lab, `${LEASES}/gameday`, { method: 'DELETE' })).status, 404);
});

const KUBECTL = '/usr/bin/kubectl';

async function kubectlFor(t: ExecutionContext, lab: Lab): Promise<{ dir: string; run: (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gameday-kubectl-lease-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'kubeconfig');
  await writeFile(config, lab.kubeconfig(), { mode: 0o600 });
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, KUBECACHEDIR: join(dir, 'cache') };
  const run = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(KUBECTL, ['--kubeconfig', config, ...args], { env, timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });
  return { dir, run };
}

test('the real kubectl creates, lists, reads and conflicts on leases as against a cluster', async (t) => {
  // the real kubectl is on the image and .ci/run installs it if missing: without it this test fails, never skips
  if (!existsSync(KUBECTL)) {
    t.fail(`${KUBECTL} is missing: install kubectl (Debian: kubernetes-client) — .ci/run does`);
    return;
  }
  const lab = await labFor(t);
  const { dir, run } = await kubectlFor(t, lab);
  const file = join(dir, 'lease.yaml');
  await writeFile(file, [
    'apiVersion: coordination.k8s.io/v1', 'kind: Lease', 'metadata:', '  name: gameday', '  namespace: jhub', 'spec:',
    '  holderIdentity: gameday-0', '  leaseDurationSeconds: 15', '  acquireTime: "2026-11-22T04:30:13.123456Z"', '  renewTime: "2026-11-22T04:30:13.123456Z"', '  leaseTransitions: 2', '',
  ].join('\n'));
  // the lab serves no OpenAPI document, so kubectl's client-side schema check is off; the server still validates
  const created = await run('create', '--validate=false', '-f', file);
  t.is(created.code, 0, created.stderr);
  t.regex(created.stdout, /lease\.coordination\.k8s\.io\/gameday created/);
  const again = await run('create', '--validate=false', '-f', file);
  t.not(again.code, 0);
  t.regex(again.stderr, /AlreadyExists.*leases\.coordination\.k8s\.io "gameday" already exists/);
  const table = await run('get', 'leases', '-n', 'jhub');
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^NAME\s+HOLDER\s+AGE\n/);
  t.regex(table.stdout, /gameday\s+gameday-0\s+\d+s/);
  const yaml = await run('get', 'leases', '-n', 'jhub', '-o', 'yaml');
  t.is(yaml.code, 0, yaml.stderr);
  t.regex(yaml.stdout, /kind: Lease/);
  t.regex(yaml.stdout, /holderIdentity: gameday-0/);
  t.regex(yaml.stdout, /renewTime: "2026-11-22T04:30:13\.123456Z"/);
  t.regex(yaml.stdout, /leaseTransitions: 2/);
  t.regex(yaml.stdout, /resourceVersion: "\d+"/);
  // a replace naming a resourceVersion that has moved on is refused like on a real API server
  const json = await run('get', 'lease', 'gameday', '-n', 'jhub', '-o', 'json');
  const stale = JSON.parse(json.stdout) as Lease;
  const annotated = await run('annotate', 'lease', 'gameday', '-n', 'jhub', 'moved=on');
  t.is(annotated.code, 0, annotated.stderr);
  const staleFile = join(dir, 'stale.json');
  await writeFile(staleFile, JSON.stringify({ ...stale, spec: { ...stale.spec, holderIdentity: 'gameday-1' } }));
  const replaced = await run('replace', '--validate=false', '-f', staleFile);
  t.not(replaced.code, 0);
  t.regex(replaced.stderr, /the object has been modified; please apply your changes to the latest version and try again/);
  t.is((await kube<Lease>(lab, `${LEASES}/gameday`)).body.spec.holderIdentity, 'gameday-0');
  const deleted = await run('delete', 'lease', 'gameday', '-n', 'jhub');
  t.is(deleted.code, 0, deleted.stderr);
  t.is((await kube(lab, `${LEASES}/gameday`)).status, 404);
});
