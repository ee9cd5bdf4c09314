/**
 * The lab's etcd: every Kubernetes object, one global resourceVersion and a bounded history
 * of changes for watches. Rules: every change bumps the resourceVersion by one and becomes
 * one event; stored objects are never mutated in place (a change stores a new object), so
 * history entries and in-flight responses stay valid; events reach subscribers strictly in
 * resourceVersion order, even when a subscriber changes the store while being notified.
 */
import { randomUUID } from 'node:crypto';
import { rfc3339 } from '../clock.js';
import { resourceByKey } from './resources.js';
import type { KubeObject } from './types.js';

/** A watch event type as on the wire. */
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change of the store. */
export interface StoreEvent {
  type: EventType;
  /** Resource key (`pods`, `deployments.apps`, …). */
  key: string;
  rv: number;
  object: KubeObject;
  /** The object before a MODIFIED change. */
  previous?: KubeObject;
}

/** Default number of events kept for watch replay. */
export const DEFAULT_HISTORY = 1000;

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Versioned object storage with change events. */
export class ObjectStore {
  private rv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly subscribers = new Set<(event: StoreEvent) => void>();
  private readonly queue: StoreEvent[] = [];
  private dispatching = false;

  constructor(
    private readonly now: () => number,
    private readonly historyLimit = DEFAULT_HISTORY,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** The current (latest) resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** The stored object (shared — never mutate it), or undefined. */
  get(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(key)?.get(objectKey(namespace, name));
  }

  /** Stored objects of a resource, in one namespace or all, sorted by namespace then name. */
  list(key: string, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(key)?.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** Stores a new object: assigns uid, resourceVersion, creationTimestamp (kept when given), generation. Throws when it exists. */
  create<T extends KubeObject>(key: string, object: T): T {
    const { name, namespace } = object.metadata;
    if (this.get(key, namespace, name)) throw new Error(`${key} ${objectKey(namespace, name)} already exists`);
    const stored = structuredClone(object);
    const meta = stored.metadata;
    meta.uid ??= randomUUID();
    meta.creationTimestamp ??= rfc3339(this.now());
    if (resourceByKey(key).generation) meta.generation = 1;
    meta.resourceVersion = String(++this.rv);
    this.bucket(key).set(objectKey(namespace, name), stored);
    this.record({ type: 'ADDED', key, rv: this.rv, object: stored });
    return stored;
  }

  /** Replaces an existing object; returns the stored one, or the current one unchanged when nothing differs. */
  replace<T extends KubeObject>(key: string, object: T): T {
    const { name, namespace } = object.metadata;
    const previous = this.get(key, namespace, name);
    if (!previous) throw new Error(`${key} ${objectKey(namespace, name)} does not exist`);
    const stored = structuredClone(object);
    stored.metadata.uid = previous.metadata.uid;
    stored.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    stored.metadata.resourceVersion = previous.metadata.resourceVersion;
    if (resourceByKey(key).generation) {
      stored.metadata.generation = (previous.metadata.generation ?? 1) + (sameJson(stored['spec'], previous['spec']) ? 0 : 1);
    }
    if (sameJson(stored, previous)) return previous as T;
    stored.metadata.resourceVersion = String(++this.rv);
    this.bucket(key).set(objectKey(namespace, name), stored);
    this.record({ type: 'MODIFIED', key, rv: this.rv, object: stored, previous });
    return stored;
  }

  /** Changes a copy of the stored object with `change` and stores it; undefined when the object is gone. */
  mutate<T extends KubeObject>(key: string, namespace: string | undefined, name: string, change: (draft: T) => void): T | undefined {
    const current = this.get(key, namespace, name);
    if (!current) return undefined;
    const draft = structuredClone(current) as T;
    change(draft);
    return this.replace(key, draft);
  }

  /** Removes an object; the DELETED event carries it with a fresh resourceVersion. Undefined when absent. */
  remove(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const current = this.get(key, namespace, name);
    if (!current) return undefined;
    this.objects.get(key)?.delete(objectKey(namespace, name));
    const gone = structuredClone(current);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record({ type: 'DELETED', key, rv: this.rv, object: gone });
    return gone;
  }

  /** Events after `rv`, oldest first; `'expired'` when some of them fell out of the bounded history. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv >= this.rv) return [];
    const first = this.history[0]?.rv ?? this.rv + 1;
    if (rv + 1 < first) return 'expired';
    return this.history.filter((e) => e.rv > rv);
  }

  /** Hears every change, in order; returns the function that stops listening. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  private bucket(key: string): Map<string, KubeObject> {
    let bucket = this.objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(key, bucket);
    }
    return bucket;
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) this.history.splice(0, this.history.length - this.historyLimit);
    this.queue.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        for (const listener of [...this.subscribers]) {
          try {
            listener(next);
          } catch (error) {
            this.onError(error);
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}
