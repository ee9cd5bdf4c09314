/**
 * How the lab's hub answers on the wire: tornado's headers plus `X-JupyterHub-Version`,
 * JSON written as Python writes it, `{"status","message"}` API errors, HTML error pages, and
 * the proxy's own plain answers when the hub cannot. Rule: a hub answer always carries the
 * version header; an API error is JSON, a page error is HTML, never the other way round.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { pyJson } from './python-format.js';

/** The JupyterHub version the lab's hub claims. */
export const LAB_HUB_VERSION = '3.1.1';

/** Thrown (and caught by the hub's dispatcher) when an answer is an error. */
export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    readonly status: number,
    /** The message; tornado's reason phrase when absent. */
    readonly detail?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? reasonOf(status));
  }
}

/** Thrown by a hub handler whose process ended while it answered. */
export class HubGone extends Error {
  override readonly name = 'HubGone';
  constructor() {
    super('the hub process ended');
  }
}

/** The HTTP reason phrase of a status. */
export function reasonOf(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown Error';
}

/** Headers every hub answer carries. */
function hubHeaders(contentType: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(contentType ? { 'content-type': contentType } : {}), 'x-jupyterhub-version': LAB_HUB_VERSION, ...extra };
}

/** A JSON answer, serialized as Python's json.dumps does. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendHub(res, status, pyJson(body), 'application/json', headers);
}

/** A hub answer with a body (or none). */
export function sendHub(res: ServerResponse, status: number, body: string, contentType: string | undefined, headers: Record<string, string> = {}): void {
  const all = hubHeaders(status === 204 ? undefined : contentType, headers);
  res.writeHead(status, { ...all, 'content-length': Buffer.byteLength(body) });
  res.end(status === 204 ? undefined : body);
}

/** An API error as JupyterHub's APIHandler writes it. */
export function sendApiError(res: ServerResponse, error: HubError): void {
  sendJson(res, error.status, { status: error.status, message: error.detail ?? reasonOf(error.status) }, error.headers);
}

/** A page (HTML) error. */
export function sendPageError(res: ServerResponse, error: HubError): void {
  sendHub(res, error.status, hubPage(error.status, error.detail === undefined ? '' : escapeHtml(error.detail)), 'text/html', error.headers);
}

/** A redirect as tornado sends it: an empty text/html body and a Location. */
export function sendRedirect(res: ServerResponse, location: string, status = 302): void {
  sendHub(res, status, '', 'text/html', { location });
}

/** The hub's HTML page for a status, with an optional HTML message. */
export function hubPage(status: number, messageHtml: string, extraHtml = ''): string {
  const message = messageHtml ? `\n  <p>\n    ${messageHtml}\n  </p>` : '';
  return [
    '<!DOCTYPE HTML>',
    '<html>',
    '<head>',
    '    <meta charset="utf-8">',
    '    <title>JupyterHub</title>',
    '</head>',
    '<body>',
    '<div class="error">',
    `  <h1>\n    ${status} : ${reasonOf(status)}\n  </h1>${message}${extraHtml}`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** What the proxy answers itself when its error target (the hub) cannot render a page: the bare reason phrase. */
export function sendProxyPlain(res: ServerResponse, status: number): void {
  const body = reasonOf(status);
  res.writeHead(status, { 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** HTML escaping for text put into a page. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The token of `Authorization: token X` / `Bearer X` (the whole header, as the hub matches it). */
export function headerToken(req: IncomingMessage): string | undefined {
  const match = /^(?:token|bearer)\s+([^\s]+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** Python's `url_escape_path` / `quote(…, safe='@~')` for one path segment. */
export function escapePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%40/g, '@').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The URL-encoded form of a `next=` value (Python's urlencode). */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
