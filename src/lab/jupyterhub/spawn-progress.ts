/**
 * The progress of one spawn, as JupyterHub's `/server/progress` stream tells it: first
 * "Server requested", then KubeSpawner's view of the pod's Kubernetes events (each one
 * bringing the bar a third closer to 90 %), then `ready` or `failed`. Rules: events are
 * derived from the pod's own state changes (scheduling failures, assignment, container
 * created and started), each emitted once; a late listener gets every event so far first.
 */
import { randomBytes } from 'node:crypto';
import { rfc3339 } from '../clock.js';
import type { Pod } from '../kubernetes/types.js';

/** One `data:` event of the progress stream. */
export interface ProgressEvent {
  progress: number;
  message: string;
  raw_event?: Record<string, unknown>;
  ready?: true;
  failed?: true;
  html_message?: string;
  url?: string;
}

type Listener = (event: ProgressEvent) => void;

/** JupyterHub's final event of a successful spawn. */
export function readyEvent(url: string): ProgressEvent {
  return { progress: 100, ready: true, message: `Server ready at ${url}`, html_message: `Server ready at <a href="${url}">${url}</a>`, url };
}

/** JupyterHub's final event of a failed spawn (`Spawn failed` alone when the cause is unknown). */
export function failedEvent(cause?: string): ProgressEvent {
  return { progress: 100, failed: true, message: cause === undefined ? 'Spawn failed' : `Spawn failed: ${cause}` };
}

/** The events of one spawn so far, and who listens. */
export class SpawnProgress {
  private readonly events: ProgressEvent[] = [{ progress: 0, message: 'Server requested' }];
  private readonly listeners = new Set<Listener>();
  private progress = 0;
  private lastFailedScheduling: string | undefined;
  private scheduled = false;
  private created = false;
  private started = false;

  /** The events so far (copies). */
  history(): ProgressEvent[] {
    return this.events.map((e) => ({ ...e }));
  }

  /** Replays the events so far to `listener`, then keeps it informed; returns the unsubscribe. */
  listen(listener: Listener): () => void {
    for (const event of this.history()) listener(event);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the pod as KubeSpawner's event reflector would and emits what is new. */
  observePod(pod: Pod, now: number): void {
    const scheduler = pod.spec.schedulerName ?? 'default-scheduler';
    const node = pod.spec.nodeName;
    const unschedulable = pod.status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    if (!node && unschedulable?.message && unschedulable.message !== this.lastFailedScheduling) {
      this.lastFailedScheduling = unschedulable.message;
      this.emitKube(pod, now, 'Warning', 'FailedScheduling', unschedulable.message, { component: scheduler });
    }
    if (node && !this.scheduled) {
      this.scheduled = true;
      this.emitKube(pod, now, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace ?? ''}/${pod.metadata.name} to ${node}`, { component: scheduler });
    }
    const statuses = pod.status.containerStatuses ?? [];
    if (node && statuses.length > 0 && !this.created) {
      this.created = true;
      for (const c of pod.spec.containers) {
        this.emitKube(pod, now, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, { component: 'kubelet', host: node });
        this.emitKube(pod, now, 'Normal', 'Created', `Created container ${c.name}`, { component: 'kubelet', host: node });
      }
    }
    if (node && statuses.some((s) => s.state.running) && !this.started) {
      this.started = true;
      for (const c of pod.spec.containers) this.emitKube(pod, now, 'Normal', 'Started', `Started container ${c.name}`, { component: 'kubelet', host: node });
    }
  }

  /** Sends the final event to every listener and forgets them. */
  finish(event: ProgressEvent): void {
    for (const listener of this.listeners) listener({ ...event });
    this.listeners.clear();
  }

  private emitKube(pod: Pod, now: number, type: string, reason: string, message: string, source: Record<string, string>): void {
    this.progress += (90 - this.progress) / 3;
    const at = rfc3339(now);
    const raw: Record<string, unknown> = {
      metadata: { name: `${pod.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: pod.metadata.namespace, creationTimestamp: at },
      involvedObject: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: 'v1' },
      reason,
      message,
      source,
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: '',
      reportingInstance: '',
    };
    const event: ProgressEvent = { progress: Math.floor(this.progress), raw_event: raw, message: `${at} [${type}] ${message}` };
    this.events.push(event);
    for (const listener of this.listeners) listener({ ...event });
  }
}
