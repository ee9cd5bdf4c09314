/**
 * The lab's GlusterFS trusted pool: brick-001..004 (glusterd peers, the lab OpenStack's
 * brick VMs) serving the Distributed-Replicate volume `home` (replica 2: {001,002},
 * {003,004}), users writing through the FUSE mount on worker-001, and the self-heal daemon.
 * Rules: everything runs on the world's SimClock and stops with `stop()`; the pool is
 * integrated lazily — every reader and every change (a signal, a rule, a cloud change)
 * first brings writes and heals up to now under the conditions that held since the last
 * advance, and the new conditions hold from then on (a slow ticker keeps it moving between
 * asks); a brick is available to clients while its
 * process runs (not killed, not frozen) and its host is not cut off; a write to a replica
 * set reaches its available bricks, leaves one heal entry on each of them when a brick was
 * missing, and fails (EIO) when none is available. A guest that powers off or reboots loses
 * its brick processes, its iptables rules and its sleepers; when it boots, glusterd starts
 * its bricks again (new pids and ports). glusterd is a systemd unit of each brick host
 * (units.ts): while it is stopped, dead or frozen its bricks keep serving clients (its unit
 * kills only glusterd), but the gluster CLI there fails, its peers see it Disconnected and do
 * not list its bricks or self-heal daemon, and `volume start force` elsewhere cannot start
 * its bricks; when it starts again it starts its killed bricks. Readers get copies.
 */
import { RunDirs } from './run-dir.js';
import { randomInt, randomUUID } from 'node:crypto';
import type { SimClock, TimerHandle } from '../clock.js';
import type { OpenStackCloud } from '../openstack/cloud.js';
import { brickCommandLine, brickName, brickSocket, ProcessNumbers, type BrickProcess, type BrickState } from './bricks.js';
import { ClientMount } from './client-mount.js';
import { GuestCoupling } from './guest-coupling.js';
import { HealLedger, type HealMode } from './heal-ledger.js';
import { PoolHosts } from './hosts.js';
import type { ProcView } from './proc.js';
import { HostUnits } from './units.js';
import { VolumeOptions } from './volume-options.js';
import { BRICK_HOSTS, BRICK_PATH, VOLUME_NAME } from './types.js';

/** Users' writes through the mount, per simulated second, unless set otherwise. */
export const DEFAULT_WRITES_PER_SECOND = 4;
/** Entries the self-heal daemon heals per brick and simulated second, unless set otherwise. */
export const DEFAULT_HEALS_PER_SECOND = 20;
/**
 * Real ms between two advances when nothing asks: bounds how late a condition that changes
 * by itself (a rule's --datestop passing) is noticed, without waking the process too often.
 */
const TICK_REAL_MS = 100;
/** The replica count of `home`. */
export const REPLICA = 2;

/** A brick as the steering API shows it. */
export interface BrickView {
  name: string;
  host: string;
  path: string;
  replicaSet: number;
  state: BrickState;
  /** The process's pid; undefined while killed. */
  pid: number | undefined;
  /** The process's port; undefined while killed. */
  port: number | undefined;
  /** Simulated ms of the SIGSTOP, while frozen. */
  frozenSince: number | undefined;
  /** Whether clients' writes reach it (running and its host not cut off). */
  availableToClients: boolean;
  /** Pending heal entries on it (what `heal info summary` counts). */
  pendingHeal: number;
}

/** How glusterd on one host sees a brick in `volume status`. */
export type BrickSight = 'online' | 'offline' | 'absent';

/** One command a lab host ran over SSH. */
export interface CommandRecord {
  host: string;
  argv: string[];
  code: number;
  /** Simulated ms when the host started it (after any stdin arrived). */
  startedAt: number;
  /** Simulated ms when it answered. */
  finishedAt: number;
}

/** The users' background writes so far. */
export interface WriteStats {
  written: number;
  failed: number;
}

/** A signal `kill` sends to a brick. */
export type BrickSignal = 'KILL' | 'TERM' | 'STOP' | 'CONT';

/** The pool, its volume and its users. Construct, `start()`, then `stop()`. */
export class GlusterPool {
  readonly volumeName = VOLUME_NAME;
  readonly volumeId = randomUUID();
  readonly hosts: PoolHosts;
  readonly options = new VolumeOptions();
  /** The FUSE mount on the client host. */
  readonly mount: ClientMount;
  /** Each host's /run (a tmpfs: emptied when the guest powers off). */
  readonly runDirs = new RunDirs();
  /** Each host's systemd units (glusterd, sshd, kubelet…). */
  readonly units: HostUnits;
  private readonly numbers = new ProcessNumbers();
  private readonly brickList: BrickProcess[];
  private readonly ledger: HealLedger;
  private readonly records: CommandRecord[] = [];
  private readonly stats: WriteStats = { written: 0, failed: 0 };
  private writesPerSecond = DEFAULT_WRITES_PER_SECOND;
  private healsPerSecond = DEFAULT_HEALS_PER_SECOND;
  private writeCarry = 0;
  private lastAdvance: number;
  /** The bricks clients could use, and the frozen ones, as of the last advance: the conditions of the interval since. */
  private conditions = { available: new Set<BrickProcess>(), frozen: new Set<BrickProcess>() };
  private readonly followCloud = (): void => this.advance();
  private busyUntil = 0;
  private ticker: TimerHandle | undefined;
  private crawler: TimerHandle | undefined;
  private running = false;
  private readonly guests: GuestCoupling;

  constructor(
    private readonly clock: SimClock,
    private readonly cloud: OpenStackCloud,
  ) {
    this.hosts = new PoolHosts(clock, cloud, () => this.numbers.pid());
    this.units = new HostUnits(clock, this.hosts.list(), () => this.numbers.pid(), (host, unit) => this.unitChanged(host, unit));
    this.brickList = BRICK_HOSTS.map((host, i): BrickProcess => ({
      host, path: BRICK_PATH, replicaSet: Math.floor(i / REPLICA), socket: brickSocket(host, BRICK_PATH), state: 'running', pid: 0, port: 0, frozenAt: undefined, startedAt: 0,
    }));
    this.ledger = new HealLedger(this.setIndexes().map((i) => this.bricksOf(i).map(brickName)));
    for (const brick of this.brickList) this.spawn(brick);
    this.mount = new ClientMount(this, clock);
    this.guests = new GuestCoupling(cloud, this.hosts.list().map((h) => h.name), {
      poweredOff: (host) => this.guestPoweredOff(host),
      booted: (host) => this.guestBooted(host),
    });
    this.lastAdvance = clock.now();
  }

  /** Starts the users' writes, the self-heal daemon's crawls and the coupling to the VMs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastAdvance = this.clock.now();
    this.guests.start();
    this.cloud.on('change', this.followCloud);
    this.advance();
    this.tick();
    this.scheduleCrawl();
  }

  /** Stops every timer and the coupling. Idempotent. */
  stop(): void {
    this.running = false;
    this.guests.stop();
    this.cloud.off('change', this.followCloud);
    this.clock.clearTimeout(this.ticker);
    this.clock.clearTimeout(this.crawler);
    this.hosts.stop();
    this.units.close();
  }

  // ---- steering and reading (tests, demos) ----

  /** Every brick, in volume order. */
  bricks(): BrickView[] {
    this.advance();
    return this.brickList.map((b) => ({
      name: brickName(b), host: b.host, path: b.path, replicaSet: b.replicaSet, state: b.state,
      pid: b.state === 'killed' ? undefined : b.pid, port: b.state === 'killed' ? undefined : b.port, frozenSince: b.frozenAt,
      availableToClients: this.availableToClients(b), pendingHeal: this.ledger.count(brickName(b)),
    }));
  }

  /** The brick on `host` (the pool has one per brick host). */
  brick(host: string): BrickView | undefined {
    return this.bricks().find((b) => b.host === host);
  }

  /** Pending heal entries by brick name. */
  pendingHeal(): Record<string, number> {
    return Object.fromEntries(this.bricks().map((b) => [b.name, b.pendingHeal]));
  }

  /** What the self-heal daemon does for each replica set. */
  healing(): HealMode[] {
    this.advance();
    return this.setIndexes().map((i) => this.ledger.mode(i));
  }

  /** How glusterd on `viewer` sees every brick (`volume status` from there). */
  seenFrom(viewer: string): Record<string, BrickSight> {
    return Object.fromEntries(this.brickList.map((b) => [brickName(b), this.sight(viewer, b)]));
  }

  /** Whether two hosts (or a host and the client) can talk over the network. */
  connected(a: string, b: string): boolean {
    return this.hosts.connected(a, b);
  }

  /** Whether glusterd runs on the brick host and answers (not stopped, dead or frozen). */
  glusterdServing(host: string): boolean {
    return this.hosts.get(host)?.role === 'brick' && this.units.serving(host, 'glusterd.service');
  }

  /** Whether the glusterd of `a` and of `b` are peers in touch: both serving and the hosts connected. */
  peersConnected(a: string, b: string): boolean {
    return this.hosts.connected(a, b) && this.glusterdServing(a) && this.glusterdServing(b);
  }

  /** Whether the host is cut off from the pool (VM unreachable or firewalled). */
  cutOff(host: string): boolean {
    return !this.hosts.up(host);
  }

  /** The host's iptables rules as `iptables -S` lists them (the `-A` lines). */
  rules(host: string): string[] {
    return (this.hosts.get(host)?.iptables.listing() ?? '').split('\n').filter((line) => line.startsWith('-A '));
  }

  /** Users' background writes per simulated second (0 stops them). */
  setWriteRate(perSecond: number): void {
    if (!(perSecond >= 0) || !Number.isFinite(perSecond)) throw new RangeError(`write rate must be a number >= 0, got ${perSecond}`);
    this.advance();
    this.writesPerSecond = perSecond;
  }

  /** Entries healed per brick and simulated second. */
  setHealRate(perSecond: number): void {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`heal rate must be a positive number, got ${perSecond}`);
    this.advance();
    this.healsPerSecond = perSecond;
  }

  /** The users' background writes so far. */
  writeStats(): WriteStats {
    this.advance();
    return { ...this.stats };
  }

  /** For `ms` of simulated time, commands that take the cluster lock answer "Another transaction is in progress". */
  busy(ms: number): void {
    this.busyUntil = this.clock.now() + ms;
  }

  /** Whether the cluster lock is held by someone else right now. */
  isBusy(): boolean {
    return this.clock.now() < this.busyUntil;
  }

  /** Commands run over SSH (on one host, or all), oldest first. */
  commands(host?: string): CommandRecord[] {
    return this.records.filter((r) => host === undefined || r.host === host).map((r) => ({ ...r, argv: [...r.argv] }));
  }

  /** Sends a signal to the brick process on `host`, as `kill -SIG PID` there would. */
  signalBrick(host: string, signal: BrickSignal): boolean {
    const brick = this.brickList.find((b) => b.host === host && b.state !== 'killed');
    return brick ? this.signal(host, brick.pid, signal) : false;
  }

  // ---- what the hosts' commands use ----

  /** Records a command a host ran, started at `startedAt` (simulated ms) and finished now. */
  record(host: string, argv: readonly string[], code: number, startedAt: number): void {
    this.records.push({ host, argv: [...argv], code, startedAt, finishedAt: this.clock.now() });
  }

  /** The stored bricks, in volume order (shared: change them only through the pool). */
  brickProcesses(): readonly BrickProcess[] {
    this.advance();
    return this.brickList;
  }

  /** How glusterd on `viewer` sees `brick`. */
  sight(viewer: string, brick: BrickProcess): BrickSight {
    if (!this.peersConnected(viewer, brick.host)) return 'absent';
    return brick.state === 'killed' ? 'offline' : 'online';
  }

  /** Whether a client on `viewer` (glfsheal, a FUSE mount) can use `brick` now. */
  reachableFrom(viewer: string, brick: BrickProcess): boolean {
    return brick.state === 'running' && this.hosts.connected(viewer, brick.host);
  }

  /** The bricks of replica set `index`. */
  bricksOf(index: number): BrickProcess[] {
    return this.brickList.filter((b) => b.replicaSet === index);
  }

  /** Replica set indexes, 0.. */
  setIndexes(): number[] {
    return [...new Set(this.brickList.map((b) => b.replicaSet))];
  }

  /** The process with `pid` on `host`, if it exists (killed processes do not). */
  processOn(host: string, pid: number): BrickProcess | undefined {
    return this.brickList.find((b) => b.host === host && b.pid === pid && b.state !== 'killed');
  }

  /** Sends `signal` to process `pid` on `host`; false when there is no such process. */
  signal(host: string, pid: number, signal: BrickSignal): boolean {
    return this.change(() => this.deliver(host, pid, signal));
  }

  private deliver(host: string, pid: number, signal: BrickSignal): boolean {
    const brick = this.processOn(host, pid);
    if (!brick) return false;
    if (signal === 'KILL' || signal === 'TERM') {
      brick.state = 'killed';
      brick.frozenAt = undefined;
      this.ledger.interrupt(brick.replicaSet);
    } else if (signal === 'STOP' && brick.state === 'running') {
      brick.state = 'frozen';
      brick.frozenAt = this.clock.now();
      this.ledger.interrupt(brick.replicaSet);
    } else if (signal === 'CONT' && brick.state === 'frozen') {
      brick.state = 'running';
      brick.frozenAt = undefined;
    }
    return true;
  }

  /**
   * `volume start VOL force` run on `from`: glusterd starts the killed bricks of itself and
   * of the peers it is connected to; a brick of a disconnected peer (or one whose glusterd is
   * down) is left as it is (the command still answers success).
   */
  startForce(from: string): void {
    this.change(() => {
      for (const brick of this.brickList) {
        if (brick.state === 'killed' && this.peersConnected(from, brick.host)) this.spawn(brick);
      }
    });
  }

  /** The process `pid` on `host` as /proc shows it: a brick or a unit's main process. */
  processInfo(host: string, pid: number): ProcView | undefined {
    const brick = this.processOn(host, pid);
    if (brick) return { pid, argv: brickCommandLine(brick, this.hosts.get(host)?.uuid ?? '').split(' '), state: brick.state === 'frozen' ? 'T' : 'S', startedAt: brick.startedAt };
    return this.units.process(host, pid);
  }

  /** Every process of `host` /proc shows (bricks and unit main processes), by pid. */
  processList(host: string): ProcView[] {
    const bricks = this.brickList.filter((b) => b.host === host && b.state !== 'killed').map((b) => b.pid);
    const pids = [...bricks, ...this.units.processes(host).map((p) => p.pid)].sort((a, b) => a - b);
    return pids.map((pid) => this.processInfo(host, pid)).filter((p): p is ProcView => p !== undefined);
  }

  /** `volume heal VOL`: launches an index heal everywhere; false (nothing launched) while a brick is unavailable. */
  triggerHeal(): boolean {
    this.advance();
    if (!this.brickList.every((b) => this.availableToClients(b))) return false;
    for (const i of this.setIndexes()) this.ledger.trigger(i);
    return true;
  }

  /** A write through the client mount reached only `reached` of replica set `index`. */
  recordPartialWrite(index: number, reached: readonly BrickProcess[]): void {
    this.advance();
    const missing = this.bricksOf(index).filter((b) => !reached.includes(b));
    if (missing.length > 0) this.ledger.record(reached.map(brickName), missing.some((b) => b.state === 'frozen'));
  }

  /** network.ping-timeout in simulated ms. */
  pingTimeoutMs(): number {
    return this.options.seconds('network.ping-timeout', 42) * 1000;
  }

  /** cluster.heal-timeout (the self-heal daemon's crawl interval) in simulated ms. */
  healTimeoutMs(): number {
    return Math.max(1, this.options.seconds('cluster.heal-timeout', 600)) * 1000;
  }

  /** Simulated epoch ms. */
  now(): number {
    return this.clock.now();
  }

  /**
   * Runs a change to the pool's world (an iptables rule, …): writes and heals are brought up
   * to now under the old conditions first, and the new conditions hold from now on.
   */
  change<T>(apply: () => T): T {
    this.advance();
    try {
      return apply();
    } finally {
      this.takeConditions();
    }
  }

  /** Resolves after `ms` of simulated time. */
  sleep(ms: number): Promise<void> {
    return this.clock.sleep(ms);
  }

  // ---- the simulation ----

  private availableToClients(brick: BrickProcess): boolean {
    return brick.state === 'running' && this.hosts.up(brick.host);
  }

  private spawn(brick: BrickProcess): void {
    const taken = new Set(this.brickList.filter((b) => b !== brick && b.state !== 'killed').map((b) => b.port));
    brick.state = 'running';
    brick.pid = this.numbers.pid();
    brick.port = this.numbers.port(taken);
    brick.frozenAt = undefined;
    brick.startedAt = this.clock.now();
    this.ledger.releaseTriggerOnly(brick.replicaSet);
  }

  /**
   * Brings the users' writes and the heals up to now, under the conditions that held since
   * the last advance, then takes the conditions of now for the next interval.
   */
  private advance(): void {
    const now = this.clock.now();
    const seconds = (now - this.lastAdvance) / 1000;
    if (this.running && seconds > 0) {
      this.lastAdvance = now;
      this.writeCarry += seconds * this.writesPerSecond;
      const writes = Math.floor(this.writeCarry);
      this.writeCarry -= writes;
      const sets = this.setIndexes();
      for (let n = 0; n < writes; n += 1) this.userWrite(sets[randomInt(sets.length)] ?? 0);
      for (const i of sets) {
        if (this.bricksOf(i).every((b) => this.conditions.available.has(b))) this.ledger.heal(i, seconds, this.healsPerSecond);
        else this.ledger.interrupt(i);
      }
    }
    this.takeConditions();
  }

  /** From now on, the interval runs under the conditions of now. */
  private takeConditions(): void {
    this.conditions = {
      available: new Set(this.brickList.filter((b) => this.availableToClients(b))),
      frozen: new Set(this.brickList.filter((b) => b.state === 'frozen')),
    };
  }

  private userWrite(index: number): void {
    const bricks = this.bricksOf(index);
    const reached = bricks.filter((b) => this.conditions.available.has(b));
    if (reached.length === 0) {
      this.stats.failed += 1;
      return;
    }
    this.stats.written += 1;
    if (reached.length < bricks.length) this.ledger.record(reached.map(brickName), bricks.some((b) => this.conditions.frozen.has(b)));
  }

  /** The guest powered off: its brick processes, rules and sleepers are gone. */
  private guestPoweredOff(host: string): void {
    this.change(() => {
      this.hosts.forgetRuntimeState(host);
      this.units.powerOff(host);
      this.runDirs.clear(host);
      for (const brick of this.brickList.filter((b) => b.host === host)) {
        brick.state = 'killed';
        brick.frozenAt = undefined;
        this.ledger.interrupt(brick.replicaSet);
      }
    });
  }

  /** The guest booted: its units start, glusterd starts its self-heal daemon and its bricks (new pids and ports). */
  private guestBooted(host: string): void {
    this.change(() => {
      this.units.boot(host);
      const record = this.hosts.get(host);
      if (record?.role === 'brick') record.shdPid = this.numbers.pid();
      for (const brick of this.brickList.filter((b) => b.host === host)) this.spawn(brick);
    });
  }

  /** A unit started, stopped or lost its process: glusterd starting again starts its killed bricks. */
  private unitChanged(host: string, unit: string): void {
    if (unit !== 'glusterd.service' || !this.glusterdServing(host)) return;
    this.change(() => {
      for (const brick of this.brickList) if (brick.host === host && brick.state === 'killed') this.spawn(brick);
    });
  }

  private tick(): void {
    this.advance();
    const every = Math.max(1000, this.clock.speed * TICK_REAL_MS);
    this.ticker = this.clock.setTimeout(() => this.tick(), every);
  }

  private scheduleCrawl(): void {
    this.crawler = this.clock.setTimeout(() => {
      this.advance();
      for (const i of this.setIndexes()) {
        if (this.bricksOf(i).every((b) => this.availableToClients(b))) this.ledger.crawl(i);
      }
      this.scheduleCrawl();
    }, this.healTimeoutMs());
  }
}
