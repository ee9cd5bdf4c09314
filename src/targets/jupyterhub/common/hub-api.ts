/**
 * JupyterHub's REST API and public endpoints, as gameday uses them: health, version, users
 * (every page), one user, creating a user, starting and stopping a user's server, and a
 * single-user server's `api/status` through the proxy. Rules: the token goes only to the
 * configured hub (never to a redirect); user lists are read page by page with JupyterHub
 * 3's pagination (plain lists from older hubs are paged by offset/limit until a short page,
 * or a page that repeats the last: a hub that ignores offset answers everyone at once); start and stop get
 * at least 30 s, since the hub holds those requests up to its slow_spawn/stop timeouts.
 */
import { shapeError, statusError } from '../errors.js';
import { HubInfo, HubUser, UserPage } from './models.js';
import { expect, json, send, type Answer, type Call } from './request.js';

/** Page size asked for (JupyterHub's default maximum). */
export const PAGE_LIMIT = 200;
/** Most pages read in one listing: 100,000 users at 200 per page. */
const MAX_PAGES = 500;
/** The least time given to a server start or stop request. */
export const SLOW_REQUEST_MS = 30_000;

const PAGINATION_TYPE = 'application/jupyterhub-pagination+json';

/** How a server start answered: started (201) or still pending (202). */
export type StartAnswer = 'started' | 'pending';
/** How a server stop answered: stopped (204) or still stopping (202). */
export type StopAnswer = 'stopped' | 'pending';

/** Which users to list: JupyterHub's `state` filter. */
export type UserState = 'ready' | 'active' | 'inactive';

export interface HubApiOptions {
  /** The public URL (through the proxy), without a trailing slash. */
  publicUrl: string;
  /** The REST API, without a trailing slash. */
  apiUrl: string;
  token: () => string;
  timeoutMs: number;
}

/** The hub's public endpoints and REST API. */
export class HubApi {
  constructor(private readonly o: HubApiOptions) {}

  /** The public URL, as configured (no trailing slash). */
  get publicUrl(): string {
    return this.o.publicUrl;
  }

  private call(action: string, method: Call['method'], path: string, signal?: AbortSignal, extra: Partial<Call> = {}): Call {
    return { service: 'JupyterHub', action, method, url: `${this.o.apiUrl}${path}`, token: this.o.token(), signal, timeoutMs: this.o.timeoutMs, ...extra };
  }

  /** `GET {url}/hub/health`, without a token: any status is returned, no answer throws. */
  async health(signal?: AbortSignal): Promise<Answer> {
    return send({ service: 'JupyterHub', action: 'health', method: 'GET', url: `${this.o.publicUrl}/hub/health`, accept: '*/*', signal, timeoutMs: this.o.timeoutMs });
  }

  /** The hub's version (`GET /hub/api`). */
  async version(signal?: AbortSignal): Promise<string> {
    const call = this.call('read the version', 'GET', '', signal);
    const parsed = HubInfo.safeParse(json(call, await expect(call)));
    if (!parsed.success) throw shapeError('JupyterHub', call.action, 'no version');
    return parsed.data.version;
  }

  /** Every user (optionally only those with a server in `state`), across every page. */
  async users(state: UserState | undefined, signal?: AbortSignal): Promise<HubUser[]> {
    const users: HubUser[] = [];
    const seen = new Set<string>();
    let offset = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ ...(state !== undefined && { state }), offset: String(offset), limit: String(PAGE_LIMIT) });
      const call = this.call(`list users${state ? ` (${state})` : ''}`, 'GET', `/users?${query.toString()}`, signal, { accept: PAGINATION_TYPE });
      const body = json(call, await expect(call));
      const { items, next, paginated } = readPage(call.action, body, offset);
      const fresh = items.map((item) => parseUser(call.action, item)).filter((u) => !seen.has(u.name));
      if (items.length > 0 && fresh.length === 0) {
        // an old hub ignores offset and answers every user at once: its repeat ends the listing
        if (!paginated) return users;
        throw shapeError('JupyterHub', call.action, `the page at offset ${offset} repeats users already listed`);
      }
      for (const user of fresh) {
        seen.add(user.name);
        users.push(user);
      }
      if (next === null) return users;
      if (next <= offset) throw shapeError('JupyterHub', call.action, `the next page starts at ${next}, not after ${offset}`);
      offset = next;
    }
    throw shapeError('JupyterHub', 'list users', `more than ${MAX_PAGES} pages`);
  }

  /** One user, or null when the hub has no such user. */
  async user(name: string, signal?: AbortSignal): Promise<HubUser | null> {
    const call = this.call(`read user ${name}`, 'GET', `/users/${encodeURIComponent(name)}`, signal);
    const answer = await expect(call, [200, 404]);
    if (answer.status === 404) return null;
    return parseUser(call.action, json(call, answer));
  }

  /** Creates a user; one that already exists (409) is read instead. */
  async createUser(name: string, signal?: AbortSignal): Promise<HubUser> {
    const call = this.call(`create user ${name}`, 'POST', `/users/${encodeURIComponent(name)}`, signal);
    const answer = await expect(call, [200, 201, 409]);
    if (answer.status !== 409) return parseUser(call.action, json(call, answer));
    const user = await this.user(name, signal);
    if (!user) throw statusError('JupyterHub', call.action, 409, 'the user exists, then does not');
    return user;
  }

  /** Asks for the user's default server: 201 started, 202 pending. A 400 (already running, pending) throws. */
  async startServer(name: string, signal?: AbortSignal): Promise<StartAnswer> {
    const call = this.call(`start server of ${name}`, 'POST', `/users/${encodeURIComponent(name)}/server`, signal, { timeoutMs: Math.max(this.o.timeoutMs, SLOW_REQUEST_MS) });
    const answer = await expect(call, [201, 202]);
    return answer.status === 201 ? 'started' : 'pending';
  }

  /** Asks the user's default server to stop: 204 stopped, 202 stopping. A 400 (pending spawn) throws. */
  async stopServer(name: string, signal?: AbortSignal): Promise<StopAnswer> {
    const call = this.call(`stop server of ${name}`, 'DELETE', `/users/${encodeURIComponent(name)}/server`, signal, { timeoutMs: Math.max(this.o.timeoutMs, SLOW_REQUEST_MS) });
    const answer = await expect(call, [202, 204]);
    return answer.status === 204 ? 'stopped' : 'pending';
  }

  /**
   * `GET {server url}api/status` through the proxy, with the token (which needs
   * `access:servers`). Any status is returned: 200 when the server answers, 302 to the hub
   * when the proxy has no route for it, 503 when the route leads nowhere.
   */
  async serverStatus(serverPath: string, signal?: AbortSignal): Promise<Answer> {
    const url = serverStatusUrl(this.o.publicUrl, serverPath);
    return send({ service: 'JupyterHub', action: 'ask the single-user server its status', method: 'GET', url, token: this.o.token(), signal, timeoutMs: this.o.timeoutMs });
  }
}

/** The URL of a server's `api/status`: its path (`/jhub/user/alice/`) on the public URL's origin. */
export function serverStatusUrl(publicUrl: string, serverPath: string): string {
  const path = serverPath.endsWith('/') ? serverPath : `${serverPath}/`;
  return `${new URL(publicUrl).origin}${path}api/status`;
}

/** The path a user's default server has when the hub does not say: `{base}/user/{name}/`. */
export function defaultServerPath(publicUrl: string, name: string): string {
  return `${new URL(publicUrl).pathname.replace(/\/+$/, '')}/user/${encodeURIComponent(name)}/`;
}

function parseUser(action: string, item: unknown): HubUser {
  const parsed = HubUser.safeParse(item);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues[0];
  throw shapeError('JupyterHub', action, `not a user model (${where ? `${where.path.join('.') || 'root'}: ${where.message}` : 'invalid'})`);
}

/** The items of one page and where the next starts (null: last page). A plain list is a page of an older hub. */
function readPage(action: string, body: unknown, offset: number): { items: unknown[]; next: number | null; paginated: boolean } {
  if (Array.isArray(body)) return { items: body, next: body.length < PAGE_LIMIT ? null : offset + body.length, paginated: false };
  const parsed = UserPage.safeParse(body);
  if (!parsed.success) throw shapeError('JupyterHub', action, 'neither a list of users nor a page of them');
  const { items, _pagination: pagination } = parsed.data;
  if (pagination === undefined) return { items, next: items.length < PAGE_LIMIT ? null : offset + items.length, paginated: false };
  return { items, next: pagination.next?.offset ?? null, paginated: true };
}
