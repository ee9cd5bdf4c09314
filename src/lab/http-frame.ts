/**
 * The small HTTP frame every lab API runs in: one server per system, api faults applied
 * before any handler runs, JSON helpers and a path router. Rule: a handler either answers or
 * throws an `HttpError`; anything else thrown becomes a 500 in the system's own error shape,
 * and `close()` ends every connection, watch streams included.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { ApiFaults, LabSystem } from './api-faults.js';

/** An HTTP answer thrown by a handler: status, JSON (or text) body, extra headers. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** Handles one request; the URL is already parsed. */
export type FrameHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** A body in the system's own error shape. */
export interface ErrorAnswer {
  contentType: string;
  body: string;
}

/** How one lab API server is made. */
export interface LabServerOptions {
  system: LabSystem;
  faults: ApiFaults;
  handle: FrameHandler;
  /** The system's error body for a status (used for injected errors and unexpected failures); `url` is the request's. */
  errorAnswer: (status: number, message: string, url: URL) => ErrorAnswer;
  onError?: (error: unknown) => void;
}

/** One listening API server of the lab. Construct, `listen()`, then `close()` (idempotent). */
export class LabServer {
  private readonly server: Server;
  private readonly aborter = new AbortController();
  private stopListening: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: LabServerOptions) {
    this.server = createServer((req, res) => {
      void this.serve(req, res);
    });
    this.server.on('connection', (socket: Socket) => {
      if (this.options.faults.get(this.options.system)?.refuse) socket.destroy();
    });
  }

  /** Listens on host:port (0 = ephemeral); resolves to the base URL, e.g. `http://127.0.0.1:16443`. */
  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.stopListening = this.options.faults.onChange((system) => {
      if (system === this.options.system && this.options.faults.get(system)?.refuse) this.server.closeAllConnections();
    });
    const address = this.server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${shownHost}:${address.port}`;
  }

  /** Stops listening and destroys every open connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.stopListening?.();
      this.aborter.abort();
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { system, faults, handle, errorAnswer } = this.options;
    const url = requestUrl(req);
    try {
      const fault = faults.get(system);
      if (fault?.refuse) {
        req.socket.destroy();
        return;
      }
      if (fault?.latencyMs) await delay(fault.latencyMs, undefined, { signal: this.aborter.signal });
      if (faults.get(system)?.refuse) {
        req.socket.destroy();
        return;
      }
      if (fault?.errorStatus && Math.random() < (fault.errorRate ?? 1)) {
        sendAnswer(res, fault.errorStatus, errorAnswer(fault.errorStatus, 'injected fault', url));
        return;
      }
      await handle(req, res, url);
    } catch (error) {
      if (this.aborter.signal.aborted) return;
      if (error instanceof HttpError) {
        if (!res.headersSent) sendBody(res, error.status, error.body, error.headers);
        return;
      }
      this.options.onError?.(error);
      if (!res.headersSent) sendAnswer(res, 500, errorAnswer(500, error instanceof Error ? error.message : String(error), url));
      else res.destroy();
    }
  }
}

function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://lab.invalid');
  } catch {
    return new URL('/', 'http://lab.invalid');
  }
}

function sendAnswer(res: ServerResponse, status: number, answer: ErrorAnswer): void {
  res.writeHead(status, { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

/** Sends `body` as JSON (or as text when it is a string) with a status. */
export function sendBody(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const isText = typeof body === 'string';
  const text = body === undefined ? '' : isText ? body : JSON.stringify(body);
  const contentType = isText ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(status, { 'content-type': contentType, ...headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads the whole request body as text; rejects bodies over `limit` bytes with 413. */
export async function readText(req: IncomingMessage, limit = 3 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One route's captured `:params`. */
export type RouteParams = Record<string, string>;

/** What a route handler receives. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: RouteParams;
}

/** A route handler (of a context type `C`, `RouteContext` by default). */
export type RouteHandler<C = RouteContext> = (ctx: C) => Promise<void> | void;

interface Route<C> {
  method: string;
  parts: string[];
  handler: RouteHandler<C>;
}

/** Outcome of matching a request against the routes. */
export type RouteMatch<C = RouteContext> = { kind: 'found'; handler: RouteHandler<C>; params: RouteParams } | { kind: 'not-found' } | { kind: 'method-not-allowed'; allow: string[] };

/** Method + path router; `:name` captures one segment. Rule: a known path with another method is 405, never 404. */
export class Router<C = RouteContext> {
  private readonly routes: Route<C>[] = [];

  /** Adds a route; returns the router for chaining. */
  add(method: string, pattern: string, handler: RouteHandler<C>): this {
    this.routes.push({ method: method.toUpperCase(), parts: splitPath(pattern), handler });
    return this;
  }

  /** Finds the route for a method and path. */
  match(method: string, pathname: string): RouteMatch<C> {
    const parts = splitPath(pathname);
    const allow: string[] = [];
    for (const route of this.routes) {
      const params = matchParts(route.parts, parts);
      if (!params) continue;
      if (route.method === method.toUpperCase()) return { kind: 'found', handler: route.handler, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

function matchParts(pattern: string[], parts: string[]): RouteParams | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: RouteParams = {};
  for (const [i, p] of pattern.entries()) {
    const actual = parts[i] ?? '';
    if (p.startsWith(':')) params[p.slice(1)] = safeDecode(actual);
    else if (p !== actual) return undefined;
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
