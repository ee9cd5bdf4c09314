/**
 * Discovery documents (`/version`, `/api`, `/apis`, group and group-version resource lists).
 * Rule: always the legacy (unaggregated) JSON form with `Content-Type: application/json`, so
 * clients that ask for aggregated discovery first (kubectl ≥ 1.30) fall back to it.
 */
import { RESOURCES, RESOURCE_VERBS, apiVersionOf, groupVersions, type ResourceDef } from './resources.js';

/** The Kubernetes version the lab claims to be. */
export const LAB_KUBE_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:02:27Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** `/api`: the core group's versions. */
export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDoc(group: string): unknown {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** `/apis`: every named group. */
export function apiGroupList(): unknown {
  const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => g !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) };
}

/** `/apis/{group}`, or undefined when the group is not served. */
export function apiGroup(group: string): unknown {
  if (group === '' || !groupVersions().some((gv) => gv.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...(groupDoc(group) as object) };
}

function resourceEntries(r: ResourceDef): unknown[] {
  const main = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: RESOURCE_VERBS,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
  };
  const subs = r.subresources.map((sub) => {
    const base = { name: `${r.plural}/${sub}`, singularName: r.singular, namespaced: r.namespaced };
    if (sub === 'eviction') return { ...base, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    if (sub === 'scale') return { ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    return { ...base, kind: r.kind, verbs: ['get', 'patch', 'update'] };
  });
  return [main, ...subs];
}

/** `/api/v1` or `/apis/{group}/{version}`, or undefined when not served. */
export function apiResourceList(group: string, version: string): unknown {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const groupVersion = apiVersionOf(resources[0] as ResourceDef);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: resources.flatMap(resourceEntries) };
}
