import test from 'ava';
import type { Lab } from '../../src/lab/index.js';
import { eventually, kube, labFor } from './helpers.js';

interface WatchEvent {
  type: string;
  object: { kind?: string; metadata: { name: string; resourceVersion?: string; labels?: Record<string, string> }; code?: number; reason?: string };
}

interface OpenWatch {
  events: WatchEvent[];
  ended: Promise<void>;
  stop: () => void;
}

async function openWatch(lab: Lab, path: string): Promise<OpenWatch> {
  const controller = new AbortController();
  const response = await fetch(lab.endpoints.kubernetes + path, { headers: { authorization: 'Bearer lab-kube-token' }, signal: controller.signal });
  if (response.status !== 200 || !response.body) throw new Error(`watch answered ${response.status}`);
  const events: WatchEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const ended = (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          events.push(JSON.parse(buffer.slice(0, newline)) as WatchEvent);
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
        }
      }
    } catch {
      // aborted or reset: the stream ended
    }
  })();
  return { events, ended, stop: () => controller.abort() };
}

test('a watch without resourceVersion starts with ADDED events for the current state', async (t) => {
  const lab = await labFor(t);
  const watch = await openWatch(lab, '/api/v1/namespaces/jhub/pods?watch=true&labelSelector=component%3Duser-scheduler');
  t.teardown(watch.stop);
  await eventually(() => watch.events.length === 2, 'two ADDED events');
  t.deepEqual(watch.events.map((e) => e.type), ['ADDED', 'ADDED']);
  t.is(watch.events[0]?.object.kind, 'Pod');
});

test('a watch from a resourceVersion replays every later change', async (t) => {
  const lab = await labFor(t);
  const rv = (await kube<{ metadata: { resourceVersion: string } }>(lab, '/api/v1/nodes')).body.metadata.resourceVersion;
  await kube(lab, '/api/v1/nodes/worker-003', { method: 'PATCH', json: { metadata: { labels: { a: '1' } } }, contentType: 'application/merge-patch+json' });
  await kube(lab, '/api/v1/nodes/worker-004', { method: 'PATCH', json: { metadata: { labels: { a: '2' } } }, contentType: 'application/merge-patch+json' });
  const watch = await openWatch(lab, `/api/v1/nodes?watch=1&resourceVersion=${rv}`);
  t.teardown(watch.stop);
  await eventually(() => watch.events.length >= 2, 'two replayed events');
  t.deepEqual(watch.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['MODIFIED worker-003', 'MODIFIED worker-004']);
  t.true(Number(watch.events[1]?.object.metadata.resourceVersion) > Number(rv));
});

test('a watch from a resourceVersion older than the history gets a 410 Expired ERROR and ends', async (t) => {
  const lab = await labFor(t);
  lab.world.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'churn', namespace: 'jhub' }, data: {} });
  for (let i = 0; i < 1100; i++) {
    lab.world.store.mutate('configmaps', 'jhub', 'churn', (d) => {
      d['data'] = { i: String(i) };
    });
  }
  const watch = await openWatch(lab, '/api/v1/namespaces/jhub/pods?watch=true&resourceVersion=5');
  await watch.ended;
  t.is(watch.events.length, 1);
  t.is(watch.events[0]?.type, 'ERROR');
  t.like(watch.events[0]?.object, { kind: 'Status', code: 410, reason: 'Expired' });
});

test('an object that stops matching the selector arrives as DELETED, one that starts matching as ADDED', async (t) => {
  const lab = await labFor(t);
  const rv = (await kube<{ metadata: { resourceVersion: string } }>(lab, '/api/v1/namespaces/jhub/pods')).body.metadata.resourceVersion;
  const watch = await openWatch(lab, `/api/v1/namespaces/jhub/pods?watch=true&resourceVersion=${rv}&labelSelector=chaos%3Dyes`);
  t.teardown(watch.stop);
  const label = (value: string | null): Promise<unknown> =>
    kube(lab, '/api/v1/namespaces/jhub/pods/jupyter-user-005', { method: 'PATCH', json: { metadata: { labels: { chaos: value } } }, contentType: 'application/merge-patch+json' });
  await label('yes');
  await label(null);
  await eventually(() => watch.events.length >= 2, 'two events');
  t.deepEqual(watch.events.map((e) => e.type), ['ADDED', 'DELETED']);
});

test('a watch ends after timeoutSeconds', async (t) => {
  const lab = await labFor(t);
  const started = Date.now();
  const watch = await openWatch(lab, '/api/v1/nodes?watch=true&timeoutSeconds=1');
  await watch.ended;
  const took = Date.now() - started;
  t.true(took >= 900 && took < 5000, `took ${took} ms`);
  t.is(watch.events.length, 5);
});

test('closing the lab ends open watch streams', async (t) => {
  const lab = await labFor(t);
  const watch = await openWatch(lab, '/api/v1/pods?watch=true');
  await eventually(() => watch.events.length > 0, 'the initial events');
  await lab.close();
  await watch.ended;
  t.pass();
});

test('an invalid resourceVersion on a watch is a 400', async (t) => {
  const lab = await labFor(t);
  const answer = await kube(lab, '/api/v1/pods?watch=true&resourceVersion=abc');
  t.is(answer.status, 400);
});
