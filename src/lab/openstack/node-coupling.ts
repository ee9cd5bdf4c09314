/**
 * What a Kubernetes node sees of its VM. Rules: when the master's or a worker's VM stops
 * being reachable — its guest is not running (SHUTOFF, PAUSED, SUSPENDED, a reboot in
 * progress) or Neutron isolates it (every port admin-down, or the role's security group gone
 * from its ports) — its kubelet stops posting status and the node-monitor marks the node
 * Unknown after the grace period (40 s simulated); a reachable VM's kubelet registers again
 * and the node is Ready shortly after (5 s simulated). A VM that comes back before the grace
 * period ends never makes its node NotReady. The coupling only changes a node's readiness
 * on these transitions, never otherwise.
 */
import type { SimClock, TimerHandle } from '../clock.js';
import type { ConditionStatus } from '../kubernetes/types.js';
import type { OpenStackCloud } from './cloud.js';

/** kube-controller-manager's node-monitor-grace-period (simulated ms). */
export const NODE_MONITOR_GRACE_MS = 40_000;

/** From a reachable VM to its node Ready again: kubelet starts and posts status (simulated ms). */
export const KUBELET_REGISTER_MS = 5_000;

interface NodeLink {
  /** The coupling made the node NotReady (and has not made it Ready since). */
  down: boolean;
  pending: 'down' | 'up' | undefined;
  timer: TimerHandle | undefined;
}

/** Couples the master and worker VMs to their Kubernetes nodes. `start()`, then `stop()`. */
export class VmNodeCoupling {
  private readonly links = new Map<string, NodeLink>();
  private readonly listener = (): void => this.evaluate();

  constructor(
    private readonly cloud: OpenStackCloud,
    private readonly clock: SimClock,
    private readonly setNodeReady: (name: string, status: ConditionStatus | boolean) => boolean,
  ) {}

  /** Starts following the cloud's changes. */
  start(): void {
    this.cloud.on('change', this.listener);
    this.evaluate();
  }

  /** Stops following and cancels pending transitions. Idempotent. */
  stop(): void {
    this.cloud.off('change', this.listener);
    for (const link of this.links.values()) this.clock.clearTimeout(link.timer);
    this.links.clear();
  }

  private evaluate(): void {
    for (const server of this.cloud.serverList()) {
      if (server.role !== 'master' && server.role !== 'worker') continue;
      this.follow(server.name, this.cloud.reachable(server.id));
    }
  }

  private follow(node: string, reachable: boolean): void {
    const link = this.links.get(node) ?? { down: false, pending: undefined, timer: undefined };
    this.links.set(node, link);
    const wanted = reachable ? 'up' : 'down';
    const settled = reachable ? !link.down : link.down;
    if (settled) {
      if (link.pending) this.cancel(link);
      return;
    }
    if (link.pending === wanted) return;
    this.cancel(link);
    link.pending = wanted;
    link.timer = this.clock.setTimeout(() => {
      link.pending = undefined;
      link.timer = undefined;
      link.down = !reachable;
      this.setNodeReady(node, reachable ? true : 'Unknown');
    }, reachable ? KUBELET_REGISTER_MS : NODE_MONITOR_GRACE_MS);
  }

  private cancel(link: NodeLink): void {
    this.clock.clearTimeout(link.timer);
    link.pending = undefined;
    link.timer = undefined;
  }
}
