/**
 * Lists that span pages (Nova `servers_links`, Neutron `ports_links`…): every page is read
 * by following the `next` link's marker from our own catalog URL (never the link's host,
 * which a misconfigured proxy may get wrong). A marker seen twice, or a next link without a
 * marker, is an error rather than an endless loop.
 */
import { z } from 'zod';
import { openstackShapeError, type ServiceType } from '../errors.js';
import type { OpenStackRequest } from './http.js';
import { Link } from '../types.js';

/** What to list: the collection key (`servers`) names the items and, with `_links`, the pages. */
export interface ListRequest<T> {
  service: ServiceType;
  path: string;
  key: string;
  item: z.ZodType<T>;
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  action: string;
  signal?: AbortSignal | undefined;
}

const MAX_PAGES = 10_000;

/** Every item of every page, in the order the API returns them. */
export async function listAllPages<T>(request: OpenStackRequest, list: ListRequest<T>): Promise<T[]> {
  const page = z.object({ [list.key]: z.array(list.item), [`${list.key}_links`]: z.array(Link).optional() });
  const items: T[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const answer = await request({
      service: list.service,
      method: 'GET',
      path: list.path,
      query: { ...list.query, ...(marker !== undefined && { marker }) },
      action: list.action,
      signal: list.signal,
    });
    const parsed = page.safeParse(answer.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw openstackShapeError(list.service, list.action, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'bad body'}`, answer.requestId);
    }
    items.push(...(parsed.data[list.key] as T[]));
    const links = (parsed.data[`${list.key}_links`] ?? []) as Link[];
    const next = links.find((l) => l.rel === 'next');
    if (!next) return items;
    marker = markerOf(next.href);
    if (marker === undefined) throw openstackShapeError(list.service, list.action, 'a next link without a marker', answer.requestId);
    if (seen.has(marker)) throw openstackShapeError(list.service, list.action, `the next link repeats marker ${marker}`, answer.requestId);
    seen.add(marker);
  }
  throw openstackShapeError(list.service, list.action, `more than ${MAX_PAGES} pages`);
}

function markerOf(href: string): string | undefined {
  try {
    return new URL(href, 'http://relative.invalid').searchParams.get('marker') ?? undefined;
  } catch {
    return undefined;
  }
}
