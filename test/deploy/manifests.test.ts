import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DaemonSection, toDaemonConfig } from '../../src/daemon/config.js';
import { apiRoutes, type ApiDeps } from '../../src/daemon/api.js';
import { logger } from '../../src/log.js';
import { ROOT, allManifests, configMapData, gamedayWorkload, manifestFiles, objectOf, parseManifestFile, type KubeObject } from './manifests.js';

const NAMESPACE = 'gameday';
/** Objects that live outside gameday's namespace on purpose. */
const ELSEWHERE: Record<string, string | undefined> = { 'RoleBinding/gameday-pod-faults-jhub': 'jhub' };
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

function port(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

test('every manifest file parses, and every document has apiVersion, kind and metadata.name', (t) => {
  const files = manifestFiles();
  t.true(files.length >= 8, `only ${files.length} manifest files`);
  for (const file of files) {
    const docs = parseManifestFile(file);
    t.true(docs.length > 0, `${file} holds no document`);
    for (const { object, file: name } of docs) {
      t.regex(String(object.apiVersion), /^([a-z0-9.-]+\/)?v\d+(beta\d+|alpha\d+)?$/, `${name}: apiVersion`);
      t.regex(String(object.kind), /^[A-Z][A-Za-z]+$/, `${name}: kind`);
      t.regex(String(object.metadata?.name), /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, `${name}: metadata.name of a ${object.kind}`);
    }
  }
});

test('no two documents name the same object, and each sits in the namespace it should', (t) => {
  const seen = new Set<string>();
  for (const { object, file } of allManifests()) {
    const id = `${object.kind}/${object.metadata.name}`;
    t.false(seen.has(`${id}@${object.metadata.namespace ?? ''}`), `${file}: ${id} appears twice`);
    seen.add(`${id}@${object.metadata.namespace ?? ''}`);
    if (CLUSTER_SCOPED.has(object.kind)) t.is(object.metadata.namespace, undefined, `${file}: ${id} is cluster-scoped`);
    else t.is(object.metadata.namespace, ELSEWHERE[id] ?? NAMESPACE, `${file}: ${id}`);
    t.is(object.metadata.labels?.['app.kubernetes.io/name'], 'gameday', `${file}: ${id} carries the app label`);
  }
});

test('the workload runs two replicas as gameday\'s service account, and its selector matches its pods and the Service', (t) => {
  const manifests = allManifests();
  const { set } = gamedayWorkload(manifests);
  t.is(set.spec.replicas, 2);
  t.is(set.spec.template.spec.serviceAccountName, objectOf('ServiceAccount', 'gameday', manifests).metadata.name);
  const labels = set.spec.template.metadata.labels;
  for (const [k, v] of Object.entries(set.spec.selector.matchLabels)) t.is(labels[k], v, `selector ${k}`);
  const service = objectOf<KubeObject & { spec: { clusterIP?: string; selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] } }>('Service', 'gameday', manifests);
  t.is(set.spec.serviceName, service.metadata.name);
  t.is(service.spec.clusterIP, 'None', 'a StatefulSet governs its pods through a headless Service');
  for (const [k, v] of Object.entries(service.spec.selector)) t.is(labels[k], v, `service selector ${k}`);
  const pdb = objectOf<KubeObject & { spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget', 'gameday', manifests);
  t.is(pdb.spec.maxUnavailable, 1);
  t.deepEqual(pdb.spec.selector.matchLabels, set.spec.selector.matchLabels);
});

test('the container\'s port and probes are the daemon\'s: 9464, /healthz, /readyz', async (t) => {
  const { container } = gamedayWorkload();
  const defaults = DaemonSection.parse({});
  const daemonPort = port(defaults.listen);
  t.is(daemonPort, 9464);
  const http = container.ports?.find((p) => p.name === 'http');
  t.is(http?.containerPort, daemonPort);
  t.is(container.livenessProbe?.httpGet?.path, '/healthz');
  t.is(container.livenessProbe?.httpGet?.port, 'http');
  t.is(container.readinessProbe?.httpGet?.path, '/readyz');
  t.is(container.readinessProbe?.httpGet?.port, 'http');

  // the daemon serves both paths without a token: 200 from /healthz; /readyz 200, or 503 with reasons
  let reasons: string[] = [];
  // the probe routes read neither the journal nor the gate: any use of them throws
  const untouchable = (what: string): never =>
    new Proxy({}, { get: (_, key) => { throw new Error(`the probe routes must not read ${what}.${String(key)}`); } }) as never;
  const deps: ApiDeps = {
    journal: untouchable('the journal'),
    gate: untouchable('the gate'),
    metricsAuth: false,
    log: logger,
    notReady: () => reasons,
    nextGameday: () => undefined,
    leadership: () => ({ election: true, leader: false }),
    beforeScrape: () => undefined,
  };
  const route = (path: string) => apiRoutes(deps).find((r) => r.method === 'GET' && r.path === path);
  const liveness = route(container.livenessProbe?.httpGet?.path ?? '');
  const readiness = route(container.readinessProbe?.httpGet?.path ?? '');
  t.is(liveness?.access, 'public');
  t.is(readiness?.access, 'public');
  const ctx = { params: {}, query: new URLSearchParams(), caller: undefined, body: () => Promise.reject(new Error('no body')) };
  t.is((await liveness!.handle(ctx)).status, 200);
  t.is((await readiness!.handle(ctx)).status, 200, 'a standby replica is ready');
  reasons = ['leftovers are still being restored'];
  t.is((await readiness!.handle(ctx)).status, 503);
});

test('the Service and the ServiceMonitor scrape /metrics on the container\'s port every 30 s', (t) => {
  const manifests = allManifests();
  const { container } = gamedayWorkload(manifests);
  const service = objectOf<KubeObject & { spec: { ports: { name: string; port: number; targetPort: string | number }[] } }>('Service', 'gameday', manifests);
  const servicePort = service.spec.ports.find((p) => p.name === 'http');
  t.is(servicePort?.port, 9464);
  t.is(servicePort?.targetPort, container.ports?.find((p) => p.name === 'http')?.name);
  const monitor = objectOf<KubeObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string; interval: string }[] } }>('ServiceMonitor', 'gameday', manifests);
  t.is(monitor.apiVersion, 'monitoring.coreos.com/v1');
  t.deepEqual(monitor.spec.endpoints.map((e) => [e.port, e.path, e.interval]), [['http', '/metrics', '30s']]);
  for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) t.is(service.metadata.labels?.[k], v);
});

test('POD_NAME comes from the downward API and is the elector identity', (t) => {
  const { container } = gamedayWorkload();
  const podName = container.env?.find((e) => e.name === 'POD_NAME');
  t.deepEqual(podName?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
  // the ConfigMap's daemon section sets no identity, so each replica takes its own pod name
  const written = parse(configMapData('gameday-config')['gameday.yaml'] ?? '') as { daemon: unknown };
  const section = DaemonSection.parse(written.daemon);
  t.is(section.leaderElection.identity, undefined);
  t.is(toDaemonConfig(section, (p) => p, { POD_NAME: 'gameday-1' }).leaderElection.identity, 'gameday-1');
});

test('the pod runs non-root, read-only, without capabilities, under RuntimeDefault seccomp, with bounded resources', (t) => {
  const { set, container } = gamedayWorkload();
  const pod = set.spec.template.spec.securityContext;
  t.true(pod.runAsNonRoot);
  t.is(pod.runAsUser, 10001);
  t.is(pod.fsGroup, 10001);
  t.is(pod.seccompProfile?.type, 'RuntimeDefault');
  const sc = container.securityContext;
  t.true(sc?.runAsNonRoot);
  t.is(sc?.runAsUser, 10001);
  t.false(sc?.allowPrivilegeEscalation);
  t.true(sc?.readOnlyRootFilesystem);
  t.deepEqual(sc?.capabilities, { drop: ['ALL'] });
  t.is(sc?.seccompProfile?.type, 'RuntimeDefault');
  for (const key of ['cpu', 'memory']) {
    t.truthy(container.resources?.requests?.[key], `requests.${key}`);
    t.truthy(container.resources?.limits?.[key], `limits.${key}`);
  }
  const writable = (container.volumeMounts ?? []).filter((m) => !m.readOnly).map((m) => m.mountPath).sort();
  t.deepEqual(writable, ['/tmp', '/var/lib/gameday'], 'only the store and /tmp are writable');
});

test('each replica gets its own ReadWriteOnce store from the volumeClaimTemplate', (t) => {
  const { set, container } = gamedayWorkload();
  const [claim, ...more] = set.spec.volumeClaimTemplates;
  t.is(more.length, 0);
  t.deepEqual(claim?.spec.accessModes, ['ReadWriteOnce']);
  t.regex(claim?.spec.resources.requests.storage ?? '', /^\d+(Mi|Gi)$/);
  const mount = container.volumeMounts?.find((m) => m.name === claim?.metadata.name);
  t.is(mount?.mountPath, '/var/lib/gameday');
  t.false(set.spec.template.spec.volumes.some((v) => v.name === claim?.metadata.name), 'the store is the claim, not a pod volume');
});

test('every Secret volume is mounted read-only with group-readable files', (t) => {
  const { set, container } = gamedayWorkload();
  const secrets = set.spec.template.spec.volumes.filter((v) => v.secret);
  t.deepEqual(secrets.map((v) => v.secret?.secretName).sort(), ['gameday-api-tokens', 'gameday-jupyterhub', 'gameday-openstack', 'gameday-prometheus', 'gameday-ssh']);
  for (const volume of secrets) {
    const mount = container.volumeMounts?.find((m) => m.name === volume.name);
    t.true(mount?.readOnly, `${volume.name} mounted read-only`);
    t.is(volume.secret?.defaultMode, 0o440, `${volume.name}: mode 0440`);
    t.true((volume.secret?.items?.length ?? 0) > 0, `${volume.name} lists the keys it needs`);
  }
});

test('the kustomization lists every manifest but the ServiceMonitor, which needs the Prometheus Operator', (t) => {
  const kustomization = parse(readFileSync(join(ROOT, 'deploy', 'kustomization.yaml'), 'utf8')) as { resources: string[]; images: { name: string }[] };
  const files = manifestFiles().map((f) => `kubernetes/${f.slice(f.lastIndexOf('/') + 1)}`);
  t.deepEqual([...kustomization.resources].sort(), files.filter((f) => f !== 'kubernetes/servicemonitor.yaml').sort());
  const { container } = gamedayWorkload();
  t.true(kustomization.images.some((i) => container.image.startsWith(`${i.name}:`)), 'the images entry names the container image');
});
