/**
 * What the pool's machines live through when their VMs change in the lab OpenStack. Rules:
 * a guest powers off when its VM stops (SHUTOFF) or reboots (any reboot task state) — its
 * processes, iptables rules and sleepers are gone; it boots when the VM runs again after
 * that. Pausing or suspending keeps the guest's memory: nothing is lost, the host is only
 * unreachable meanwhile (which the pool derives from the cloud on every ask).
 */
import type { OpenStackCloud } from '../openstack/cloud.js';

/** What the coupling tells the pool. */
export interface GuestEvents {
  poweredOff(host: string): void;
  booted(host: string): void;
}

/** Follows the cloud's changes for the given hosts. `start()`, then `stop()`. */
export class GuestCoupling {
  private readonly down = new Set<string>();
  private readonly listener = (): void => this.evaluate();

  constructor(
    private readonly cloud: OpenStackCloud,
    private readonly hosts: readonly string[],
    private readonly events: GuestEvents,
  ) {}

  /** Starts following the cloud. */
  start(): void {
    this.cloud.on('change', this.listener);
    this.evaluate();
  }

  /** Stops following. Idempotent. */
  stop(): void {
    this.cloud.off('change', this.listener);
  }

  private evaluate(): void {
    for (const host of this.hosts) {
      const server = this.cloud.findServer(host);
      const poweredOff = server !== undefined && (server.vmState === 'stopped' || (server.taskState ?? '').startsWith('reboot'));
      if (poweredOff && !this.down.has(host)) {
        this.down.add(host);
        this.events.poweredOff(host);
      } else if (!poweredOff && this.down.has(host) && this.cloud.running(host)) {
        this.down.delete(host);
        this.events.booted(host);
      }
    }
  }
}
