/**
 * JupyterHub 3's API pagination: `offset`/`limit` arguments, and the paginated form a client
 * gets when it accepts `application/jupyterhub-pagination+json`. Rules: limits default to 50
 * (200 for clients that do not accept pagination), are capped at 200 and raised to 1;
 * negative numbers count as their absolute value; anything that is not an integer is a 400.
 */
import type { IncomingMessage } from 'node:http';
import { HubError } from './hub-http.js';

/** The media type that opts into the paginated form. */
export const PAGINATION_MEDIA_TYPE = 'application/jupyterhub-pagination+json';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** Whether the client's Accept header lists the pagination media type. */
export function acceptsPagination(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => part.trim().toLowerCase() === PAGINATION_MEDIA_TYPE);
}

/** tornado's `get_argument`: the last value given, stripped. */
export function argument(url: URL, name: string): string | undefined {
  const values = url.searchParams.getAll(name);
  return values.length === 0 ? undefined : (values.at(-1) ?? '').trim();
}

function pyInt(text: string): number | undefined {
  return /^[+-]?\d+(_\d+)*$/.test(text) ? Number(text.replace(/_/g, '')) : undefined;
}

/** `get_api_pagination`: the offset and limit of a request. */
export function pagination(req: IncomingMessage, url: URL): { offset: number; limit: number } {
  const offsetText = argument(url, 'offset');
  const limitText = argument(url, 'limit');
  const offset = offsetText === undefined ? 0 : pyInt(offsetText);
  const limit = limitText === undefined ? (acceptsPagination(req) ? DEFAULT_LIMIT : MAX_LIMIT) : pyInt(limitText);
  if (offset === undefined || limit === undefined) throw new HubError(400, 'Invalid argument type, offset and limit must be integers');
  return { offset: Math.abs(offset), limit: Math.min(MAX_LIMIT, Math.max(1, Math.abs(limit))) };
}

/** `paginated_model`: the items with where they sit in the whole, and the next page's URL. */
export function paginated(req: IncomingMessage, url: URL, items: unknown, offset: number, limit: number, total: number): Record<string, unknown> {
  const nextOffset = offset + limit;
  let next: Record<string, unknown> | null = null;
  if (nextOffset < total) {
    const query = new URLSearchParams(url.search);
    query.set('offset', String(nextOffset));
    query.set('limit', String(limit));
    next = { offset: nextOffset, limit, url: `http://${req.headers.host ?? 'localhost'}${url.pathname}?${query.toString()}` };
  }
  return { items, _pagination: { offset, limit, total, next } };
}
