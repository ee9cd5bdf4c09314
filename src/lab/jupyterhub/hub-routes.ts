/**
 * The hub's tornado application on the lab: an ordered list of path patterns, each served by
 * one handler class (its name is the `handler` label of the request metric), and the
 * dispatcher that runs them. Rules: the first pattern that matches the whole path wins; a
 * handler without the request's method answers 405; a method that needs a scope and gets no
 * valid token answers 403 naming the scopes; every answer is counted once, with its final
 * status; when the hub process ends mid-request, the proxy answers 503 (or the stream is cut).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimClock } from '../clock.js';
import type { JupyterHubModel } from '../jupyterhub-model.js';
import type { Hub } from './hub.js';
import { HubError, HubGone, headerToken, sendApiError, sendPageError, sendProxyPlain } from './hub-http.js';

/** What a hub handler gets. */
export interface HubContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The pattern's groups, URL-decoded. */
  params: string[];
  model: JupyterHubModel;
  hub: Hub;
  clock: SimClock;
  /** Whether the request carries the hub's (admin) token. */
  authenticated: boolean;
  /** Resolves with the promise's value, or `'timeout'` after `ms` simulated ms; throws HubGone if the process ends first. */
  within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'>;
  /** Waits `ms` simulated ms; throws HubGone if the process ends first. */
  sleep(ms: number): Promise<void>;
  /** Awaits `promise`, counting the wait in simulated time (not scaled processing time) in the request's duration. */
  waiting<T>(promise: Promise<T>): Promise<T>;
  /** Aborted when the hub process that took the request ends. */
  signal: AbortSignal;
}

/** One method of a handler: the scopes it needs (none: open) and what it does. */
export interface HubMethod {
  scopes?: string[];
  run(ctx: HubContext): Promise<void> | void;
}

/** One entry of the application's handler list. */
export interface HubRoute {
  pattern: RegExp;
  /** tornado handler class, e.g. `jupyterhub.apihandlers.users.UserListAPIHandler`. */
  handler: string;
  /** API handlers answer errors in JSON, pages in HTML. */
  api: boolean;
  methods: Partial<Record<string, HubMethod>>;
}

/** tornado's RequestHandler.SUPPORTED_METHODS. */
const SUPPORTED = new Set(['GET', 'HEAD', 'POST', 'DELETE', 'PATCH', 'PUT', 'OPTIONS']);

/** The route serving a path. */
export function routeFor(routes: HubRoute[], path: string): { route: HubRoute; params: string[] } | undefined {
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map((p) => safeDecode(p ?? '')) };
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** What the dispatcher needs besides the request. */
export interface HubDispatch {
  routes: HubRoute[];
  model: JupyterHubModel;
  clock: SimClock;
  token: string;
}

/** Serves one request that reached a running hub. */
export async function serveHub(dispatch: HubDispatch, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { model, clock } = dispatch;
  const hub = model.hub;
  const signal = hub.signal;
  const found = routeFor(dispatch.routes, url.pathname);
  if (!found || !signal) {
    sendProxyPlain(res, 503);
    return;
  }
  const { route, params } = found;
  const method = (req.method ?? 'GET').toUpperCase();
  const duration = new RequestDuration(clock);
  res.once('close', () => hub.metrics.observeRequest(method, route.handler, res.statusCode, duration.seconds()));
  const given = headerToken(req);
  const ctx: HubContext = {
    req, res, url, params, model, hub, clock, signal,
    authenticated: given !== undefined && given === dispatch.token,
    within: (promise, ms) => duration.waiting(within(clock, signal, promise, ms)),
    sleep: async (ms) => {
      await duration.waiting(within(clock, signal, new Promise<never>(() => undefined), ms));
    },
    waiting: (promise) => duration.waiting(promise),
  };
  const fail = route.api ? sendApiError : sendPageError;
  try {
    const handler = SUPPORTED.has(method) ? route.methods[method] : undefined;
    if (!handler) {
      if (route.api && method === 'OPTIONS') return sendEmptyOk(res);
      throw new HubError(405);
    }
    if (handler.scopes && !ctx.authenticated) {
      throw new HubError(403, `Action is not authorized with current scopes; requires any of [${handler.scopes.join(', ')}]`);
    }
    await handler.run(ctx);
  } catch (error) {
    if (error instanceof HubGone) {
      if (res.headersSent) res.destroy();
      else sendProxyPlain(res, 503);
      return;
    }
    if (!(error instanceof HubError)) throw error;
    if (res.headersSent) res.destroy();
    else fail(res, error);
  }
}

/**
 * A request's duration as the hub would measure it: its waits (for pods, timeouts) in
 * simulated time, its processing in real time (the lab's own speed is not the hub's).
 */
class RequestDuration {
  private readonly realStart = performance.now();
  private realWaiting = 0;
  private simWaiting = 0;

  constructor(private readonly clock: SimClock) {}

  async waiting<T>(promise: Promise<T>): Promise<T> {
    const real = performance.now();
    const sim = this.clock.now();
    try {
      return await promise;
    } finally {
      this.realWaiting += performance.now() - real;
      this.simWaiting += this.clock.now() - sim;
    }
  }

  seconds(): number {
    const processing = Math.max(0, performance.now() - this.realStart - this.realWaiting);
    return (processing + this.simWaiting) / 1000;
  }
}

function sendEmptyOk(res: ServerResponse): void {
  res.writeHead(200, { 'content-length': 0 });
  res.end();
}

/** Races `promise` against `ms` of simulated time and the process's end. */
function within<T>(clock: SimClock, signal: AbortSignal, promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  if (signal.aborted) return Promise.reject(new HubGone());
  return new Promise<T | 'timeout'>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(new HubGone());
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve('timeout');
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
