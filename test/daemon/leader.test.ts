import anyTest from 'ava';
import { LeaderElector } from '../../src/daemon/leader.js';
import { kube, labFor, eventually } from '../lab/helpers.js';
import { memoryLogger } from '../helpers/ctx.js';
import { candidate, FAST, kubeconfigFor } from './leader-lab.js';

const LEASE = '/apis/coordination.k8s.io/v1/namespaces/jhub/leases/gameday';
const MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

interface Lease {
  metadata: { resourceVersion: string };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

// timing matters here: one test at a time, so no test's load (or busy loop) delays another's renewals
const test = anyTest.serial;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('a lone candidate creates the Lease, leads, and renews it with MicroTimes every retry period', async (t) => {
  const lab = await labFor(t);
  const a = candidate(t, await kubeconfigFor(t, lab), 'gameday-0', { leaseDurationMs: 2000 });
  a.elector.start();
  await eventually(() => a.elector.isLeader(), 'leadership');
  t.deepEqual(a.events, ['started']);
  const first = (await kube<Lease>(lab, LEASE)).body;
  t.is(first.spec.holderIdentity, 'gameday-0');
  t.is(first.spec.leaseDurationSeconds, 2);
  t.is(first.spec.leaseTransitions, 0);
  t.regex(first.spec.acquireTime ?? '', MICRO);
  t.regex(first.spec.renewTime ?? '', MICRO);
  await sleep(FAST.retryPeriodMs * 4);
  const later = (await kube<Lease>(lab, LEASE)).body;
  t.true(Number(later.metadata.resourceVersion) > Number(first.metadata.resourceVersion), 'renewals are writes');
  t.true((later.spec.renewTime ?? '') > (first.spec.renewTime ?? ''));
  t.is(later.spec.acquireTime, first.spec.acquireTime, 'a renewal keeps acquireTime');
  t.is(later.spec.leaseTransitions, 0);
  t.true(a.elector.isLeader());
  t.false(a.signal?.aborted);
});

test('stop() ends the leadership first, then releases the Lease: no holder, 1 s', async (t) => {
  const lab = await labFor(t);
  let holderWhileStopping: string | undefined;
  const a = candidate(t, await kubeconfigFor(t, lab), 'gameday-0', {
    onStop: async () => {
      holderWhileStopping = (await kube<Lease>(lab, LEASE)).body.spec.holderIdentity;
    },
  });
  a.elector.start();
  await eventually(() => a.elector.isLeader(), 'leadership');
  const signal = a.signal;
  await a.elector.stop();
  t.true(signal?.aborted);
  t.deepEqual(a.events, ['started', 'stopped']);
  t.false(a.elector.isLeader());
  t.is(holderWhileStopping, 'gameday-0', 'the lease is still held while onStoppedLeading runs (a successor never overlaps a restore)');
  const released = (await kube<Lease>(lab, LEASE)).body;
  t.is(released.spec.holderIdentity, '');
  t.is(released.spec.leaseDurationSeconds, 1);
  t.regex(released.spec.renewTime ?? '', MICRO);
  await a.elector.stop();
  t.deepEqual(a.events, ['started', 'stopped'], 'stop() twice is harmless');
});

test('a released Lease is taken at once by the next candidate, counting one more transition', async (t) => {
  const lab = await labFor(t);
  const config = await kubeconfigFor(t, lab);
  const a = candidate(t, config, 'gameday-0');
  a.elector.start();
  await eventually(() => a.elector.isLeader(), 'a leads');
  const b = candidate(t, config, 'gameday-1');
  b.elector.start();
  await sleep(FAST.retryPeriodMs * 3);
  t.false(b.elector.isLeader(), 'b waits while a renews');
  const released = performance.now();
  await a.elector.stop();
  await eventually(() => b.elector.isLeader(), 'b leads');
  const took = performance.now() - released;
  t.true(took < FAST.leaseDurationMs, `a released lease is taken without waiting for expiry (${Math.round(took)} ms)`);
  const lease = (await kube<Lease>(lab, LEASE)).body;
  t.is(lease.spec.holderIdentity, 'gameday-1');
  t.is(lease.spec.leaseTransitions, 1);
});

test('an expired Lease is taken only after it stayed unchanged for a lease duration on the local clock, whatever its renewTime', async (t) => {
  const lab = await labFor(t);
  // a holder that died an hour ago by its own timestamps: a client that trusted them would take it at once
  const ghost = {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'gameday' },
    spec: { holderIdentity: 'ghost', leaseDurationSeconds: 2, acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: '2026-01-01T00:00:00.000000Z', leaseTransitions: 4 },
  };
  t.is((await kube(lab, '/apis/coordination.k8s.io/v1/namespaces/jhub/leases', { method: 'POST', json: ghost })).status, 201);
  const a = candidate(t, await kubeconfigFor(t, lab), 'gameday-0', { leaseDurationMs: 2000, renewDeadlineMs: 1200 });
  const start = performance.now();
  a.elector.start();
  await eventually(() => a.elector.isLeader(), 'leadership', 10_000);
  const waited = (a.startedAt ?? 0) - start;
  t.true(waited >= 2000, `waited ${Math.round(waited)} ms`);
  t.true(waited < 2000 + 4 * FAST.retryPeriodMs * 1.2 + 1000, `waited ${Math.round(waited)} ms`);
  const lease = (await kube<Lease>(lab, LEASE)).body;
  t.is(lease.spec.holderIdentity, 'gameday-0');
  t.is(lease.spec.leaseTransitions, 5);
  t.not(lease.spec.acquireTime, '2026-01-01T00:00:00.000000Z');
});

test('a holder that keeps renewing is never displaced, however old its timestamps look', async (t) => {
  const lab = await labFor(t);
  const created = await kube<Lease>(lab, '/apis/coordination.k8s.io/v1/namespaces/jhub/leases', {
    method: 'POST',
    json: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'gameday' }, spec: { holderIdentity: 'other', leaseDurationSeconds: 2, renewTime: '2026-01-01T00:00:00.000000Z' } },
  });
  let current = created.body;
  const a = candidate(t, await kubeconfigFor(t, lab), 'gameday-0');
  a.elector.start();
  // 'other' renews every 300 ms for 3 s (one and a half times the 2 s lease it wrote)
  for (let i = 0; i < 10; i++) {
    await sleep(300);
    const micros = String(i).padStart(6, '0');
    const renewed = await kube<Lease>(lab, LEASE, { method: 'PUT', json: { ...current, spec: { ...current.spec, renewTime: `2026-01-01T00:00:00.${micros}Z` } } });
    t.is(renewed.status, 200);
    current = renewed.body;
    t.false(a.elector.isLeader());
  }
  t.deepEqual(a.events, []);
  await eventually(() => a.elector.isLeader(), 'leadership once the other stops renewing', 5000);
});

test('a leader whose renewals fail steps down within the renew deadline, then leads again once the API answers', async (t) => {
  const lab = await labFor(t);
  const a = candidate(t, await kubeconfigFor(t, lab), 'gameday-0');
  a.elector.start();
  await eventually(() => a.elector.isLeader(), 'leadership');
  const first = a.signal;
  lab.world.apiFaults.set('kubernetes', { errorStatus: 503 });
  const broken = performance.now();
  await eventually(() => first?.aborted, 'the leadership signal aborts', 5000);
  const after = performance.now() - broken;
  t.true(after <= FAST.renewDeadlineMs + FAST.retryPeriodMs + 300, `stepped down ${Math.round(after)} ms after the API broke`);
  await eventually(() => a.events.includes('stopped'), 'onStoppedLeading');
  t.false(a.elector.isLeader());
  t.true(a.lines.some((l) => l['message'] === 'lost leadership: no renewal succeeded within the renew deadline'));
  lab.world.apiFaults.clear('kubernetes');
  await eventually(() => a.elector.isLeader(), 'leadership again', 5000);
  t.deepEqual(a.events, ['started', 'stopped', 'started']);
  t.not(a.signal, first);
  t.false(a.signal?.aborted);
});

test('isLeader() turns false at the renew deadline even when the event loop is too busy to run the renew loop', async (t) => {
  const lab = await labFor(t);
  const a = candidate(t, await kubeconfigFor(t, lab), 'gameday-0');
  a.elector.start();
  await eventually(() => a.elector.isLeader(), 'leadership');
  const until = performance.now() + FAST.renewDeadlineMs + 100;
  while (performance.now() < until) {
    // busy: no timer, no renewal runs
  }
  t.false(a.elector.isLeader());
});

test('bad options are refused with a clear error', (t) => {
  const { log } = memoryLogger();
  const base = { namespace: 'jhub', name: 'gameday', identity: 'a', log, onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
  t.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), { instanceOf: RangeError, message: /leaseDurationMs \(10000\) must be greater than renewDeadlineMs \(10000\)/ });
  t.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2000, retryPeriodMs: 2000 }), { instanceOf: RangeError, message: /renewDeadlineMs \(2000\) must be greater than retryPeriodMs \(2000\)/ });
  t.throws(() => new LeaderElector({ ...base, retryPeriodMs: -1 }), { instanceOf: RangeError, message: /retryPeriodMs must be a positive number/ });
  t.throws(() => new LeaderElector({ ...base, identity: '' }), { instanceOf: TypeError, message: /identity must be a non-empty string/ });
});

test('an unreadable kubeconfig is logged without leading, and nothing is written', async (t) => {
  const lab = await labFor(t);
  const a = candidate(t, '/nonexistent/kubeconfig', 'gameday-0');
  a.elector.start();
  await eventually(() => a.lines.some((l) => String(l['error']).includes('cannot load the Kubernetes configuration for leader election')), 'the error logged');
  t.false(a.elector.isLeader());
  t.is((await kube(lab, LEASE)).status, 404);
});
