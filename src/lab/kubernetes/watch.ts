/**
 * Watch streams: newline-delimited `{"type","object"}` events over a chunked 200 response.
 * Rules: without a resourceVersion (or with "0") the stream starts with ADDED events for the
 * current state; with one, it replays every later change from the bounded history, or sends
 * a single 410 Expired ERROR event and ends when that history no longer reaches back; an
 * object that starts or stops matching the selectors arrives as ADDED or DELETED; the stream
 * ends after `timeoutSeconds` (wall-clock) or when the client goes away.
 */
import type { ServerResponse } from 'node:http';
import { expired } from './status.js';
import { matchesFields, matchesLabels, type FieldRequirement, type LabelRequirement } from './selectors.js';
import type { ResourceDef } from './resources.js';
import type { EventType, ObjectStore, StoreEvent } from './store.js';
import type { KubeObject } from './types.js';

/** Wall-clock interval between BOOKMARK events when the client allows them. */
export const BOOKMARK_INTERVAL_MS = 10_000;

/** What one watch request asks for. */
export interface WatchRequest {
  resource: ResourceDef;
  namespace: string | undefined;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  /** As given in the query: undefined or '' (most recent), '0' (any), or a number. */
  resourceVersion: string | undefined;
  timeoutSeconds: number | undefined;
  bookmarks: boolean;
  sendInitialEvents: boolean;
  /** Turns an event's object into what goes on the wire (the object itself, or a Table). */
  render: (object: KubeObject) => unknown;
}

/** Streams a watch on `res` until it times out or the connection closes. */
export function serveWatch(res: ServerResponse, store: ObjectStore, request: WatchRequest): void {
  const { resource, namespace, labels, fields } = request;
  const matches = (object: KubeObject): boolean =>
    (namespace === undefined || object.metadata.namespace === namespace) && matchesLabels(labels, object.metadata.labels) && matchesFields(fields, object);
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  const write = (type: EventType | 'ERROR' | 'BOOKMARK', object: unknown): void => {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const bookmark = (annotations?: Record<string, string>): void =>
    write('BOOKMARK', { kind: resource.kind, apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version, metadata: { resourceVersion: String(store.resourceVersion), ...(annotations ? { annotations } : {}) } });
  const forward = (event: StoreEvent): void => {
    if (event.key !== resource.key) return;
    const now = matches(event.object);
    const before = event.previous ? matches(event.previous) : false;
    if (event.type === 'MODIFIED') {
      if (now && before) write('MODIFIED', request.render(event.object));
      else if (now) write('ADDED', request.render(event.object));
      else if (before) write('DELETED', request.render(event.object));
      return;
    }
    if (now) write(event.type, request.render(event.object));
  };

  const rv = request.resourceVersion;
  const fromState = rv === undefined || rv === '' || rv === '0' || request.sendInitialEvents;
  if (fromState) {
    for (const object of store.list(resource.key, namespace)) if (matches(object)) write('ADDED', request.render(object));
    if (request.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const replay = store.eventsSince(Number(rv));
    if (replay === 'expired') {
      write('ERROR', expired(rv, store.resourceVersion));
      res.end();
      return;
    }
    for (const event of replay) forward(event);
  }

  const unsubscribe = store.subscribe(forward);
  const timers: NodeJS.Timeout[] = [];
  if (request.timeoutSeconds !== undefined) timers.push(setTimeout(() => res.end(), request.timeoutSeconds * 1000));
  if (request.bookmarks) timers.push(setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS));
  res.on('close', () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  });
}
