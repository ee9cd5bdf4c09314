import test from 'ava';
import { TargetError } from '../../../../src/errors.js';
import { openstackClientFrom } from '../../../../src/targets/openstack/client.js';
import { FAST_RETRY, passwordCloud, PROJECT_ID, startFakeCloud, type Answer, type Seen } from './fake-cloud.js';

function server(id: string, status = 'ACTIVE', task: string | null = null, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    status,
    'OS-EXT-STS:task_state': task,
    'OS-EXT-STS:power_state': status === 'ACTIVE' ? 1 : 4,
    metadata: {},
    addresses: { private: [{ addr: '10.0.0.5', version: 4, 'OS-EXT-IPS:type': 'fixed' }] },
    links: [{ rel: 'self', href: `http://nova.example.org/v2.1/servers/${id}` }],
    ...extra,
  };
}

test('listServers reads all 3 pages by following servers_links and sends the filters on each', async (t) => {
  const names = ['worker-001', 'worker-002', 'worker-003', 'worker-004', 'worker-005'];
  const fake = await startFakeCloud({
    handle: (req) => {
      if (req.rest !== '/servers/detail') return undefined;
      const limit = Number(req.query.get('limit'));
      const marker = req.query.get('marker');
      const start = marker === null ? 0 : names.indexOf(marker) + 1;
      const page = names.slice(start, start + limit);
      const more = start + limit < names.length;
      // the link's host is deliberately wrong (a proxy's view): only its marker may be used
      const next = `http://wrong-host.invalid:8774/v2.1/servers/detail?limit=${limit}&marker=${page.at(-1) ?? ''}`;
      return { status: 200, body: { servers: page.map((n) => server(n)), ...(more && { servers_links: [{ rel: 'next', href: next }] }) } };
    },
  });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake), { retry: FAST_RETRY });
  const servers = await client.nova.listServers({ nameRegex: '^worker-', status: 'ACTIVE', limit: 2 });
  t.deepEqual(servers.map((s) => s.name), names);
  t.deepEqual(servers[0]?.addresses['private']?.[0]?.addr, '10.0.0.5');
  const pages = fake.seen.filter((s) => s.rest === '/servers/detail');
  t.deepEqual(pages.map((p) => p.query.get('marker')), [null, 'worker-002', 'worker-004']);
  for (const p of pages) {
    t.is(p.query.get('name'), '^worker-');
    t.is(p.query.get('status'), 'ACTIVE');
    t.is(p.query.get('limit'), '2');
    t.is(p.path.startsWith(`/compute/v2.1/${PROJECT_ID}/`), true);
  }
});

test('a next link that repeats its marker is an error, not an endless loop', async (t) => {
  const fake = await startFakeCloud({
    handle: (req) =>
      req.rest === '/servers/detail' ? { status: 200, body: { servers: [server('a')], servers_links: [{ rel: 'next', href: '/servers/detail?marker=a' }] } } : undefined,
  });
  t.teardown(() => fake.close());
  const err = await t.throwsAsync(openstackClientFrom(passwordCloud(fake)).nova.listServers(), { instanceOf: TargetError });
  t.is(err?.message, 'Nova list servers: unexpected answer: the next link repeats marker a');
  t.is(fake.seen.filter((s) => s.rest === '/servers/detail').length, 2);
});

test('every compute call carries the configured microversion in both headers', async (t) => {
  const fake = await startFakeCloud({ handle: (req) => (req.rest === '/servers/detail' ? { status: 200, body: { servers: [] } } : undefined) });
  t.teardown(() => fake.close());
  await openstackClientFrom(passwordCloud(fake), { computeMicroversion: '2.79' }).nova.listServers();
  const call = fake.seen.find((s) => s.rest === '/servers/detail');
  t.is(call?.headers['openstack-api-version'], 'compute 2.79');
  t.is(call?.headers['x-openstack-nova-api-version'], '2.79');
});

test('getServer gives the server, or null when Nova answers 404', async (t) => {
  const fake = await startFakeCloud({ handle: (req) => (req.rest === '/servers/s1' ? { status: 200, body: { server: server('s1', 'SHUTOFF') } } : undefined) });
  t.teardown(() => fake.close());
  const client = openstackClientFrom(passwordCloud(fake));
  const s1 = await client.nova.getServer('s1');
  t.is(s1?.status, 'SHUTOFF');
  t.is(s1?.['OS-EXT-STS:power_state'], 4);
  t.is(await client.nova.getServer('missing'), null);
});

test('actions post the documented bodies to /servers/{id}/action', async (t) => {
  const bodies: unknown[] = [];
  const fake = await startFakeCloud({
    handle: (req) => {
      if (req.rest !== '/servers/s1/action' || req.method !== 'POST') return undefined;
      bodies.push(req.body);
      return { status: 202 };
    },
  });
  t.teardown(() => fake.close());
  const nova = openstackClientFrom(passwordCloud(fake)).nova;
  for (const action of ['os-stop', 'os-start', 'pause', 'unpause', 'suspend', 'resume'] as const) await nova.action('s1', action);
  await nova.action('s1', { reboot: 'HARD' });
  await nova.action('s1', { reboot: 'SOFT' });
  t.deepEqual(bodies, [
    { 'os-stop': null },
    { 'os-start': null },
    { pause: null },
    { unpause: null },
    { suspend: null },
    { resume: null },
    { reboot: { type: 'HARD' } },
    { reboot: { type: 'SOFT' } },
  ]);
});

test('metadata is set with PUT on its key, and deleting a key that is gone is fine', async (t) => {
  const metadata: Record<string, string> = {};
  const fake = await startFakeCloud({
    handle: (req) => {
      const m = /^\/servers\/s1\/metadata\/(.+)$/.exec(req.rest);
      if (!m?.[1]) return undefined;
      const key = decodeURIComponent(m[1]);
      if (req.method === 'PUT') {
        Object.assign(metadata, (req.body as { meta: Record<string, string> }).meta);
        return { status: 200, body: { meta: { [key]: metadata[key] } } };
      }
      if (req.method === 'DELETE') {
        if (!(key in metadata)) return { status: 404, body: { itemNotFound: { code: 404, message: 'Metadata item was not found' } } };
        delete metadata[key];
        return { status: 204 };
      }
      return undefined;
    },
  });
  t.teardown(() => fake.close());
  const nova = openstackClientFrom(passwordCloud(fake)).nova;
  await nova.setMetadata('s1', 'gameday.io/run', 'run-1');
  t.deepEqual(metadata, { 'gameday.io/run': 'run-1' });
  t.true(fake.seen.some((s) => s.path.endsWith('/servers/s1/metadata/gameday.io%2Frun')));
  await nova.deleteMetadata('s1', 'gameday.io/run');
  t.deepEqual(metadata, {});
  await t.notThrowsAsync(nova.deleteMetadata('s1', 'gameday.io/run'));
});

function statusSequence(states: Array<[string, string | null]>, extra: Record<string, unknown> = {}): (req: Seen) => Answer | undefined {
  return (req) => {
    if (req.rest !== '/servers/s1') return undefined;
    const [status, task] = states.length > 1 ? (states.shift() as [string, string | null]) : (states[0] as [string, string | null]);
    return { status: 200, body: { server: server('s1', status, task, extra) } };
  };
}

test('waitForStatus returns once the status is reached and no task is running', async (t) => {
  const fake = await startFakeCloud({ handle: statusSequence([['ACTIVE', 'powering-off'], ['SHUTOFF', 'powering-off'], ['SHUTOFF', null]]) });
  t.teardown(() => fake.close());
  const s = await openstackClientFrom(passwordCloud(fake)).nova.waitForStatus('s1', ['SHUTOFF'], { timeoutMs: 5_000, intervalMs: 20 });
  t.is(s.status, 'SHUTOFF');
  t.is(s['OS-EXT-STS:task_state'], null);
  t.is(fake.seen.filter((r) => r.rest === '/servers/s1').length, 3, 'SHUTOFF with a task still running is not done');
});

test('waitForStatus times out with a retryable error naming the last status and task state', async (t) => {
  const fake = await startFakeCloud({ handle: statusSequence([['ACTIVE', 'powering-off']]) });
  t.teardown(() => fake.close());
  const err = await t.throwsAsync(
    openstackClientFrom(passwordCloud(fake)).nova.waitForStatus('s1', ['SHUTOFF'], { timeoutMs: 300, intervalMs: 50 }),
    { instanceOf: TargetError },
  );
  t.true(err?.retryable);
  t.is(err?.message, 'Nova server s1 (s1) did not reach SHUTOFF within 300ms: last status ACTIVE, task_state powering-off');
});

test('waitForStatus fails at once, not retryable, when the server goes to ERROR', async (t) => {
  const fake = await startFakeCloud({ handle: statusSequence([['ERROR', null]], { fault: { code: 500, message: 'libvirt failed to stop' } }) });
  t.teardown(() => fake.close());
  const err = await t.throwsAsync(
    openstackClientFrom(passwordCloud(fake)).nova.waitForStatus('s1', ['SHUTOFF'], { timeoutMs: 10_000, intervalMs: 1_000 }),
    { instanceOf: TargetError },
  );
  t.false(err?.retryable);
  t.is(err?.message, 'Nova server s1 (s1) went to ERROR while waiting for SHUTOFF: libvirt failed to stop');
  t.is(fake.seen.filter((r) => r.rest === '/servers/s1').length, 1, 'no second read: ERROR ends the wait');
});

test('waitForStatus rides over a transient 503 and fails at once when the server disappears', async (t) => {
  const answers: Answer[] = [{ status: 503, body: {} }, { status: 503, body: {} }, { status: 503, body: {} }, { status: 200, body: { server: server('s1', 'PAUSED') } }];
  const fake = await startFakeCloud({ handle: (req) => (req.rest === '/servers/s1' ? answers.shift() : undefined) });
  t.teardown(() => fake.close());
  const nova = openstackClientFrom(passwordCloud(fake), { retry: { ...FAST_RETRY, attempts: 2 } }).nova;
  t.is((await nova.waitForStatus('s1', ['PAUSED'], { timeoutMs: 5_000, intervalMs: 20 })).status, 'PAUSED');
  const err = await t.throwsAsync(nova.waitForStatus('s1', ['ACTIVE'], { timeoutMs: 5_000, intervalMs: 20 }), { instanceOf: TargetError });
  t.is(err?.message, 'Nova server s1 disappeared while waiting for ACTIVE');
  t.false(err?.retryable);
});
