/**
 * Every node's kubelet (and the scheduler's trigger): moves each pod through its life —
 * scheduled → ContainerCreating → Running → Ready, or a crash loop when its Deployment is
 * broken — and removes terminating pods once their grace period ends. Rules: at most one
 * pending step per pod, re-planned on every change of that pod or its node; pods on a node
 * that is not Ready are frozen (terminating ones stay until the node returns); a step reads
 * the pod afresh when it fires, so it never acts on a stale copy.
 */
import { randomBytes } from 'node:crypto';
import { rfc3339, type TimerHandle } from '../clock.js';
import { isPodReady, setPodCondition } from './pods.js';
import { placePod } from './scheduler.js';
import type { Cluster } from './cluster.js';
import type { StoreEvent } from './store.js';
import type { ContainerStatus, Node, Pod } from './types.js';

type Stage = 'schedule' | 'create' | 'start' | 'ready' | 'crash' | 'restart' | 'terminate';

/** Simulated durations of the pod life steps, in ms. */
export const POD_STEP_MS = { schedule: 100, scheduleRetry: 5000, create: 200, start: 500, crash: 2000 } as const;

/** How long a started container takes to pass its readiness probe, by component (simulated ms). */
export function startupMs(pod: Pod): number {
  switch (pod.metadata.labels?.['component']) {
    case 'hub': return 10_000;
    case 'proxy': return 3_000;
    case 'user-scheduler': return 5_000;
    case 'singleuser-server': return 1_200;
    default: return 2_000;
  }
}

/** CrashLoopBackOff delay after the nth restart: 10 s doubling, capped at 5 min. */
export function backoffMs(restartCount: number): number {
  return Math.min(300_000, 10_000 * 2 ** Math.max(0, restartCount - 1));
}

/** Runs the simulated kubelets and scheduler of the cluster. */
export class Kubelets {
  private readonly pending = new Map<string, { stage: Stage; timer: TimerHandle }>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly cluster: Cluster) {}

  /** Starts reacting to changes and plans every existing pod. */
  start(): void {
    this.unsubscribe = this.cluster.store.subscribe((e) => this.onEvent(e));
    for (const pod of this.cluster.pods()) this.sync(pod);
  }

  /** Stops reacting and cancels every pending step. Idempotent. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const { timer } of this.pending.values()) this.cluster.clock.clearTimeout(timer);
    this.pending.clear();
  }

  private onEvent(event: StoreEvent): void {
    if (event.key === 'nodes') {
      for (const pod of this.cluster.pods()) if (!pod.spec.nodeName || pod.spec.nodeName === event.object.metadata.name) this.sync(pod, true);
      return;
    }
    if (event.key !== 'pods') return;
    const pod = event.object as Pod;
    if (event.type === 'DELETED') {
      this.cancel(pod.metadata.uid ?? '');
      return;
    }
    this.sync(pod);
    if (pod.metadata.labels?.['component'] === 'user-scheduler' && isPodReady(pod) !== isPodReady((event.previous ?? pod) as Pod)) {
      for (const other of this.cluster.pods()) if (!other.spec.nodeName) this.sync(other, true);
    }
  }

  private plan(pod: Pod): { stage: Stage; delay: number } | undefined {
    const now = this.cluster.clock.now();
    const node = pod.spec.nodeName;
    if (pod.metadata.deletionTimestamp) {
      if (node && this.cluster.isNodeReady(node) === false && this.cluster.node(node)) return undefined;
      return { stage: 'terminate', delay: Math.max(0, Date.parse(pod.metadata.deletionTimestamp) - now) };
    }
    if (!node) {
      const tried = pod.status.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False');
      return { stage: 'schedule', delay: tried ? POD_STEP_MS.scheduleRetry : POD_STEP_MS.schedule };
    }
    if (!this.cluster.isNodeReady(node) || pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') return undefined;
    const statuses = pod.status.containerStatuses ?? [];
    if (statuses.length === 0) return { stage: 'create', delay: POD_STEP_MS.create };
    if (statuses.some((s) => s.state.waiting?.reason === 'ContainerCreating')) return { stage: 'start', delay: POD_STEP_MS.start };
    const crashed = statuses.find((s) => s.state.waiting?.reason === 'CrashLoopBackOff');
    if (crashed) return { stage: 'restart', delay: backoffMs(crashed.restartCount) };
    if (isPodReady(pod)) return undefined;
    return this.cluster.isPodBroken(pod) ? { stage: 'crash', delay: POD_STEP_MS.crash } : { stage: 'ready', delay: startupMs(pod) };
  }

  private sync(pod: Pod, force = false): void {
    const uid = pod.metadata.uid ?? '';
    const next = this.plan(pod);
    const current = this.pending.get(uid);
    if (current && next && current.stage === next.stage && !(force && next.stage === 'schedule')) return;
    this.cancel(uid);
    if (!next) return;
    const { namespace, name } = pod.metadata;
    const delay = force && next.stage === 'schedule' ? POD_STEP_MS.schedule : next.delay;
    const timer = this.cluster.clock.setTimeout(() => {
      this.pending.delete(uid);
      const fresh = this.cluster.store.get('pods', namespace, name) as Pod | undefined;
      if (fresh && fresh.metadata.uid === uid) this.step(next.stage, fresh);
    }, delay);
    this.pending.set(uid, { stage: next.stage, timer });
  }

  private cancel(uid: string): void {
    const current = this.pending.get(uid);
    if (current) this.cluster.clock.clearTimeout(current.timer);
    this.pending.delete(uid);
  }

  private step(stage: Stage, pod: Pod): void {
    if (stage === 'terminate') {
      this.cluster.store.remove('pods', pod.metadata.namespace, pod.metadata.name);
      return;
    }
    if (stage === 'schedule') {
      this.schedule(pod);
      return;
    }
    const now = this.cluster.clock.now();
    this.mutate(pod, (draft) => {
      if (stage === 'create') createContainers(draft, now, this.hostIp(draft));
      else if (stage === 'start') startContainers(draft, now, this.cluster.allocatePodIp(draft.spec.nodeName ?? ''));
      else if (stage === 'ready') markReady(draft, now);
      else if (stage === 'crash') crashContainers(draft, now);
      else restartContainers(draft, now);
    });
  }

  private schedule(pod: Pod): void {
    const placement = placePod(this.cluster, pod);
    const now = this.cluster.clock.now();
    if ('node' in placement) {
      this.mutate(pod, (draft) => {
        draft.spec.nodeName = placement.node;
        setPodCondition(draft, 'PodScheduled', 'True', now);
      });
      return;
    }
    if ('unschedulable' in placement) {
      this.mutate(pod, (draft) => setPodCondition(draft, 'PodScheduled', 'False', now, 'Unschedulable', placement.unschedulable));
    }
    const fresh = this.cluster.store.get('pods', pod.metadata.namespace, pod.metadata.name) as Pod | undefined;
    if (fresh && !this.pending.has(fresh.metadata.uid ?? '')) {
      const uid = fresh.metadata.uid ?? '';
      const timer = this.cluster.clock.setTimeout(() => {
        this.pending.delete(uid);
        const again = this.cluster.store.get('pods', fresh.metadata.namespace, fresh.metadata.name) as Pod | undefined;
        if (again && again.metadata.uid === uid) this.sync(again, true);
      }, POD_STEP_MS.scheduleRetry);
      this.pending.set(uid, { stage: 'schedule', timer });
    }
  }

  private mutate(pod: Pod, change: (draft: Pod) => void): void {
    this.cluster.store.mutate<Pod>('pods', pod.metadata.namespace, pod.metadata.name, change);
  }

  private hostIp(pod: Pod): string {
    const node = this.cluster.node(pod.spec.nodeName ?? '') as Node | undefined;
    return node?.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
  }
}

function notReadyMessage(pod: Pod): string {
  return `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(' ')}]`;
}

function createContainers(pod: Pod, now: number, hostIp: string): void {
  pod.status.startTime ??= rfc3339(now);
  if (hostIp) {
    pod.status.hostIP = hostIp;
    pod.status.hostIPs = [{ ip: hostIp }];
  }
  setPodCondition(pod, 'PodReadyToStartContainers', 'True', now);
  setPodCondition(pod, 'Initialized', 'True', now);
  setPodCondition(pod, 'Ready', 'False', now, 'ContainersNotReady', notReadyMessage(pod));
  setPodCondition(pod, 'ContainersReady', 'False', now, 'ContainersNotReady', notReadyMessage(pod));
  setPodCondition(pod, 'PodScheduled', 'True', now);
  pod.status.containerStatuses = pod.spec.containers.map(
    (c): ContainerStatus => ({ name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} }),
  );
}

/** A running container status (used by the kubelet and the seed). */
export function runningContainer(name: string, image: string, startedAt: string, ready: boolean): ContainerStatus {
  return {
    name,
    image,
    imageID: `${image.split(':')[0] ?? image}@sha256:${randomBytes(32).toString('hex')}`,
    containerID: `containerd://${randomBytes(32).toString('hex')}`,
    ready,
    started: true,
    restartCount: 0,
    state: { running: { startedAt } },
    lastState: {},
  };
}

function startContainers(pod: Pod, now: number, podIp: string): void {
  pod.status.phase = 'Running';
  pod.status.podIP = podIp;
  pod.status.podIPs = [{ ip: podIp }];
  pod.status.containerStatuses = (pod.status.containerStatuses ?? []).map((s) => ({ ...runningContainer(s.name, s.image, rfc3339(now), false), restartCount: s.restartCount, lastState: s.lastState }));
}

/** Marks every container and the pod Ready. */
export function markReady(pod: Pod, now: number): void {
  for (const s of pod.status.containerStatuses ?? []) s.ready = true;
  setPodCondition(pod, 'ContainersReady', 'True', now);
  setPodCondition(pod, 'Ready', 'True', now);
}

function crashContainers(pod: Pod, now: number): void {
  for (const s of pod.status.containerStatuses ?? []) {
    const startedAt = s.state.running?.startedAt;
    s.restartCount += 1;
    s.lastState = { terminated: { exitCode: 1, reason: 'Error', ...(startedAt ? { startedAt } : {}), finishedAt: rfc3339(now), ...(s.containerID ? { containerID: s.containerID } : {}) } };
    const message = `back-off ${backoffMs(s.restartCount) / 1000}s restarting failed container=${s.name} pod=${pod.metadata.name}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
    s.state = { waiting: { reason: 'CrashLoopBackOff', message } };
    s.ready = false;
    s.started = false;
  }
  setPodCondition(pod, 'Ready', 'False', now, 'ContainersNotReady', notReadyMessage(pod));
  setPodCondition(pod, 'ContainersReady', 'False', now, 'ContainersNotReady', notReadyMessage(pod));
}

function restartContainers(pod: Pod, now: number): void {
  for (const s of pod.status.containerStatuses ?? []) {
    s.state = { running: { startedAt: rfc3339(now) } };
    s.containerID = `containerd://${randomBytes(32).toString('hex')}`;
    s.started = true;
  }
}
