import test from 'ava';
import type { V1Pod } from '@kubernetes/client-node';
import { podDelete, durationSeconds, PodDeleteParams, PodDeleteTarget } from '../../../src/targets/kubernetes/pod-delete.js';
import { PodsReadyParams } from '../../../src/targets/kubernetes/pods-ready.js';
import { KubernetesSettings } from '../../../src/targets/kubernetes/settings.js';
import { controllerOf, isPodReady, recreatableManifest } from '../../../src/targets/kubernetes/types.js';
import {
  INJECTED_LABEL,
  isMarked,
  markPatch,
  readMarker,
  unmarkPatch,
  withoutMarks,
} from '../../../src/targets/kubernetes/markers.js';
import type { TargetRef } from '../../../src/targets/types.js';

const marker = { runId: 'run-1', faultId: 'f-1', experiment: 'kill-hub' };

test('grace periods are whole-second durations', (t) => {
  t.is(durationSeconds('0s'), 0);
  t.is(durationSeconds('30s'), 30);
  t.is(durationSeconds('1m30s'), 90);
  t.is(durationSeconds('1h'), 3600);
  for (const bad of ['', '30', '500ms', '1.5s', '30 s', 's']) t.false(PodDeleteParams.safeParse({ gracePeriod: bad }).success, bad);
  t.true(PodDeleteParams.safeParse({}).success);
});

test('the target needs a namespace and a label selector, and rejects count, percent and typos', (t) => {
  t.true(PodDeleteTarget.safeParse({ namespace: 'jhub', labelSelector: 'component=hub' }).success);
  t.true(PodDeleteTarget.safeParse({ namespace: 'jhub', labelSelector: 'a', fieldSelector: 'status.phase=Running' }).success);
  t.false(PodDeleteTarget.safeParse({ namespace: 'jhub' }).success);
  t.false(PodDeleteTarget.safeParse({ namespace: 'jhub', labelSelector: '' }).success);
  t.false(PodDeleteTarget.safeParse({ namespace: 'jhub', labelSelector: 'a', count: 1 }).success);
  t.false(PodDeleteTarget.safeParse({ namespace: 'jhub', labelselector: 'a' }).success);
});

test('the pods-ready probe defaults min to 1 and rejects negative or fractional minimums', (t) => {
  t.is(PodsReadyParams.parse({ namespace: 'jhub', labelSelector: 'component=hub' }).min, 1);
  t.false(PodsReadyParams.safeParse({ namespace: 'jhub', labelSelector: 'a', min: -1 }).success);
  t.false(PodsReadyParams.safeParse({ namespace: 'jhub', labelSelector: 'a', min: 1.5 }).success);
  t.false(PodsReadyParams.safeParse({ namespace: 'jhub', labelSelector: 'a', minimum: 1 }).success);
});

test('settings are strict and inCluster excludes kubeconfig', (t) => {
  t.true(KubernetesSettings.safeParse({}).success);
  t.true(KubernetesSettings.safeParse({ kubeconfig: '/etc/kube/config', context: 'lab' }).success);
  t.true(KubernetesSettings.safeParse({ inCluster: true }).success);
  t.false(KubernetesSettings.safeParse({ inCluster: true, kubeconfig: '/x' }).success);
  t.false(KubernetesSettings.safeParse({ server: 'https://x' }).success);
});

test('describe names the pod and the grace period', (t) => {
  const ref: TargetRef = { kind: 'kubernetes.pod', id: 'jhub/hub-7c9f8d6b5-x2k4q', name: 'hub-7c9f8d6b5-x2k4q', ready: true, attributes: {} };
  t.is(podDelete.describe(ref, { gracePeriod: '0s' }), 'delete pod jhub/hub-7c9f8d6b5-x2k4q (grace 0s)');
  t.is(podDelete.describe(ref, {}), 'delete pod jhub/hub-7c9f8d6b5-x2k4q (grace default)');
});

test('a marker patch sets the label and annotations, and the unmark patch nulls exactly those', (t) => {
  const mark = markPatch(marker);
  t.deepEqual(mark.metadata.labels, { [INJECTED_LABEL]: 'true' });
  t.deepEqual(readMarker(mark.metadata), marker);
  t.true(isMarked(mark.metadata));
  const unmark = unmarkPatch();
  t.deepEqual(Object.keys(unmark.metadata.annotations).sort(), ['gameday.io/experiment', 'gameday.io/fault', 'gameday.io/run']);
  t.true(Object.values({ ...unmark.metadata.labels, ...unmark.metadata.annotations }).every((v) => v === null));
});

test('withoutMarks drops only gameday keys and leaves its input untouched', (t) => {
  const meta = { labels: { app: 'jupyterhub', ...markPatch(marker).metadata.labels }, annotations: { note: 'x', ...markPatch(marker).metadata.annotations } };
  const clean = withoutMarks(meta);
  t.deepEqual(clean, { labels: { app: 'jupyterhub' }, annotations: { note: 'x' } });
  t.false(isMarked(clean));
  t.true(isMarked(meta));
});

test('a pod is ready only with a True Ready condition and no deletion timestamp', (t) => {
  const ready: V1Pod = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  t.true(isPodReady(ready));
  t.false(isPodReady({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }));
  t.false(isPodReady({}));
  t.false(isPodReady({ ...ready, metadata: { deletionTimestamp: new Date() } }));
});

test('the controller is the owner reference marked controller, and a bare pod has none', (t) => {
  const ref = (kind: string, name: string, controller?: boolean) => ({ apiVersion: 'apps/v1', kind, name, uid: 'u', controller });
  t.deepEqual(controllerOf({ ownerReferences: [ref('ConfigMap', 'c'), ref('ReplicaSet', 'hub-7c9', true)] }), { kind: 'ReplicaSet', name: 'hub-7c9' });
  t.is(controllerOf({ ownerReferences: [ref('ConfigMap', 'c')] }), null);
  t.is(controllerOf({}), null);
});

test('a recreatable manifest keeps spec, labels and annotations but drops status, server fields, node and marks', (t) => {
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'jupyter-user-001',
      namespace: 'jhub',
      uid: 'abc',
      resourceVersion: '42',
      creationTimestamp: new Date('2024-01-01T00:00:00Z'),
      managedFields: [{ manager: 'kubectl' }],
      labels: { component: 'singleuser-server', ...markPatch(marker).metadata.labels },
      annotations: { 'hub.jupyter.org/username': 'user-001', ...markPatch(marker).metadata.annotations },
    },
    spec: { nodeName: 'worker-001', containers: [{ name: 'notebook', image: 'jupyter/base-notebook' }] },
    status: { phase: 'Running' },
  };
  t.deepEqual(recreatableManifest(pod), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'jupyter-user-001',
      namespace: 'jhub',
      labels: { component: 'singleuser-server' },
      annotations: { 'hub.jupyter.org/username': 'user-001' },
    },
    spec: { containers: [{ name: 'notebook', image: 'jupyter/base-notebook' }] },
  });
  t.is(pod.spec?.nodeName, 'worker-001');
});
