/**
 * Two daemons with leader election on the lab's Kubernetes Lease API: only the leader
 * starts runs (the standby answers 503), `gameday_leader` tells them apart, and when the
 * leader shuts down (releasing its lease) the standby takes over.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labEnv, waitFor } from '../helpers/lab-env.js';
import { OPERATOR, VIEWER, testDaemon, type TestDaemon } from './helpers.js';

test('only the leader starts runs; the standby takes over when the leader shuts down', async (t) => {
  const env = await labEnv(20);
  t.teardown(() => env.close());
  const kubeconfig = join(env.dir, 'lease-kubeconfig');
  writeFileSync(kubeconfig, env.lab.kubeconfig(), { mode: 0o600 });
  const election = (identity: string): string =>
    `leaderElection: { enabled: true, namespace: jhub, name: gameday-test, identity: ${identity}, kubeconfig: ${kubeconfig}, leaseDuration: 1500ms, renewDeadline: 1s, retryPeriod: 150ms }`;
  const a: TestDaemon = await testDaemon({ dir: env.dir, daemonKeys: [election('replica-a')] });
  let aOpen = true;
  t.teardown(async () => {
    if (aOpen) await a.daemon.close();
  });
  const leads = async (d: TestDaemon): Promise<boolean> => (await d.call('GET', '/api/status', { token: VIEWER })).body.leader;
  await waitFor(() => leads(a), 10_000, 'replica-a leading');
  const b: TestDaemon = await testDaemon({ dir: env.dir, daemonKeys: [election('replica-b')] });
  t.teardown(() => b.daemon.close());
  const standby = await b.call('GET', '/api/status', { token: VIEWER });
  t.is(standby.body.election, true);
  t.is(standby.body.leader, false);
  t.is((await b.call('GET', '/readyz')).status, 200, 'a standby is ready: it serves reads');
  const refused = await b.call('POST', '/api/runs', { token: OPERATOR, body: { experiment: 'delete-user-pods' } });
  t.is(refused.status, 503);
  t.is(refused.body.error.code, 'not-leader');
  t.regex(refused.body.error.message, /not the leader/);
  const started = performance.now();
  await a.daemon.close();
  aOpen = false;
  await waitFor(() => leads(b), 10_000, 'replica-b leading');
  t.true(performance.now() - started < 5000, 'the standby took over within a few retry periods');
  t.regex((await b.call('GET', '/metrics')).text, /^gameday_leader 1$/m);
});
