import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfigText, type Config } from '../../src/config.js';
import { loadCatalog } from '../../src/experiments/catalog.js';
import { validateExperimentText } from '../../src/experiments/load.js';
import { resolveCandidates } from '../../src/scheduler/candidates.js';
import { allManifests, configMapData, gamedayWorkload, mountedFiles, objectOf, type KubeObject } from './manifests.js';

/** Where the StatefulSet mounts gameday.yaml, and what the image's CMD passes to --config. */
const CONFIG_FILE = '/etc/gameday/gameday.yaml';

async function deployedConfig(): Promise<Config> {
  return validateConfigText(configMapData('gameday-config')['gameday.yaml'] ?? '', CONFIG_FILE);
}

/** Every `{ file: PATH }` secret reference and path-like setting of the config, with where it sits. */
function referencedFiles(value: unknown, at = ''): { at: string; path: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => referencedFiles(v, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) =>
    typeof v === 'string' && v.startsWith('/') && (key === 'file' || /File$/.test(key)) ? [{ at: `${at}.${key}`, path: v }] : referencedFiles(v, `${at}.${key}`),
  );
}

test('the ConfigMap\'s gameday.yaml is a valid gameday config', async (t) => {
  const config = await deployedConfig();
  t.is(config.file, CONFIG_FILE);
  t.deepEqual(Object.keys(config.targets).sort(), ['glusterfs', 'jupyterhub', 'kubernetes', 'openstack', 'prometheus']);
  t.deepEqual(config.targets['kubernetes'], { inCluster: true }, 'in the cluster, the pod\'s service account');
  t.is(config.log.format, 'json');
});

test('every experiment of the ConfigMap loads, as the daemon loads its catalog', async (t) => {
  const data = configMapData('gameday-experiments');
  const keys = Object.keys(data).sort();
  t.true(keys.length >= 3);
  for (const key of keys) {
    const experiment = await validateExperimentText(data[key]!, `/etc/gameday/experiments/${key}`);
    t.is(`${experiment.name}.yaml`, key, 'each key is named after its experiment');
  }
  const dir = await mkdtemp(join(tmpdir(), 'gameday-deploy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await Promise.all(keys.map((k) => writeFile(join(dir, k), data[k]!)));
  const catalog = await loadCatalog(dir);
  t.deepEqual(catalog.map((e) => `${e.name}.yaml`), keys);
});

test('the game days pick only experiments of the deployed catalog', async (t) => {
  const config = await deployedConfig();
  const data = configMapData('gameday-experiments');
  const dir = await mkdtemp(join(tmpdir(), 'gameday-deploy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await Promise.all(Object.entries(data).map(([k, v]) => writeFile(join(dir, k), v)));
  const candidates = resolveCandidates(config.schedule, await loadCatalog(dir));
  t.true(candidates.size > 0, 'at least one game day');
  for (const [gameday, names] of candidates) t.true(names.length > 0, `${gameday} runs something`);
});

test('the daemon listens on the container port on every interface, with leader election on the Lease of its namespace', async (t) => {
  const manifests = allManifests();
  const { daemon } = await deployedConfig();
  const { container } = gamedayWorkload(manifests);
  t.is(daemon.listen, `0.0.0.0:${container.ports?.find((p) => p.name === 'http')?.containerPort}`);
  const role = objectOf<KubeObject & { rules: { apiGroups: string[]; resources: string[] }[] }>('Role', 'gameday-leader-election', manifests);
  t.true(daemon.leaderElection.enabled);
  t.is(daemon.leaderElection.namespace, role.metadata.namespace);
  t.true(role.rules.some((r) => r.apiGroups.includes('coordination.k8s.io') && r.resources.includes('leases')));
  t.deepEqual([daemon.leaderElection.leaseDurationMs, daemon.leaderElection.renewDeadlineMs, daemon.leaderElection.retryPeriodMs], [15_000, 10_000, 2_000]);
  t.true(daemon.tokens.some((tk) => tk.role === 'operator') && daemon.tokens.some((tk) => tk.role === 'viewer'));
});

test('a SIGTERM shutdown fits in the pod\'s termination grace period', async (t) => {
  const { daemon } = await deployedConfig();
  const { set } = gamedayWorkload();
  t.true(daemon.shutdownTimeoutMs < set.spec.template.spec.terminationGracePeriodSeconds * 1000);
});

test('every file the config names is mounted: the store\'s volume, the experiments, each secret', async (t) => {
  const config = await deployedConfig();
  const { set, container } = gamedayWorkload();
  const files = mountedFiles(set, container);
  t.true(files.includes(CONFIG_FILE), 'gameday.yaml where the image\'s CMD reads it');
  const storeMount = container.volumeMounts?.find((m) => m.name === set.spec.volumeClaimTemplates[0]?.metadata.name);
  t.true(config.store.path.startsWith(`${storeMount?.mountPath}/`), `store.path ${config.store.path} is on the claim`);
  const experimentFiles = files.filter((f) => f.startsWith(`${config.daemon.experiments}/`)).map((f) => f.slice(f.lastIndexOf('/') + 1)).sort();
  t.deepEqual(experimentFiles, Object.keys(configMapData('gameday-experiments')).sort(), 'every experiment key is projected, and only those');
  const referenced = [
    ...referencedFiles(config.targets, 'targets'),
    ...config.daemon.tokens.flatMap((tk) => ('file' in tk.token ? [{ at: `daemon.tokens.${tk.name}`, path: tk.token.file }] : [])),
  ];
  t.true(referenced.length >= 8, `only ${referenced.length} files referenced`);
  for (const { at, path } of referenced) t.true(files.includes(path), `${at}: ${path} is mounted`);
  const openstack = config.targets['openstack'] as { cloudsFile: string };
  t.true(files.includes(openstack.cloudsFile.replace(/clouds\.yaml$/, 'secure.yaml')), 'secure.yaml beside clouds.yaml');
});
