/**
 * The Nova calls gameday makes: list and read servers, run power actions, mark servers
 * with metadata, and wait for a status. Rule: a 202 is a promise, not a result — callers
 * that change a server wait with `waitForStatus` until Nova reports the state and no task
 * is running. Reads of a missing server give null; removing what is already gone is fine.
 */
import { formatDuration } from '../../../duration.js';
import { TargetError } from '../../../errors.js';
import { openstackShapeError } from '../errors.js';
import { sleep, type OpenStackRequest } from './http.js';
import { listAllPages } from './paging.js';
import { Server } from '../types.js';

/** A server action Nova accepts on `POST /servers/{id}/action`. */
export type ServerAction = 'os-stop' | 'os-start' | 'pause' | 'unpause' | 'suspend' | 'resume' | { reboot: 'HARD' | 'SOFT' };

export interface ListServersOptions {
  /** Nova's `name` filter: a regular expression matched against server names. */
  nameRegex?: string;
  /** Nova's `status` filter (`ACTIVE`, `SHUTOFF`…). */
  status?: string;
  /** Page size (`limit`); every page is read regardless. */
  limit?: number;
  signal?: AbortSignal;
}

export interface WaitOptions {
  timeoutMs: number;
  /** Between two reads; default 2 s. */
  intervalMs?: number;
  signal?: AbortSignal;
}

/** The Nova client. Every method throws TargetError (see errors.ts for which are retryable). */
export interface Nova {
  /** Every server matching the filters, across all pages of `/servers/detail`. */
  listServers(options?: ListServersOptions): Promise<Server[]>;
  /** The server, or null when Nova answers 404. */
  getServer(id: string, signal?: AbortSignal): Promise<Server | null>;
  /** Asks for an action; resolves when Nova accepted it (202). A 409 (wrong state) is a non-retryable error. */
  action(id: string, action: ServerAction, signal?: AbortSignal): Promise<void>;
  /** Sets one metadata key (idempotent). */
  setMetadata(id: string, key: string, value: string, signal?: AbortSignal): Promise<void>;
  /** Removes one metadata key; a key or server already gone is fine. */
  deleteMetadata(id: string, key: string, signal?: AbortSignal): Promise<void>;
  /**
   * Reads the server until its status is one of `statuses` with no task running, and
   * returns it. ERROR (when not wanted) or a vanished server fail at once, not retryable;
   * the deadline passing is a retryable error naming the last status and task state.
   */
  waitForStatus(id: string, statuses: readonly string[], options: WaitOptions): Promise<Server>;
}

const DEFAULT_INTERVAL_MS = 2_000;

/** A Nova client over `request`. */
export function createNova(request: OpenStackRequest): Nova {
  const serverPath = (id: string): string => `/servers/${encodeURIComponent(id)}`;

  const getServer = async (id: string, signal?: AbortSignal): Promise<Server | null> => {
    const action = `read server ${id}`;
    const answer = await request({ service: 'compute', method: 'GET', path: serverPath(id), ok: [200, 404], action, signal });
    if (answer.status === 404) return null;
    const body = answer.body as { server?: unknown } | undefined;
    const parsed = Server.safeParse(body?.server);
    if (!parsed.success) throw openstackShapeError('compute', action, shapeProblem(parsed.error), answer.requestId);
    return parsed.data;
  };

  return {
    listServers: (options = {}) =>
      listAllPages(request, {
        service: 'compute',
        path: '/servers/detail',
        key: 'servers',
        item: Server,
        query: { name: options.nameRegex, status: options.status, limit: options.limit },
        action: 'list servers',
        signal: options.signal,
      }),

    getServer,

    async action(id, action, signal) {
      const body = typeof action === 'string' ? { [action]: null } : { reboot: { type: action.reboot } };
      const name = typeof action === 'string' ? action : `reboot ${action.reboot}`;
      await request({ service: 'compute', method: 'POST', path: `${serverPath(id)}/action`, body, action: `${name} server ${id}`, signal });
    },

    async setMetadata(id, key, value, signal) {
      await request({
        service: 'compute',
        method: 'PUT',
        path: `${serverPath(id)}/metadata/${encodeURIComponent(key)}`,
        body: { meta: { [key]: value } },
        action: `set metadata ${key} on server ${id}`,
        signal,
      });
    },

    async deleteMetadata(id, key, signal) {
      await request({
        service: 'compute',
        method: 'DELETE',
        path: `${serverPath(id)}/metadata/${encodeURIComponent(key)}`,
        ok: [200, 204, 404],
        action: `delete metadata ${key} of server ${id}`,
        signal,
      });
    },

    waitForStatus: (id, statuses, options) => waitForStatus(getServer, id, statuses, options),
  };
}

async function waitForStatus(
  getServer: (id: string, signal?: AbortSignal) => Promise<Server | null>,
  id: string,
  statuses: readonly string[],
  options: WaitOptions,
): Promise<Server> {
  const deadline = Date.now() + options.timeoutMs;
  const wanted = statuses.join(' or ');
  let last: Server | undefined;
  let lastError: TargetError | undefined;
  for (;;) {
    try {
      const server = await getServer(id, options.signal);
      if (server === null) {
        throw new TargetError(`Nova server ${id} disappeared while waiting for ${wanted}`, { retryable: false, status: 404 });
      }
      last = server;
      const task = server['OS-EXT-STS:task_state'] ?? null;
      if (statuses.includes(server.status) && task === null) return server;
      if (server.status === 'ERROR' && !statuses.includes('ERROR')) {
        const fault = server.fault?.message ? `: ${server.fault.message}` : '';
        throw new TargetError(`Nova server ${server.name} (${id}) went to ERROR while waiting for ${wanted}${fault}`, { retryable: false });
      }
    } catch (err) {
      if (!(err instanceof TargetError) || !err.retryable || options.signal?.aborted) throw err;
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw timeoutError(id, wanted, options.timeoutMs, last, lastError);
    await sleep(Math.min(options.intervalMs ?? DEFAULT_INTERVAL_MS, left), options.signal);
  }
}

function timeoutError(id: string, wanted: string, timeoutMs: number, last: Server | undefined, lastError: TargetError | undefined): TargetError {
  const seen = last
    ? `last status ${last.status}, task_state ${last['OS-EXT-STS:task_state'] ?? 'none'}`
    : `never read it${lastError ? ` (${lastError.message})` : ''}`;
  const who = last ? `${last.name} (${id})` : id;
  return new TargetError(`Nova server ${who} did not reach ${wanted} within ${formatDuration(Math.max(0, Math.round(timeoutMs)))}: ${seen}`, {
    retryable: true,
    ...(lastError && !last ? { cause: lastError } : {}),
  });
}

function shapeProblem(error: { issues: readonly { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue ? `server.${issue.path.map(String).join('.')}: ${issue.message}` : 'bad body';
}
