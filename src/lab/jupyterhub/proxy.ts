/**
 * The proxy pod's process: configurable-http-proxy as z2jh runs it (`--default-target=http://hub:8081`,
 * error target the hub). Rules: routes live in the process's memory only, so a process that
 * ends loses them all and a new one starts with nothing but the default route `/` → hub;
 * while no process runs, nothing can be read or changed (callers get `ProxyUnreachable`).
 */
import type { SimClock } from '../clock.js';
import { RouteTable, type RouteData, type RouteMatch } from './route-table.js';

/** Where z2jh's proxy sends `/` (the hub Service). */
export const HUB_TARGET = 'http://hub:8081';

/** The single-user server port KubeSpawner targets. */
export const NOTEBOOK_PORT = 8888;

/** Thrown when the proxy process is not running (its API has no endpoint). */
export class ProxyUnreachable extends Error {
  override readonly name = 'ProxyUnreachable';
  constructor() {
    super('the proxy API is unreachable');
  }
}

/** The proxy process and its in-memory routes. */
export class ProxyProcess {
  private readonly routes = new RouteTable();
  private owner: string | undefined;

  constructor(private readonly clock: SimClock) {}

  /** The uid of the pod whose process holds the routes, while one runs. */
  get pod(): string | undefined {
    return this.owner;
  }

  /** Whether a proxy process runs. */
  running(): boolean {
    return this.owner !== undefined;
  }

  /** A process starts in pod `uid`: empty memory, then CHP's default route to the hub. */
  start(uid: string): void {
    this.routes.clear();
    this.owner = uid;
    this.routes.add('/', { target: HUB_TARGET }, this.nowIso());
  }

  /** The process ends; its routes are gone. */
  stop(): void {
    this.routes.clear();
    this.owner = undefined;
  }

  /** `GET /api/routes`: every route by path. */
  all(): Record<string, RouteData> {
    this.requireRunning();
    return this.routes.all();
  }

  /** `GET /api/routes/<path>`. */
  get(path: string): RouteData | undefined {
    this.requireRunning();
    return this.routes.get(path);
  }

  /** `POST /api/routes/<path>`: adds or replaces a route. */
  add(path: string, data: Record<string, unknown> & { target: string }): void {
    this.requireRunning();
    this.routes.add(path, data, this.nowIso());
  }

  /** `DELETE /api/routes/<path>`: whether a route was there. */
  remove(path: string): boolean {
    this.requireRunning();
    return this.routes.remove(path);
  }

  /** The route a request path goes to, while the process runs. */
  match(requestPath: string): RouteMatch | undefined {
    return this.owner === undefined ? undefined : this.routes.match(requestPath);
  }

  /** Records activity on a route after a successful proxied answer. */
  touch(prefix: string): void {
    if (this.owner !== undefined) this.routes.touch(prefix, this.nowIso());
  }

  private requireRunning(): void {
    if (this.owner === undefined) throw new ProxyUnreachable();
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
