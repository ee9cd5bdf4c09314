/**
 * The pool's machines as the network sees them: the four brick hosts (glusterd peers) and
 * the client host, each with its iptables table and its detached TTL sleepers. Rules: a
 * host is cut off when its VM is not reachable in the lab OpenStack (stopped, rebooting,
 * paused, or isolated through Neutron) or when both its INPUT and OUTPUT chains hold an
 * in-time rule that drops its GlusterFS traffic; two hosts are connected when neither is
 * cut off (a host is always connected to itself). Nothing here is stored that could be
 * derived: connectivity is computed from the cloud, the rules and the clock on every ask.
 */
import { randomUUID } from 'node:crypto';
import type { SimClock, TimerHandle } from '../clock.js';
import type { OpenStackCloud } from '../openstack/cloud.js';
import { ruleCutsGlusterTraffic, ruleInTime } from './iptables-rule.js';
import { IptablesTable } from './iptables.js';
import { BRICK_HOSTS, CLIENT_HOST } from './types.js';

/** One machine of the pool. */
export interface HostRecord {
  readonly name: string;
  readonly role: 'brick' | 'client';
  /** glusterd's peer uuid (brick hosts). */
  readonly uuid: string;
  readonly iptables: IptablesTable;
  /** Detached `setsid -f sh -c …` sleepers that will remove rules, by pid (each leads its own process group). */
  readonly sleepers: Map<number, Sleeper>;
  /** The self-heal daemon's pid (brick hosts). */
  shdPid: number;
}

/** A detached TTL sleeper: its timer and the command line `ps`/`pgrep` would show. */
export interface Sleeper {
  handle: TimerHandle;
  commandLine: string;
}

/** The hosts of the pool and who can talk to whom. */
export class PoolHosts {
  private readonly records = new Map<string, HostRecord>();

  constructor(
    private readonly clock: SimClock,
    private readonly cloud: OpenStackCloud,
    private readonly nextPid: () => number,
  ) {
    for (const name of BRICK_HOSTS) this.records.set(name, host(name, 'brick', nextPid()));
    this.records.set(CLIENT_HOST, host(CLIENT_HOST, 'client', 0));
  }

  /** A host by name. */
  get(name: string): HostRecord | undefined {
    return this.records.get(name);
  }

  /** Every host: the brick hosts in volume order, then the client. */
  list(): HostRecord[] {
    return [...this.records.values()];
  }

  /** Whether the host's VM runs and Neutron lets it talk. */
  vmReachable(name: string): boolean {
    return this.cloud.reachable(name);
  }

  /** Whether the host's own iptables rules drop its GlusterFS traffic both ways right now. */
  firewalled(name: string): boolean {
    const table = this.records.get(name)?.iptables;
    if (!table) return false;
    const now = this.clock.now();
    const cuts = (chain: string): boolean => table.chain(chain).some((rule) => ruleCutsGlusterTraffic(rule) && ruleInTime(rule, now));
    return cuts('INPUT') && cuts('OUTPUT');
  }

  /** Whether the host can talk to the rest of the pool. */
  up(name: string): boolean {
    return this.vmReachable(name) && !this.firewalled(name);
  }

  /** Whether `a` and `b` can talk (a host always reaches itself, over loopback). */
  connected(a: string, b: string): boolean {
    return a === b || (this.up(a) && this.up(b));
  }

  /** After `seconds` of simulated time, removes every rule of `name` whose comment is `comment` (through `run`). Returns the sleeper's pid. */
  scheduleRuleRemoval(name: string, seconds: number, comment: string, commandLine: string, run: (removal: () => void) => void): number {
    const record = this.records.get(name);
    return record ? this.scheduleSleeper(name, seconds, commandLine, () => run(() => record.iptables.removeByComment(comment))) : 0;
  }

  /** A sleeper on `name` that runs `act` once after `seconds` of simulated time, then is gone. Returns its pid (0: no such host). */
  scheduleSleeper(name: string, seconds: number, commandLine: string, act: () => void): number {
    const record = this.records.get(name);
    if (!record) return 0;
    const pid = this.nextPid();
    const handle = this.clock.setTimeout(() => {
      record.sleepers.delete(pid);
      act();
    }, seconds * 1000);
    record.sleepers.set(pid, { handle, commandLine });
    return pid;
  }

  /** Ends a sleeper's process group (`kill -- -PID`); false when there is none with that pid. */
  killSleeper(name: string, pid: number): boolean {
    const sleeper = this.records.get(name)?.sleepers.get(pid);
    if (!sleeper) return false;
    this.clock.clearTimeout(sleeper.handle);
    this.records.get(name)?.sleepers.delete(pid);
    return true;
  }

  /** A guest that powers off loses its rules and its sleepers. */
  forgetRuntimeState(name: string): void {
    const record = this.records.get(name);
    if (!record) return;
    for (const { handle } of record.sleepers.values()) this.clock.clearTimeout(handle);
    record.sleepers.clear();
    record.iptables.flush();
  }

  /** Cancels every sleeper. */
  stop(): void {
    for (const record of this.records.values()) {
      for (const { handle } of record.sleepers.values()) this.clock.clearTimeout(handle);
      record.sleepers.clear();
    }
  }
}

function host(name: string, role: 'brick' | 'client', shdPid: number): HostRecord {
  return { name, role, uuid: randomUUID(), iptables: new IptablesTable(), sleepers: new Map(), shdPid };
}
