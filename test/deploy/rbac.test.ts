import test from 'ava';
import * as k8s from '@kubernetes/client-node';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { ROOT, allManifests, type KubeObject, type Manifest } from './manifests.js';

/** The API group of each client-node API class gameday may use. A class not listed here fails the test: add it, with its grants. */
const GROUP_OF_API: Record<string, string> = { CoreV1Api: '', AppsV1Api: 'apps', CoordinationV1Api: 'coordination.k8s.io' };
/** client-node method prefixes and the RBAC verb each one needs. */
const VERB_OF_PREFIX: [RegExp, string][] = [
  [/^deleteCollection/, 'deletecollection'],
  [/^read/, 'get'],
  [/^list/, 'list'],
  [/^create/, 'create'],
  [/^replace/, 'update'],
  [/^patch/, 'patch'],
  [/^delete/, 'delete'],
];
const SUBRESOURCES = ['Status', 'Scale', 'Eviction', 'Binding', 'Log', 'Exec', 'Attach', 'Portforward', 'Proxy', 'Ephemeralcontrollers', 'Resize'];

/** One Kubernetes API call found in gameday's source. */
interface Call {
  file: string;
  method: string;
  group: string;
  resource: string;
  verb: string;
  /** Needs a grant across namespaces: a cluster-scoped resource, or a ...ForAllNamespaces list. */
  clusterWide: boolean;
}

function plural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

/** The methods of every client-node V1 API class, by method name. */
function apiMethods(): Map<string, string> {
  const byMethod = new Map<string, string>();
  for (const [name, value] of Object.entries(k8s)) {
    if (!/V1Api$/.test(name) || typeof value !== 'function') continue;
    for (const method of Object.getOwnPropertyNames((value as { prototype: object }).prototype)) {
      if (method !== 'constructor' && !method.endsWith('WithHttpInfo')) byMethod.set(method, name);
    }
  }
  return byMethod;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'lab' && dir.endsWith('src') ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every Kubernetes API call of src/ (the lab, a server, left out): the client-node API methods it calls. */
function callsInSource(): Call[] {
  const methods = apiMethods();
  const calls: Call[] = [];
  for (const path of sourceFiles(join(ROOT, 'src'))) {
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(/\.([a-z][A-Za-z]+)\s*\(/g)) {
      const method = match[1]!;
      const api = methods.get(method);
      if (!api) continue;
      const group = GROUP_OF_API[api];
      if (group === undefined) throw new Error(`${relative(ROOT, path)} calls ${api}.${method}: add ${api} to GROUP_OF_API and grant what it needs`);
      const prefix = VERB_OF_PREFIX.find(([re]) => re.test(method));
      if (!prefix) throw new Error(`${relative(ROOT, path)} calls ${method}: no RBAC verb known for it`);
      const rest = method.replace(prefix[0], '');
      const allNamespaces = rest.endsWith('ForAllNamespaces');
      const namespaced = rest.startsWith('Namespaced');
      let kind = rest.replace(/^Namespaced/, '').replace(/ForAllNamespaces$/, '');
      let resource = '';
      for (const sub of SUBRESOURCES) {
        if (kind.length > sub.length && kind.endsWith(sub) && methods.has(method.replace(new RegExp(`${sub}(ForAllNamespaces)?$`), ''))) {
          kind = kind.slice(0, -sub.length);
          resource = `/${sub.toLowerCase()}`;
        }
      }
      calls.push({ file: relative(ROOT, path), method, group, resource: plural(kind) + resource, verb: prefix[1], clusterWide: allNamespaces || !namespaced });
    }
  }
  return calls;
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
type RoleObject = KubeObject & { rules: Rule[] };
type Binding = KubeObject & { roleRef: { kind: string; name: string }; subjects: { kind: string; name: string; namespace: string }[] };

const key = (group: string, resource: string, verb: string): string => `${group || 'core'}/${resource}:${verb}`;

function granted(role: RoleObject): Set<string> {
  return new Set(role.rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => key(g, res, v))))));
}

function rbac(manifests: Manifest[] = allManifests()) {
  const objects = manifests.map((m) => m.object);
  const roles = objects.filter((o): o is RoleObject => o.kind === 'Role' || o.kind === 'ClusterRole');
  const bindings = objects.filter((o): o is Binding => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
  const boundToGameday = (b: Binding): boolean => b.subjects.some((s) => s.kind === 'ServiceAccount' && s.name === 'gameday' && s.namespace === 'gameday');
  /** What gameday's ServiceAccount may do in `namespace` ('*' = in every namespace, through a ClusterRoleBinding). */
  const allowedIn = (namespace: string): Set<string> => {
    const out = new Set<string>();
    for (const b of bindings.filter(boundToGameday)) {
      if (b.kind === 'RoleBinding' && b.metadata.namespace !== namespace) continue;
      const role = roles.find((r) => r.kind === b.roleRef.kind && r.metadata.name === b.roleRef.name && (r.kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace));
      if (role) for (const g of granted(role)) out.add(g);
    }
    return out;
  };
  return { roles, bindings, allowedIn };
}

test('the source scan finds the calls gameday is known to make', (t) => {
  const calls = callsInSource();
  const found = new Set(calls.map((c) => `${c.file}: ${c.method}`));
  for (const expected of [
    'src/targets/kubernetes/pod-delete.ts: deleteNamespacedPod',
    'src/targets/kubernetes/pod-delete.ts: listPodForAllNamespaces',
    'src/targets/kubernetes/nodes-ready.ts: listNode',
    'src/daemon/lease/lease-api.ts: replaceNamespacedLease',
  ]) t.true(found.has(expected), `${expected} found`);
  const list = calls.find((c) => c.method === 'listPodForAllNamespaces');
  t.like(list, { group: '', resource: 'pods', verb: 'list', clusterWide: true });
  t.like(calls.find((c) => c.method === 'replaceNamespacedLease'), { group: 'coordination.k8s.io', resource: 'leases', verb: 'update', clusterWide: false });
});

test('gameday is granted exactly the verbs its code uses, no wildcard and nothing more', (t) => {
  const { roles } = rbac();
  const needed = new Set(callsInSource().map((c) => key(c.group, c.resource, c.verb)));
  const grants = new Set(roles.flatMap((r) => [...granted(r)]));
  t.false([...grants].some((g) => g.includes('*')), 'no wildcard');
  t.deepEqual([...grants].sort(), [...needed].sort());
});

test('each call is allowed where it is made: cluster-wide reads everywhere, pod faults in jhub, the Lease in gameday only', (t) => {
  const { allowedIn } = rbac();
  const everywhere = allowedIn('an-unrelated-namespace');
  const jhub = allowedIn('jhub');
  const own = allowedIn('gameday');
  for (const call of callsInSource()) {
    const k = key(call.group, call.resource, call.verb);
    if (call.clusterWide) t.true(everywhere.has(k), `${call.method} (${call.file}) needs ${k} in every namespace`);
    else if (call.file.startsWith('src/daemon/')) {
      t.true(own.has(k), `${call.method} needs ${k} in gameday`);
      t.false(everywhere.has(k), `${k} is not granted outside gameday's namespace`);
    } else t.true(jhub.has(k), `${call.method} (${call.file}) needs ${k} in the target namespace jhub`);
  }
  t.false(everywhere.has(key('', 'pods', 'delete')), 'pods are deleted only where a RoleBinding allows it');
});

test('every granted verb carries a comment naming a source file that makes that call', (t) => {
  const calls = callsInSource();
  let checked = 0;
  for (const { doc, object, file } of allManifests().filter((m) => m.object.kind === 'Role' || m.object.kind === 'ClusterRole')) {
    const rules = doc.get('rules');
    t.true(isSeq(rules), `${file}: ${object.metadata.name} has rules`);
    if (!isSeq(rules)) continue;
    for (const rule of rules.items as YAMLMap[]) {
      t.true(isMap(rule));
      const plain = rule.toJSON() as Rule;
      const verbs = rule.get('verbs');
      if (!isSeq(verbs)) {
        t.fail(`${file}: verbs of ${object.metadata.name} must be a block list, one commented verb per line`);
        continue;
      }
      for (const item of verbs.items) {
        const verb = isScalar(item) ? String(item.value) : '';
        const comment = isScalar(item) ? (item.comment ?? '') : '';
        const named = /(src\/\S+\.ts)/.exec(comment)?.[1];
        t.truthy(named, `${file}: ${object.metadata.name} ${plain.resources.join(',')} ${verb}: the comment names a source file`);
        const makes = calls.some((c) => c.file === named && c.verb === verb && plain.apiGroups.includes(c.group) && plain.resources.includes(c.resource));
        t.true(makes, `${file}: ${named} makes a ${verb} call on ${plain.resources.join(',')}`);
        checked += 1;
      }
    }
  }
  t.true(checked >= 10, `only ${checked} verbs checked`);
});
