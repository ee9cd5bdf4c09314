/**
 * The single-user servers (notebook 6.5 with jupyterhub-singleuser) in the user pods, as the
 * proxy reaches them. Rules: `/user/<name>/api` answers its version to anyone; other API
 * paths want a token the hub accepts (the hub's admin token), checked against the hub and
 * remembered for 5 minutes (HubAuth's cache), so while the hub is away a token not seen
 * recently gets no answer at all (the proxy then answers 503); other paths are the
 * notebook's 404 page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimClock } from '../clock.js';
import type { Pod } from '../kubernetes/types.js';
import { LAB_HUB_VERSION } from './hub-http.js';
import { pyIso, pyJson } from './python-format.js';

/** The notebook server version the lab's user pods run. */
export const LAB_NOTEBOOK_VERSION = '6.5.4';

/** HubAuth's `cache_max_age` (simulated ms). */
export const TOKEN_CACHE_MS = 300_000;

/** What a notebook server did with a request: answered, or hung up (its hub could not be asked). */
export type NotebookOutcome = 'answered' | 'hung-up';

interface ServerMemory {
  tokens: Map<string, number>;
  lastActivity: number | undefined;
}

/** Every user pod's notebook server; memory (token cache, activity) is per pod. */
export class NotebookServers {
  private readonly memory = new Map<string, ServerMemory>();

  constructor(
    private readonly clock: SimClock,
    private readonly hubToken: string,
    private readonly hubRunning: () => boolean,
  ) {}

  /** Serves a request that the proxy sent to `pod`. */
  serve(pod: Pod, req: IncomingMessage, res: ServerResponse, url: URL): NotebookOutcome {
    const name = pod.metadata.labels?.['hub.jupyter.org/username'] ?? '';
    const base = `/user/${name}`;
    const path = url.pathname.startsWith(`${base}/`) ? url.pathname.slice(base.length) : undefined;
    const method = (req.method ?? 'GET').toUpperCase();
    const memory = this.memoryOf(pod);
    if (method === 'GET' && path === '/api') {
      memory.lastActivity = this.clock.now();
      send(res, 200, 'application/json', pyJson({ version: LAB_NOTEBOOK_VERSION }));
      return 'answered';
    }
    if (method === 'GET' && path === '/api/status') {
      const verdict = this.checkToken(memory, requestToken(req, url));
      if (verdict === 'no-hub') return 'hung-up';
      if (verdict === 'denied') {
        send(res, 403, 'application/json', pyJson({ message: 'Forbidden', reason: null }));
        return 'answered';
      }
      const started = Date.parse(pod.status.containerStatuses?.[0]?.state.running?.startedAt ?? '') || this.clock.now();
      const last = Math.max(started, memory.lastActivity ?? started);
      send(res, 200, 'application/json', pyJson({ connections: 0, kernels: 0, last_activity: pyIso(last), started: pyIso(started) }));
      return 'answered';
    }
    send(res, 404, 'text/html', notFoundPage());
    return 'answered';
  }

  /** Forgets servers whose pods are gone. */
  prune(livePods: Set<string>): void {
    for (const uid of this.memory.keys()) if (!livePods.has(uid)) this.memory.delete(uid);
  }

  private memoryOf(pod: Pod): ServerMemory {
    const uid = pod.metadata.uid ?? '';
    let memory = this.memory.get(uid);
    if (!memory) {
      memory = { tokens: new Map(), lastActivity: undefined };
      this.memory.set(uid, memory);
    }
    return memory;
  }

  private checkToken(memory: ServerMemory, token: string | undefined): 'ok' | 'denied' | 'no-hub' {
    if (token === undefined) return 'denied';
    const now = this.clock.now();
    const seen = memory.tokens.get(token);
    if (seen !== undefined && now - seen < TOKEN_CACHE_MS) return 'ok';
    if (!this.hubRunning()) return 'no-hub';
    if (token !== this.hubToken) return 'denied';
    memory.tokens.set(token, now);
    return 'ok';
  }
}

/** HubAuth's token: `?token=`, or `Authorization: token|bearer X`. */
function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const param = url.searchParams.get('token');
  if (param) return param;
  const match = /(?:token|bearer)\s+(.+)/i.exec(req.headers.authorization ?? '');
  return match?.[1]?.trim();
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'x-content-type-options': 'nosniff',
    'x-jupyterhub-version': LAB_HUB_VERSION,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function notFoundPage(): string {
  return '<!DOCTYPE HTML>\n<html>\n<head><meta charset="utf-8"><title>Jupyter Notebook</title></head>\n<body>\n<div class="error">\n  <h1>404 : Not Found</h1>\n</div>\n</body>\n</html>\n';
}
