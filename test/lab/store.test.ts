import test from 'ava';
import { ObjectStore, type StoreEvent } from '../../src/lab/kubernetes/store.js';
import type { KubeObject } from '../../src/lab/kubernetes/types.js';

function cm(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data };
}

test('every change bumps the resourceVersion by one and stamps the object', (t) => {
  const store = new ObjectStore(() => Date.UTC(2025, 0, 1));
  const created = store.create('configmaps', cm('a'));
  t.is(created.metadata.resourceVersion, '1');
  t.truthy(created.metadata.uid);
  t.is(created.metadata.creationTimestamp, '2025-01-01T00:00:00Z');
  const changed = store.mutate('configmaps', 'default', 'a', (d) => {
    d['data'] = { k: 'v' };
  });
  t.is(changed?.metadata.resourceVersion, '2');
  const removed = store.remove('configmaps', 'default', 'a');
  t.is(removed?.metadata.resourceVersion, '3');
  t.is(store.resourceVersion, 3);
});

test('a change that changes nothing is not a change', (t) => {
  const store = new ObjectStore(() => 0);
  store.create('configmaps', cm('a', { k: 'v' }));
  store.mutate('configmaps', 'default', 'a', (d) => {
    d['data'] = { k: 'v' };
  });
  t.is(store.resourceVersion, 1);
});

test('a MODIFIED event carries the object before the change', (t) => {
  const store = new ObjectStore(() => 0);
  const events: StoreEvent[] = [];
  store.subscribe((e) => events.push(e));
  store.create('configmaps', cm('a', { k: '1' }));
  store.mutate('configmaps', 'default', 'a', (d) => {
    d['data'] = { k: '2' };
  });
  t.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED']);
  t.deepEqual(events[1]?.previous?.['data'], { k: '1' });
  t.deepEqual(events[1]?.object['data'], { k: '2' });
});

test('stored objects are not shared with the caller that created them', (t) => {
  const store = new ObjectStore(() => 0);
  const input = cm('a', { k: '1' });
  store.create('configmaps', input);
  (input['data'] as Record<string, string>)['k'] = 'changed';
  t.deepEqual(store.get('configmaps', 'default', 'a')?.['data'], { k: '1' });
});

test('history that no longer reaches back to a resourceVersion is reported as expired', (t) => {
  const store = new ObjectStore(() => 0, 3);
  for (let i = 0; i < 6; i++) store.create('configmaps', cm(`c${i}`));
  t.is(store.eventsSince(1), 'expired');
  const recent = store.eventsSince(3);
  t.not(recent, 'expired');
  t.deepEqual((recent as StoreEvent[]).map((e) => e.rv), [4, 5, 6]);
  t.deepEqual(store.eventsSince(6), []);
});

test('subscribers hear changes in resourceVersion order even when one of them writes', (t) => {
  const store = new ObjectStore(() => 0);
  const seen: number[] = [];
  store.subscribe((e) => {
    if (e.object.metadata.name === 'a' && e.type === 'ADDED') store.create('configmaps', cm('b'));
  });
  store.subscribe((e) => seen.push(e.rv));
  store.create('configmaps', cm('a'));
  t.deepEqual(seen, [1, 2]);
});

test('lists are sorted by namespace then name and filter by namespace', (t) => {
  const store = new ObjectStore(() => 0);
  store.create('configmaps', { ...cm('b'), metadata: { name: 'b', namespace: 'x' } });
  store.create('configmaps', { ...cm('a'), metadata: { name: 'a', namespace: 'y' } });
  store.create('configmaps', { ...cm('c'), metadata: { name: 'c', namespace: 'x' } });
  t.deepEqual(store.list('configmaps').map((o) => o.metadata.name), ['b', 'c', 'a']);
  t.deepEqual(store.list('configmaps', 'y').map((o) => o.metadata.name), ['a']);
});
