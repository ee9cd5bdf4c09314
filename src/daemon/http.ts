/**
 * The HTTP plumbing of the daemon's API on node:http: a route table (method, path pattern,
 * the role it needs), bearer authentication before anything else is read, a body size limit
 * enforced while reading, and every error as `{ "error": { "code", "message" } }`. Order of
 * answers: unknown path 404, wrong method 405, no or unknown token 401 (with
 * `WWW-Authenticate: Bearer`), role too low 403, body too large 413, bad JSON or schema 400.
 * Nothing here logs a header or a body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { Role } from './config.js';
import type { Caller, TokenTable } from './tokens.js';

/** Who may call a route: anyone, or a caller with at least this role. */
export type Access = 'public' | Role;

/** An answer: status, JSON body, extra headers; `text` sends a plain-text body instead (metrics). */
export interface Reply {
  status: number;
  body?: unknown;
  text?: { contentType: string; data: string };
  headers?: Record<string, string>;
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  caller: Caller | undefined;
  /** Reads and parses the JSON body with `schema` (empty body = `{}`); throws HttpError 400/413. */
  body<T>(schema: z.ZodType<T>): Promise<T>;
}

export interface Route {
  method: 'GET' | 'POST';
  /** Path with `:name` segments. */
  path: string;
  access: Access;
  handle(ctx: RouteContext): Promise<Reply> | Reply;
}

/** An error answered as JSON with this status and code. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** A JSON error reply. */
export function errorReply(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return { status, body: { error: { code, message } }, ...(headers && { headers }) };
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (!g) return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2 };

/** Whether a caller may use a route of this access. */
function allowed(access: Access, caller: Caller | undefined): boolean {
  return access === 'public' || (caller !== undefined && RANK[caller.role] >= RANK[access]);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = new HttpError(413, 'body-too-large', `request body larger than ${limit} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // past the limit the rest is read and dropped (never kept), so the 413 can still be sent
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(tooLarge);
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}

/** A request handler serving `routes`. */
export function router(routes: readonly Route[], options: { tokens: TokenTable; bodyLimit: number; log: Logger }): (req: IncomingMessage, res: ServerResponse) => void {
  const dispatch = async (req: IncomingMessage): Promise<Reply> => {
    const url = new URL(req.url ?? '/', 'http://daemon');
    const found = routes.map((r) => ({ r, params: matchPath(r.path, url.pathname) })).filter((m) => m.params !== undefined);
    if (!found.length) return errorReply(404, 'not-found', `no such endpoint: ${url.pathname}`);
    const hit = found.find((m) => m.r.method === req.method);
    if (!hit) {
      const methods = [...new Set(found.map((m) => m.r.method))].join(', ');
      return errorReply(405, 'method-not-allowed', `${req.method ?? '?'} is not allowed on ${url.pathname}; use ${methods}`, { Allow: methods });
    }
    const { r: route, params } = hit as { r: Route; params: Record<string, string> };
    const caller = options.tokens.authenticate(req.headers.authorization);
    if (route.access !== 'public' && !caller) {
      const message = options.tokens.size ? 'a valid bearer token is required' : 'no API tokens are configured (daemon.tokens or daemon.tokensFile); the API is closed';
      return errorReply(401, 'unauthorized', message, { 'WWW-Authenticate': 'Bearer realm="gameday"' });
    }
    if (!allowed(route.access, caller)) return errorReply(403, 'forbidden', `this needs the ${route.access} role; token ${caller?.name ?? '?'} is ${caller?.role ?? 'none'}`);
    return route.handle({
      params, query: url.searchParams, caller,
      async body<T>(schema: z.ZodType<T>): Promise<T> {
        const text = await readBody(req, options.bodyLimit);
        let data: unknown = {};
        if (text.trim() !== '') {
          try {
            data = JSON.parse(text);
          } catch (err) {
            throw new HttpError(400, 'invalid-json', `request body is not valid JSON: ${(err as Error).message}`);
          }
        }
        const parsed = schema.safeParse(data);
        if (!parsed.success) throw new HttpError(400, 'invalid-body', zodMessage(parsed.error));
        return parsed.data;
      },
    });
  };
  return (req, res) => {
    dispatch(req)
      .catch((err: unknown) => {
        if (err instanceof HttpError) return errorReply(err.status, err.code, err.message);
        options.log.error('API request failed', { method: req.method, path: req.url?.split('?')[0], error: err });
        return errorReply(500, 'internal', 'internal error; see the daemon log');
      })
      .then((reply) => send(req, res, reply))
      .catch((err: unknown) => options.log.warn('could not answer an API request', { error: err }));
  };
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const data = reply.text ? reply.text.data : JSON.stringify(reply.body ?? {}) + '\n';
  const headers: Record<string, string | number> = {
    'Content-Type': reply.text ? reply.text.contentType : 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(data),
    'Cache-Control': 'no-store',
    ...reply.headers,
  };
  // a body left unread (refused early, or too large) is not drained: the connection is closed
  if (!req.complete) headers.Connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(data);
}
