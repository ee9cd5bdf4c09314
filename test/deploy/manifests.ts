/**
 * Reading deploy/: every Kubernetes manifest of deploy/kubernetes, parsed the way kubectl
 * reads them (YAML 1.1, so `0440` is octal), each document with its file and parsed
 * tree kept for comments. Helpers only; the tests assert.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, type Document } from 'yaml';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** deploy/kubernetes, where the manifests live. */
export const MANIFESTS_DIR = join(ROOT, 'deploy', 'kubernetes');

/** One Kubernetes object as written. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** A document of a manifest file: its file (relative to the root), its object and its parsed tree. */
export interface Manifest {
  file: string;
  object: KubeObject;
  doc: Document.Parsed;
}

/** The `.yaml` files of deploy/kubernetes, sorted. */
export function manifestFiles(): string[] {
  return readdirSync(MANIFESTS_DIR).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort().map((f) => join(MANIFESTS_DIR, f));
}

/** Parses one file's documents; throws on a YAML error, naming the file and position. */
export function parseManifestFile(path: string): Manifest[] {
  const file = relative(ROOT, path);
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { version: '1.1', prettyErrors: true });
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  return docs.map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return { file, object: doc.toJS() as KubeObject, doc };
  });
}

/** Every document of every manifest file. */
export function allManifests(): Manifest[] {
  return manifestFiles().flatMap(parseManifestFile);
}

/** The one object of this kind and name; throws when there is none or more than one. */
export function objectOf<T = KubeObject>(kind: string, name: string, manifests: Manifest[] = allManifests()): T {
  const found = manifests.filter((m) => m.object.kind === kind && m.object.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name} in deploy/kubernetes, found ${found.length}`);
  return found[0]!.object as T;
}

/** The parts of a pod template the tests read. */
export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

export interface KeyToPath {
  key: string;
  path: string;
}

export interface Volume {
  name: string;
  configMap?: { name: string; items?: KeyToPath[] };
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode?: number };
  projected?: { sources: { configMap?: { name: string; items?: KeyToPath[] }; secret?: { name: string; items?: KeyToPath[] } }[] };
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string };
}

export interface StatefulSet extends KubeObject {
  spec: {
    replicas: number;
    serviceName: string;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        terminationGracePeriodSeconds: number;
        securityContext: { runAsNonRoot?: boolean; runAsUser?: number; fsGroup?: number; seccompProfile?: { type: string } };
        containers: Container[];
        volumes: Volume[];
      };
    };
    volumeClaimTemplates: { metadata: { name: string }; spec: { accessModes: string[]; resources: { requests: { storage: string } } } }[];
  };
}

/** gameday's StatefulSet and its one container. */
export function gamedayWorkload(manifests: Manifest[] = allManifests()): { set: StatefulSet; container: Container } {
  const set = objectOf<StatefulSet>('StatefulSet', 'gameday', manifests);
  const container = set.spec.template.spec.containers.find((c) => c.name === 'gameday');
  if (!container) throw new Error('the gameday StatefulSet has no container named gameday');
  return { set, container };
}

/** The files a container sees from a volume mounted at `mountPath`: `mountPath/item.path` for every listed item. */
export function mountedFiles(set: StatefulSet, container: Container): string[] {
  const files: string[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = set.spec.template.spec.volumes.find((v) => v.name === mount.name);
    const items = [
      ...(volume?.configMap?.items ?? []),
      ...(volume?.secret?.items ?? []),
      ...(volume?.projected?.sources.flatMap((s) => [...(s.configMap?.items ?? []), ...(s.secret?.items ?? [])]) ?? []),
    ];
    files.push(...items.map((i) => `${mount.mountPath}/${i.path}`));
  }
  return files;
}

/** The data of ConfigMap `name`. */
export function configMapData(name: string, manifests: Manifest[] = allManifests()): Record<string, string> {
  return objectOf<KubeObject & { data: Record<string, string> }>('ConfigMap', name, manifests).data;
}
