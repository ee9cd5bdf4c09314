import test from 'ava';
import type { ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { LAB_KUBE_TOKEN, type Lab } from '../../src/lab/index.js';
import { labFor } from '../lab/helpers.js';
import { MANIFESTS_DIR, ROOT, allManifests, type KubeObject } from './manifests.js';

const KUBECTL = '/usr/bin/kubectl';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl with a private HOME and cache, and the given kubeconfig (none: an empty one). */
async function kubectlIn(t: ExecutionContext, kubeconfig?: string): Promise<(...args: string[]) => Promise<Run>> {
  // the real kubectl is on the image and .ci/run installs it if missing: without it these tests fail, never skip
  if (!existsSync(KUBECTL)) throw new Error(`${KUBECTL} is missing: install kubectl (Debian: kubernetes-client) — .ci/run does`);
  const dir = await mkdtemp(join(tmpdir(), 'gameday-deploy-kubectl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'kubeconfig');
  await writeFile(config, kubeconfig ?? 'apiVersion: v1\nkind: Config\n', { mode: 0o600 });
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, KUBECACHEDIR: join(dir, 'cache'), KUBECONFIG: config };
  return (...args) =>
    new Promise((resolve) => {
      execFile(KUBECTL, ['--kubeconfig', config, ...args], { env, cwd: ROOT, timeout: 40_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
}

/** The kinds the lab's Kubernetes API serves, as `apiVersion/kind`, read from its discovery endpoints. */
async function servedKinds(lab: Lab): Promise<Set<string>> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(lab.endpoints.kubernetes + path, { headers: { authorization: `Bearer ${LAB_KUBE_TOKEN}`, accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return (await response.json()) as T;
  };
  const served = new Set<string>();
  const add = async (groupVersion: string, path: string): Promise<void> => {
    const list = await get<{ resources: { name: string; kind: string }[] }>(path);
    for (const r of list.resources) if (!r.name.includes('/')) served.add(`${groupVersion}/${r.kind}`);
  };
  await add('v1', '/api/v1');
  const groups = await get<{ groups: { versions: { groupVersion: string }[] }[] }>('/apis');
  for (const g of groups.groups) for (const v of g.versions) await add(v.groupVersion, `/apis/${v.groupVersion}`);
  return served;
}

/** How kubectl names an object in its output: `kind[.group]/name`. */
function printedName(o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? `.${o.apiVersion.slice(0, o.apiVersion.indexOf('/'))}` : '';
  return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
}

test('kubectl kustomize builds deploy/ offline into exactly the manifests it lists', async (t) => {
  const kubectl = await kubectlIn(t);
  const run = await kubectl('kustomize', 'deploy');
  t.is(run.code, 0, run.stderr);
  const built = parseAllDocuments(run.stdout).flatMap((d) => (Array.isArray(d) ? [] : [d.toJS() as KubeObject]));
  const expected = allManifests().filter((m) => !m.file.endsWith('servicemonitor.yaml')).map((m) => m.object);
  t.deepEqual(built.map(printedName).sort(), expected.map(printedName).sort());
  const set = built.find((o) => o.kind === 'StatefulSet') as { spec: { template: { spec: { containers: { image: string }[] } } } } | undefined;
  t.is(set?.spec.template.spec.containers[0]?.image, 'registry.example.org/gameday:0.1.0', 'the images entry applies');
});

test('kubectl apply --dry-run=client against the lab: every object of a kind the lab serves is accepted, the others are named as unknown kinds', async (t) => {
  const lab = await labFor(t, { speed: 1 });
  const kubectl = await kubectlIn(t, lab.kubeconfig());
  const served = await servedKinds(lab);
  // the lab has no /openapi/v2, so kubectl's schema validation cannot run: --validate=false
  const run = await kubectl('apply', '--dry-run=client', '--validate=false', '-f', MANIFESTS_DIR);
  const objects = allManifests().map((m) => m.object);
  const unserved = objects.filter((o) => !served.has(`${o.apiVersion}/${o.kind}`));
  const accepted = objects.filter((o) => served.has(`${o.apiVersion}/${o.kind}`));
  t.true(accepted.length >= 4, `the lab serves only ${accepted.length} of the kinds`);
  for (const o of accepted) t.true(run.stdout.includes(`${printedName(o)} created (dry run)`), `${printedName(o)} accepted:\n${run.stdout}\n${run.stderr}`);
  for (const o of unserved) t.true(run.stderr.includes(`no matches for kind "${o.kind}" in version "${o.apiVersion}"`), `${o.kind} ${o.metadata.name} refused only for its kind:\n${run.stderr}`);
  const otherErrors = run.stderr.split('\n').filter((l) => l.trim() && !/no matches for kind|ensure CRDs are installed first/.test(l));
  t.deepEqual(otherErrors, [], 'no error but unknown kinds');
  t.is(run.code === 0, unserved.length === 0, 'kubectl succeeds exactly when the lab serves every kind');
  t.log(`lab discovery serves ${accepted.length}/${objects.length} objects; not served: ${[...new Set(unserved.map((o) => `${o.apiVersion}/${o.kind}`))].sort().join(', ') || 'none'}`);
});
