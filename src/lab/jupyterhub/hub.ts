/**
 * The hub: JupyterHub 3 with KubeSpawner as z2jh runs it. Its database (users, their
 * server records) outlives hub pods; everything else lives in one hub process at a time.
 * Rules: a spawn creates pod `jupyter-<name>` (removing an old one first) and is ready once
 * the pod serves and its route is in the proxy, or fails at `start_timeout`; a stop deletes
 * the route, then the pod (1 s grace), and ends when the pod is gone; running servers are
 * polled every `poll_interval` (a vanished pod stops its server and drops its route);
 * check_routes runs at start and every `last_activity_interval`, adding missing routes and
 * removing stale JupyterHub routes; a process that ends loses its spawns (counted as failed).
 */
import type { Cluster } from '../kubernetes/cluster.js';
import { deletePod, isPodServing, singleUserPod, userPodName } from '../kubernetes/pods.js';
import type { Pod } from '../kubernetes/types.js';
import type { HubTimings } from './hub-settings.js';
import { HubMetrics } from './hub-metrics.js';
import { HubProcess, pending, type SpawnAttempt, type SpawnOutcome, type StopAttempt, type StopOutcome } from './hub-process.js';
import { addUserRoute, checkRoutes, readActivity, userRoutePath } from './check-routes.js';
import { NOTEBOOK_PORT, ProxyUnreachable, type ProxyProcess } from './proxy.js';
import { failedEvent, readyEvent, SpawnProgress } from './spawn-progress.js';

/** The namespace z2jh was installed into. */
export const HUB_NAMESPACE = 'jhub';

/** Simulated time one call to the proxy's API takes (what check_routes' duration is made of). */
export const PROXY_CALL_MS = 2;

/** A row of the hub's user table, with its default server's record (present while active). */
export interface HubUser {
  name: string;
  admin: boolean;
  /** Simulated epoch ms. */
  created: number;
  lastActivity: number | null;
  /** Whether the user's default spawner exists (it did spawn at least once). */
  hasSpawner: boolean;
  server: ServerRecord | undefined;
}

/** The hub's record of a user's server: kept from spawn start until it stops. */
export interface ServerRecord {
  started: number;
  lastActivity: number | null;
  /** `http://<pod IP>:8888` once the spawner knows it. */
  host: string | undefined;
}

/** A pending event of a spawner. */
export type ServerPending = 'spawn' | 'stop' | null;

/** The hub's users, servers and process. */
export class Hub {
  readonly metrics = new HubMetrics();
  private readonly users = new Map<string, HubUser>();
  private process: HubProcess | undefined;
  private pollRuns = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly proxy: ProxyProcess,
    private readonly timings: HubTimings,
  ) {}

  private now(): number {
    return this.cluster.clock.now();
  }

  /** Whether a hub process runs. */
  running(): boolean {
    return this.process !== undefined;
  }

  /** The uid of the hub pod whose process runs, if any. */
  get pod(): string | undefined {
    return this.process?.pod;
  }

  /** Aborted when the current process ends (undefined while none runs). */
  get signal(): AbortSignal | undefined {
    return this.process?.signal;
  }

  // ---- the user table -------------------------------------------------------------------

  /** The user row, if any (the stored record: read it, do not change it). */
  user(name: string): HubUser | undefined {
    return this.users.get(name);
  }

  /** Users in the order they were created (the table's id order); the stored rows, changed only by the hub's own modules. */
  list(): HubUser[] {
    return [...this.users.values()];
  }

  /** Adds a user row; returns the existing one when the name is taken. */
  addUser(name: string, admin = false, created = this.now()): HubUser {
    const existing = this.users.get(name);
    if (existing) return existing;
    const user: HubUser = { name, admin, created, lastActivity: null, hasSpawner: false, server: undefined };
    this.users.set(name, user);
    return user;
  }

  /** Sets a user's admin flag. */
  setAdmin(name: string, admin: boolean): void {
    const user = this.users.get(name);
    if (user) user.admin = admin;
  }

  /** Removes a user row (the caller stopped its server first). */
  removeUser(name: string): void {
    const attempt = this.process?.spawns.get(name);
    if (attempt) this.failSpawn(name, attempt, 'user deleted', 'error');
    this.process?.failures.delete(name);
    this.users.delete(name);
  }

  /** Registers a server that already runs (the seed's user pods), as if spawned earlier. */
  recordRunning(name: string, started: number): void {
    const user = this.addUser(name, false, started);
    user.hasSpawner = true;
    user.lastActivity = started;
    user.server = { started, lastActivity: started, host: undefined };
  }

  // ---- spawner state --------------------------------------------------------------------

  /** The spawner's pending event. */
  pending(name: string): ServerPending {
    if (this.process?.spawns.has(name)) return 'spawn';
    if (this.process?.stops.has(name)) return 'stop';
    return null;
  }

  /** Ready: a server record, a known host and nothing pending. */
  ready(name: string): boolean {
    const server = this.users.get(name)?.server;
    return server !== undefined && server.host !== undefined && this.pending(name) === null;
  }

  /** Active: ready or pending. */
  active(name: string): boolean {
    return this.ready(name) || this.pending(name) !== null;
  }

  /** Whether the user has a server record (what `state=active` filters on). */
  hasServer(name: string): boolean {
    return this.users.get(name)?.server !== undefined;
  }

  /** The cause of the spawner's last failed spawn in this process, if it has not spawned since. */
  failure(name: string): string | undefined {
    return this.process?.failures.get(name);
  }

  /** The spawn in flight, if any. */
  spawnAttempt(name: string): SpawnAttempt | undefined {
    return this.process?.spawns.get(name);
  }

  /** How many times the hub has polled its servers (for tests and diagnostics). */
  get polls(): number {
    return this.pollRuns;
  }

  /** Number of ready servers (`jupyterhub_running_servers`). */
  runningServers(): number {
    return this.list().filter((u) => this.ready(u.name)).length;
  }

  // ---- process life ---------------------------------------------------------------------

  /** A hub process starts in pod `uid`: adopts or cleans up recorded servers, checks routes, starts its callbacks. */
  start(uid: string): void {
    if (this.process) this.end();
    const process = new HubProcess(uid, this.cluster.clock);
    this.process = process;
    this.initSpawners();
    this.updateActivityAndRoutes();
    process.every(this.timings.lastActivityIntervalMs, () => this.updateActivityAndRoutes());
    process.every(this.timings.pollIntervalMs, () => this.pollServers());
  }

  /** The hub process ends: spawns in flight are lost (and counted as failures), stops too. */
  end(): void {
    const process = this.process;
    if (!process) return;
    this.process = undefined;
    for (const attempt of process.end()) this.metrics.observeSpawn('failure', (this.now() - attempt.startedAt) / 1000);
  }

  private initSpawners(): void {
    for (const user of this.users.values()) {
      if (!user.server) continue;
      const pod = this.userPod(user.name);
      if (pod && isPodServing(pod) && pod.status.podIP) {
        user.server.host = hostOf(pod);
        continue;
      }
      if (pod && !pod.metadata.deletionTimestamp) this.deleteUserPod(user.name, 1);
      user.server = undefined;
    }
  }

  /** Reacts to a change of the user pods: moves spawns and stops along. */
  onPodsChanged(): void {
    const process = this.process;
    if (!process) return;
    for (const [name, attempt] of process.spawns) this.advanceSpawn(name, attempt);
    for (const [name, stop] of process.stops) if (!this.userPod(name)) this.finishStop(name, stop, { kind: 'stopped' });
  }

  // ---- spawn ----------------------------------------------------------------------------

  /** Starts a spawn (the caller checked the spawner is neither pending nor ready). */
  spawn(name: string): SpawnAttempt {
    const process = this.requireProcess();
    const user = this.addUser(name);
    user.hasSpawner = true;
    process.failures.delete(name);
    const now = this.now();
    const attempt: SpawnAttempt = { startedAt: now, progress: new SpawnProgress(), result: pending<SpawnOutcome>(), podUid: undefined, timer: undefined };
    process.spawns.set(name, attempt);
    user.server = { started: now, lastActivity: user.server?.lastActivity ?? null, host: undefined };
    attempt.timer = this.cluster.clock.setTimeout(() => this.failSpawn(name, attempt, 'Timeout', 'timeout'), this.timings.startTimeoutMs);
    if (this.userPod(name)) this.deleteUserPod(name, 0);
    this.advanceSpawn(name, attempt);
    return attempt;
  }

  private advanceSpawn(name: string, attempt: SpawnAttempt): void {
    const pod = this.userPod(name);
    if (attempt.podUid === undefined) {
      if (pod) return;
      attempt.podUid = this.cluster.store.create('pods', singleUserPod(name)).metadata.uid;
      return;
    }
    if (!pod || pod.metadata.uid !== attempt.podUid) return;
    attempt.progress.observePod(pod, this.now());
    if (isPodServing(pod) && pod.status.podIP) this.finishSpawn(name, attempt, hostOf(pod));
  }

  private finishSpawn(name: string, attempt: SpawnAttempt, host: string): void {
    const user = this.users.get(name);
    const process = this.process;
    if (!user?.server || !process) return;
    this.cluster.clock.clearTimeout(attempt.timer);
    process.spawns.delete(name);
    const now = this.now();
    this.metrics.observeSpawn('success', (now - attempt.startedAt) / 1000);
    user.server.host = host;
    user.server.lastActivity = now;
    user.lastActivity = now;
    try {
      this.addUserRoute(name, host);
    } catch (error) {
      if (!(error instanceof ProxyUnreachable)) throw error;
      this.deleteUserPod(name, 1);
      user.server = undefined;
      attempt.result.settle({ kind: 'not-ready' });
      attempt.progress.finish(failedEvent());
      return;
    }
    attempt.result.settle({ kind: 'ready' });
    attempt.progress.finish(readyEvent(`/user/${name}/`));
  }

  private failSpawn(name: string, attempt: SpawnAttempt, cause: string, reason: 'timeout' | 'error'): void {
    const process = this.process;
    if (!process || process.spawns.get(name) !== attempt) return;
    this.cluster.clock.clearTimeout(attempt.timer);
    process.spawns.delete(name);
    process.failures.set(name, cause);
    this.metrics.observeSpawn('failure', (this.now() - attempt.startedAt) / 1000);
    if (this.userPod(name)) this.deleteUserPod(name, 1);
    const user = this.users.get(name);
    if (user) user.server = undefined;
    attempt.result.settle({ kind: 'failed', cause, reason });
    attempt.progress.finish(failedEvent(cause));
  }

  // ---- stop -----------------------------------------------------------------------------

  /** Stops a ready server: route first, then the pod; settles when the pod is gone (or at start_timeout). */
  stop(name: string): StopAttempt {
    const process = this.requireProcess();
    const stop: StopAttempt = { startedAt: this.now(), result: pending<StopOutcome>(), timer: undefined };
    process.stops.set(name, stop);
    this.removeUserRoute(name);
    this.deleteUserPod(name, 1);
    stop.timer = this.cluster.clock.setTimeout(() => this.finishStop(name, stop, { kind: 'stopped' }), this.timings.startTimeoutMs);
    if (!this.userPod(name)) this.finishStop(name, stop, { kind: 'stopped' });
    return stop;
  }

  private finishStop(name: string, stop: StopAttempt, outcome: StopOutcome): void {
    const process = this.process;
    if (!process || process.stops.get(name) !== stop) return;
    this.cluster.clock.clearTimeout(stop.timer);
    process.stops.delete(name);
    const user = this.users.get(name);
    if (user) user.server = undefined;
    stop.result.settle(outcome);
  }

  // ---- periodic work --------------------------------------------------------------------

  /**
   * KubeSpawner's poll of every ready server: a vanished or finished pod stops the server
   * (route dropped, a finished pod deleted); a pod that serves at a new IP updates the host,
   * which the next check_routes carries into the proxy.
   */
  pollServers(): void {
    this.pollRuns += 1;
    for (const user of this.users.values()) {
      if (!user.server || !this.ready(user.name)) continue;
      const pod = this.userPod(user.name);
      const finished = pod?.status.phase === 'Succeeded' || pod?.status.phase === 'Failed';
      if (!pod || finished) {
        this.removeUserRoute(user.name);
        if (pod && !pod.metadata.deletionTimestamp) this.deleteUserPod(user.name, 0);
        user.server = undefined;
        continue;
      }
      if (isPodServing(pod) && pod.status.podIP) user.server.host = hostOf(pod);
    }
  }

  /** The last-activity tick: reads activity from the proxy's routes, then runs check_routes. */
  updateActivityAndRoutes(): void {
    if (!this.proxy.running() || !this.process) return;
    readActivity(this.list(), this.proxy);
    this.checkRoutes();
  }

  /** JupyterHub's check_routes; returns false when no hub process runs or the proxy could not be reached. */
  checkRoutes(): boolean {
    if (!this.proxy.running() || !this.process) return false;
    const calls = checkRoutes(this, this.proxy);
    this.metrics.observeCheckRoutes((calls * PROXY_CALL_MS) / 1000);
    return true;
  }

  // ---- helpers --------------------------------------------------------------------------

  private requireProcess(): HubProcess {
    if (!this.process) throw new Error('no hub process runs');
    return this.process;
  }

  private addUserRoute(name: string, host: string): void {
    addUserRoute(this.proxy, name, host);
  }

  private removeUserRoute(name: string): void {
    if (this.proxy.running()) this.proxy.remove(userRoutePath(name));
  }

  /** The user's server pod, if it exists. */
  userPod(name: string): Pod | undefined {
    return this.cluster.store.get('pods', HUB_NAMESPACE, userPodName(name)) as Pod | undefined;
  }

  private deleteUserPod(name: string, gracePeriodSeconds: number): void {
    deletePod(this.cluster.store, this.now(), HUB_NAMESPACE, userPodName(name), { gracePeriodSeconds });
  }
}

function hostOf(pod: Pod): string {
  return `http://${pod.status.podIP ?? ''}:${NOTEBOOK_PORT}`;
}
