/**
 * The garbage collector. Rules: when an owner disappears, every object that names it in its
 * ownerReferences is deleted too (background propagation; pods gracefully); when a namespace
 * disappears, everything in it goes with it. Orphaning is done by the deleter, which strips
 * the owner references before the owner is removed.
 */
import { deletePod } from './pods.js';
import { RESOURCES } from './resources.js';
import type { Cluster } from './cluster.js';
import type { StoreEvent } from './store.js';

/** Runs the garbage collector. */
export class GarbageCollector {
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly cluster: Cluster) {}

  /** Starts reacting to deletions. */
  start(): void {
    this.unsubscribe = this.cluster.store.subscribe((e) => this.onEvent(e));
  }

  /** Stops reacting. Idempotent. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private onEvent(event: StoreEvent): void {
    if (event.type !== 'DELETED') return;
    const { uid, name } = event.object.metadata;
    const namespace = event.key === 'namespaces' ? name : event.object.metadata.namespace;
    for (const resource of RESOURCES.filter((r) => r.namespaced || event.key !== 'namespaces')) {
      for (const object of this.cluster.store.list(resource.key, resource.namespaced ? namespace : undefined)) {
        const owned = object.metadata.ownerReferences?.some((o) => o.uid === uid) ?? false;
        const inNamespace = event.key === 'namespaces' && resource.namespaced;
        if (!owned && !inNamespace) continue;
        if (resource.key === 'pods') deletePod(this.cluster.store, this.cluster.clock.now(), object.metadata.namespace ?? '', object.metadata.name);
        else this.cluster.store.remove(resource.key, object.metadata.namespace, object.metadata.name);
      }
    }
  }
}
