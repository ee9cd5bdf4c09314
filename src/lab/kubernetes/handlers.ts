/**
 * The verbs on stored resources: list, get, create, update, patch, delete, deletecollection,
 * and watch. Rules: answers and errors have the API server's shapes and codes; list items
 * carry no kind/apiVersion (the list does); `dryRun=All` checks everything and writes
 * nothing; a write that names a stale resourceVersion is a 409 Conflict; a PUT without one
 * is unconditional, except on resources whose registry forbids it (leases: 422).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readText, sendBody } from '../http-frame.js';
import { prepareCreate, prepareStatusUpdate, prepareUpdate } from './admission.js';
import { deletePod } from './pods.js';
import { PatchError, patchFunction, type Json } from './patch.js';
import { apiVersionOf, RESOURCES, type ResourceDef } from './resources.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { alreadyExists, badRequest, conflict, failure, invalid, KubeError, notFound, unsupportedMediaType } from './status.js';
import { toTable, wantsTable } from './tables.js';
import { serveWatch } from './watch.js';
import type { Cluster } from './cluster.js';
import type { KubeObject } from './types.js';

/** One parsed request on a resource. */
export interface KubeRequest {
  req: IncomingMessage;
  res: ServerResponse;
  cluster: Cluster;
  resource: ResourceDef;
  namespace: string | undefined;
  name: string | undefined;
  query: URLSearchParams;
}

/** Reads the body as JSON; 400 when it is not JSON. `undefined` for an empty body. */
export async function readJson(req: IncomingMessage): Promise<Json | undefined> {
  const text = await readText(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isDryRun(r: KubeRequest): boolean {
  return r.query.getAll('dryRun').includes('All');
}

function stripType(object: KubeObject): Omit<KubeObject, 'kind' | 'apiVersion'> {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest;
}

/** Answers a single object, as a Table when the client asks for one. */
export function answerObject(r: KubeRequest, status: number, object: KubeObject): void {
  if (wantsTable(r.req.headers.accept)) {
    const { store, clock } = r.cluster;
    sendBody(r.res, status, toTable(object.kind, [object], String(store.resourceVersion), clock.now(), (n) => r.cluster.isNodeReady(n), r.query.get('includeObject') ?? undefined));
    return;
  }
  sendBody(r.res, status, object);
}

/** The stored object the request names, or a 404. */
export function current(r: KubeRequest): KubeObject {
  const object = r.cluster.store.get(r.resource.key, r.namespace, r.name ?? '');
  if (!object) throw notFound(r.resource, r.name ?? '');
  return object;
}

function selectors(r: KubeRequest): { select: (o: KubeObject) => boolean; labels: ReturnType<typeof parseLabelSelector>; fields: ReturnType<typeof parseFieldSelector> } {
  const labels = parseLabelSelector(r.query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(r.query.get('fieldSelector') ?? '', r.resource);
  return { labels, fields, select: (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o) };
}

/** GET on a collection: a list (with limit/continue), or a watch when `watch` is set. */
export function list(r: KubeRequest): void {
  const { store, clock } = r.cluster;
  const { select, labels, fields } = selectors(r);
  const watch = r.query.get('watch');
  if (watch === 'true' || watch === '1') {
    const rv = r.query.get('resourceVersion') ?? undefined;
    if (rv && !/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be an unsigned integer`);
    const timeout = r.query.get('timeoutSeconds');
    const table = wantsTable(r.req.headers.accept);
    serveWatch(r.res, store, {
      resource: r.resource, namespace: r.namespace, labels, fields, resourceVersion: rv,
      timeoutSeconds: timeout !== null && Number(timeout) > 0 ? Number(timeout) : undefined,
      bookmarks: r.query.get('allowWatchBookmarks') === 'true',
      sendInitialEvents: r.query.get('sendInitialEvents') === 'true',
      render: table ? (o) => toTable(o.kind, [o], o.metadata.resourceVersion ?? '', clock.now(), (n) => r.cluster.isNodeReady(n), r.query.get('includeObject') ?? undefined) : (o) => o,
    });
    return;
  }
  const all = store.list(r.resource.key, r.namespace).filter(select);
  const resourceVersion = String(store.resourceVersion);
  const start = decodeContinue(r.query.get('continue'));
  const limit = Number(r.query.get('limit') ?? '0');
  const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
  const rest = all.length - start - page.length;
  const metadata = { resourceVersion, ...(rest > 0 ? { continue: encodeContinue(start + page.length, resourceVersion), remainingItemCount: rest } : {}) };
  if (wantsTable(r.req.headers.accept)) {
    const table = toTable(r.resource.kind, page, resourceVersion, clock.now(), (n) => r.cluster.isNodeReady(n), r.query.get('includeObject') ?? undefined) as { metadata: object };
    sendBody(r.res, 200, { ...table, metadata });
    return;
  }
  sendBody(r.res, 200, { kind: `${r.resource.kind}List`, apiVersion: apiVersionOf(r.resource), metadata, items: page.map(stripType) });
}

function encodeContinue(offset: number, rv: string): string {
  return Buffer.from(JSON.stringify({ rv, start: offset })).toString('base64url');
}

function decodeContinue(token: string | null): number {
  if (!token) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof parsed.start === 'number' && parsed.start >= 0) return parsed.start;
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** GET on one object. */
export function get(r: KubeRequest): void {
  answerObject(r, 200, current(r));
}

function namespaceMustExist(r: KubeRequest): void {
  if (!r.resource.namespaced || !r.namespace) return;
  if (!r.cluster.store.get('namespaces', undefined, r.namespace)) throw notFound(RESOURCES.find((x) => x.key === 'namespaces') as ResourceDef, r.namespace);
}

/** POST on a collection. */
export async function create(r: KubeRequest): Promise<void> {
  namespaceMustExist(r);
  const object = prepareCreate(r.resource, await readJson(r.req), r.namespace);
  if (r.cluster.store.get(r.resource.key, object.metadata.namespace, object.metadata.name)) throw alreadyExists(r.resource, object.metadata.name);
  const stored = isDryRun(r) ? object : r.cluster.store.create(r.resource.key, object);
  answerObject(r, 201, stored);
}

function checkVersion(r: KubeRequest, existing: KubeObject, next: KubeObject, required: boolean): void {
  const wanted = next.metadata.resourceVersion;
  if (!wanted) {
    if (required) throw invalid(r.resource, existing.metadata.name, [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }]);
    return;
  }
  if (wanted !== existing.metadata.resourceVersion) throw conflict(r.resource, existing.metadata.name);
}

function store(r: KubeRequest, next: KubeObject): KubeObject {
  return isDryRun(r) ? next : r.cluster.store.replace(r.resource.key, next);
}

/** PUT on an object (or its `/status`). */
export async function update(r: KubeRequest, statusOnly = false): Promise<void> {
  const existing = current(r);
  const body = await readJson(r.req);
  const next = statusOnly ? prepareStatusUpdate(r.resource, existing, body) : prepareUpdate(r.resource, existing, body);
  const incomingVersion = (body as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion;
  checkVersion(r, existing, { ...next, metadata: { ...next.metadata, ...(incomingVersion ? { resourceVersion: incomingVersion } : {}) } }, !r.resource.unconditionalUpdate);
  answerObject(r, 200, store(r, next));
}

/** Applies a PATCH body to a document; maps patch errors to 400/409/422/415. */
export async function applyPatch(r: KubeRequest, document: Json, name: string): Promise<Json> {
  const apply = patchFunction(r.req.headers['content-type']);
  if (!apply) throw unsupportedMediaType(r.req.headers['content-type'] ?? '');
  const body = await readJson(r.req);
  if (body === undefined) throw badRequest('the body of the request was empty');
  try {
    return apply(document, body);
  } catch (error) {
    if (!(error instanceof PatchError)) throw error;
    if (error.kind === 'malformed') throw badRequest(error.message);
    if (error.kind === 'test-failed') throw conflict(r.resource, name, error.message);
    throw new KubeError(failure(422, 'Invalid', `the server rejected our request due to an error in our request: ${error.message}`));
  }
}

/** PATCH on an object (or its `/status`). */
export async function patch(r: KubeRequest, statusOnly = false): Promise<void> {
  const existing = current(r);
  const patched = await applyPatch(r, existing as unknown as Json, existing.metadata.name);
  const next = statusOnly ? prepareStatusUpdate(r.resource, existing, patched) : prepareUpdate(r.resource, existing, patched);
  const patchedVersion = (patched as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  if (patchedVersion && patchedVersion !== existing.metadata.resourceVersion) throw conflict(r.resource, existing.metadata.name);
  answerObject(r, 200, store(r, next));
}

interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
}

async function deleteOptions(r: KubeRequest): Promise<DeleteOptions> {
  const body = ((await readJson(r.req)) ?? {}) as DeleteOptions;
  const grace = r.query.get('gracePeriodSeconds');
  const policy = r.query.get('propagationPolicy');
  return { ...body, ...(grace !== null ? { gracePeriodSeconds: Number(grace) } : {}), ...(policy ? { propagationPolicy: policy } : {}) };
}

/** Deletes one object by the API server's rules; returns what the client is answered. */
export function deleteObject(r: KubeRequest, object: KubeObject, options: DeleteOptions): unknown {
  const { uid, resourceVersion, name, namespace } = object.metadata;
  if (options.preconditions?.uid && options.preconditions.uid !== uid) {
    throw conflict(r.resource, name, `Precondition failed: UID in precondition: ${options.preconditions.uid}, UID in object meta: ${uid ?? ''}`);
  }
  if (options.preconditions?.resourceVersion && options.preconditions.resourceVersion !== resourceVersion) {
    throw conflict(r.resource, name, `Precondition failed: ResourceVersion in precondition: ${options.preconditions.resourceVersion}, ResourceVersion in object meta: ${resourceVersion ?? ''}`);
  }
  if (options.gracePeriodSeconds !== undefined && !(Number.isInteger(options.gracePeriodSeconds) && options.gracePeriodSeconds >= 0)) {
    throw invalid(r.resource, name, [{ reason: 'FieldValueInvalid', message: `Invalid value: ${options.gracePeriodSeconds}: must be greater than or equal to 0`, field: 'gracePeriodSeconds' }]);
  }
  const { store: objects, clock } = r.cluster;
  if (isDryRun(r)) return object;
  if (r.resource.key === 'pods') return deletePod(objects, clock.now(), namespace ?? '', name, options) ?? object;
  if (options.propagationPolicy === 'Orphan') orphanDependents(r, uid ?? '');
  const removed = objects.remove(r.resource.key, namespace, name) ?? object;
  if (['namespaces', 'services'].includes(r.resource.key)) return removed;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, ...(r.resource.group ? { group: r.resource.group } : {}), kind: r.resource.plural, uid } };
}

function orphanDependents(r: KubeRequest, uid: string): void {
  for (const resource of RESOURCES) {
    for (const o of r.cluster.store.list(resource.key)) {
      if (!o.metadata.ownerReferences?.some((ref) => ref.uid === uid)) continue;
      r.cluster.store.mutate(resource.key, o.metadata.namespace, o.metadata.name, (draft) => {
        draft.metadata.ownerReferences = draft.metadata.ownerReferences?.filter((ref) => ref.uid !== uid);
        if (draft.metadata.ownerReferences?.length === 0) delete draft.metadata.ownerReferences;
      });
    }
  }
}

/** DELETE on an object. */
export async function remove(r: KubeRequest): Promise<void> {
  const object = current(r);
  const answer = deleteObject(r, object, await deleteOptions(r));
  sendBody(r.res, 200, answer);
}

/** DELETE on a collection: deletes every selected object, answers the list of them. */
export async function removeCollection(r: KubeRequest): Promise<void> {
  const { select } = selectors(r);
  const options = await deleteOptions(r);
  const items = r.cluster.store.list(r.resource.key, r.namespace).filter(select).map((o) => deleteObject(r, o, options));
  const objects = items.filter((i): i is KubeObject => (i as KubeObject).kind === r.resource.kind);
  sendBody(r.res, 200, { kind: `${r.resource.kind}List`, apiVersion: apiVersionOf(r.resource), metadata: { resourceVersion: String(r.cluster.store.resourceVersion) }, items: objects.map(stripType) });
}

/** Throws 405 for a verb the route does not serve. */
export function notAllowed(): never {
  throw new HttpError(405, failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
}
