import anyTest from 'ava';
import { eventually, kube, labFor } from '../lab/helpers.js';
import { candidate, kubeconfigFor, relay, type Candidate } from './leader-lab.js';

// timing matters here: one test at a time, so no test's load delays another's renewals
const test = anyTest.serial;

interface Lease {
  spec: { holderIdentity?: string; leaseTransitions?: number };
}

/** Watches a set of candidates: every onStartedLeading must find no other candidate leading. */
function referee(): { onStart: (c: Candidate) => void; onStop: (c: Candidate) => Promise<void>; all: Candidate[]; overlaps: string[] } {
  const all: Candidate[] = [];
  const leading = new Set<string>();
  const overlaps: string[] = [];
  return {
    all,
    overlaps,
    onStart: (c) => {
      const others = all.filter((o) => o !== c && o.elector.isLeader()).map((o) => o.identity);
      if (leading.size > 0 || others.length > 0) overlaps.push(`${c.identity} started while ${[...leading, ...others].join(', ')} led`);
      leading.add(c.identity);
    },
    onStop: (c) => {
      leading.delete(c.identity);
      return Promise.resolve();
    },
  };
}

test('two candidates started together, 25 times over, never lead at once: one wins the create, the other takes over only on release', async (t) => {
  const lab = await labFor(t);
  const config = await kubeconfigFor(t, lab);
  const rounds = 25;
  let conflicts = 0;
  for (let round = 0; round < rounds; round++) {
    const judge = referee();
    const name = `race-${round}`;
    const [a, b] = ['a', 'b'].map((id) => candidate(t, config, `${id}-${round}`, { name, onStart: judge.onStart, onStop: judge.onStop })) as [Candidate, Candidate];
    judge.all.push(a, b);
    a.elector.start();
    b.elector.start();
    const first = await eventually(() => judge.all.find((c) => c.elector.isLeader()), `a leader in round ${round}`);
    const second = first === a ? b : a;
    t.deepEqual(second.events, [], `round ${round}: the loser did not lead`);
    await first.elector.stop();
    await eventually(() => second.elector.isLeader(), `takeover in round ${round}`);
    const lease = (await kube<Lease>(lab, `/apis/coordination.k8s.io/v1/namespaces/jhub/leases/${name}`)).body;
    t.is(lease.spec.holderIdentity, second.identity);
    t.is(lease.spec.leaseTransitions, 1);
    await second.elector.stop();
    t.deepEqual(judge.overlaps, [], `round ${round}`);
    t.deepEqual(first.events, ['started', 'stopped']);
    t.deepEqual(second.events, ['started', 'stopped']);
    conflicts += [a, b].filter((c) => c.lines.some((l) => l['message'] === 'lost a race for the lease')).length;
  }
  t.log(`${conflicts} of ${rounds} rounds were decided by a 409 from the API server`);
  t.true(conflicts > 0, 'simultaneous writes were refused by the server, not avoided by luck');
});

test('three candidates under churn on one Lease — the leader stops, a fresh candidate joins, 15 times — never lead at once', async (t) => {
  const lab = await labFor(t);
  const config = await kubeconfigFor(t, lab);
  const judge = referee();
  const join = (n: number): Candidate => {
    const c = candidate(t, config, `pod-${n}`, { onStart: judge.onStart, onStop: judge.onStop });
    judge.all.push(c);
    c.elector.start();
    return c;
  };
  let live = [join(0), join(1), join(2)];
  const leaders: string[] = [];
  for (let n = 3; n < 18; n++) {
    const leader = await eventually(() => live.find((c) => c.elector.isLeader()), `a leader before pod-${n} joins`);
    leaders.push(leader.identity);
    await leader.elector.stop();
    live = [...live.filter((c) => c !== leader), join(n)];
  }
  t.deepEqual(judge.overlaps, []);
  t.is(new Set(leaders).size, 15, 'each leadership went to a different candidate');
  const lease = (await kube<Lease>(lab, '/apis/coordination.k8s.io/v1/namespaces/jhub/leases/gameday')).body;
  t.true((lease.spec.leaseTransitions ?? 0) >= 14);
});

test('a leader cut off from the API server steps down before anyone else takes over, 3 times over', async (t) => {
  const lab = await labFor(t);
  const direct = await kubeconfigFor(t, lab);
  const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 150 };
  for (let round = 0; round < 3; round++) {
    const judge = referee();
    const name = `partition-${round}`;
    const link = await relay(t, lab.endpoints.kubernetes);
    const a = candidate(t, await kubeconfigFor(t, lab, link.url), `cut-${round}`, { name, ...timings, onStart: judge.onStart, onStop: judge.onStop });
    judge.all.push(a);
    a.elector.start();
    await eventually(() => a.elector.isLeader(), `a leads in round ${round}`);
    const b = candidate(t, direct, `standby-${round}`, { name, ...timings, onStart: judge.onStart, onStop: judge.onStop });
    judge.all.push(b);
    b.elector.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    t.deepEqual(b.events, [], 'the standby waits while the leader renews');
    const cutAt = performance.now();
    link.cut();
    await eventually(() => b.elector.isLeader(), `the standby takes over in round ${round}`, 10_000);
    const takeover = (b.startedAt ?? 0) - cutAt;
    t.log(`round ${round}: old leader stepped down after ${Math.round((a.stoppedAt ?? 0) - cutAt)} ms, standby leads after ${Math.round(takeover)} ms`);
    t.true(a.stoppedAt !== undefined && a.stoppedAt < (b.startedAt ?? 0), 'the old leader had stopped before the new one started');
    t.true(takeover <= timings.leaseDurationMs + 3 * timings.retryPeriodMs * 1.2 + 500, `takeover within the lease (+ retries): ${Math.round(takeover)} ms`);
    t.deepEqual(judge.overlaps, [], `round ${round}`);
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  }
});
