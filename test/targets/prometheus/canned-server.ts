/**
 * A real HTTP server on 127.0.0.1 answering with canned bodies in the shapes Prometheus'
 * HTTP API documents (success envelopes, error envelopes, a proxy's HTML page). For unit
 * tests of the client's handling of answers; the wire itself is tested against the lab and a
 * real Prometheus.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void;

export interface CannedServer {
  url: string;
  seen: SeenRequest[];
  /** Sets the handler of a path (without the base prefix). */
  on(path: string, handler: Handler): void;
}

/** JSON `body` with `status`. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A success envelope around `data`. */
export function success(data: unknown, extra: Record<string, unknown> = {}): Handler {
  return (_req, res) => json(res, 200, { status: 'success', data, ...extra });
}

/** An instant vector of `[labels, value]` pairs evaluated at `at`. */
export function vector(at: number, series: [Record<string, string>, string][]): Handler {
  return success({ resultType: 'vector', result: series.map(([metric, v]) => ({ metric, value: [at, v] })) });
}

/** Starts the server under `prefix` (e.g. `/prometheus`); it closes at the test's teardown. */
export async function cannedServer(t: { teardown(fn: () => void): void }, prefix = ''): Promise<CannedServer> {
  const handlers = new Map<string, Handler>();
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const request = { method: req.method ?? '', path, params: url.searchParams, headers: req.headers };
    seen.push(request);
    const handler = handlers.get(path);
    if (!handler) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
    handler(request, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`,
    seen,
    on: (path, handler) => void handlers.set(path, handler),
  };
}
