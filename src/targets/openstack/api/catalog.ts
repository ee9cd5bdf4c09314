/**
 * The service catalog Keystone returns with a token, and the rule for picking an endpoint:
 * the service type must match, the interface must match (public unless asked otherwise),
 * and the region too when one is asked for. A miss is a clear, non-retryable error that
 * lists what the catalog has. Base URLs are normalised per service: Nova's is used as
 * written (`/v2.1` or `/v2.1/{project_id}`; `/v2.1` is added when it has no version),
 * Neutron's gets `/v2.0` when it lacks it.
 */
import { z } from 'zod';
import { TargetError } from '../../../errors.js';
import type { ServiceType } from '../errors.js';
import type { EndpointInterface } from '../settings.js';

/** One endpoint of a catalog entry. Tolerant: only the fields read are kept. */
export const CatalogEndpoint = z.object({
  url: z.string(),
  interface: z.string(),
  region: z.string().nullable().optional(),
  region_id: z.string().nullable().optional(),
});
export type CatalogEndpoint = z.infer<typeof CatalogEndpoint>;

/** One service of the catalog. */
export const CatalogEntry = z.object({
  type: z.string(),
  name: z.string().optional(),
  endpoints: z.array(CatalogEndpoint).default([]),
});
export type CatalogEntry = z.infer<typeof CatalogEntry>;

/** What to look for: a service type, an interface (default public) and an optional region. */
export interface EndpointQuery {
  type: ServiceType | (string & {});
  interface?: EndpointInterface;
  region?: string;
}

/** The URL of the matching endpoint, without a trailing slash, as written in the catalog. Throws when none matches. */
export function findEndpoint(catalog: readonly CatalogEntry[], query: EndpointQuery): string {
  const iface = query.interface ?? 'public';
  const services = catalog.filter((s) => s.type === query.type);
  const matches = services.flatMap((s) =>
    s.endpoints.filter((e) => e.interface === iface && (query.region === undefined || e.region_id === query.region || e.region === query.region)),
  );
  const first = matches[0];
  if (first) return first.url.replace(/\/+$/, '');
  const wanted = `${query.type} endpoint (interface ${iface}${query.region !== undefined ? `, region ${query.region}` : ''})`;
  throw new TargetError(`the OpenStack catalog has no ${wanted}; it has: ${describeCatalog(catalog)}`, { retryable: false });
}

/** The base URL a service's paths are appended to: the catalog URL, normalised for that service. */
export function serviceBaseUrl(service: ServiceType, endpointUrl: string): string {
  const url = endpointUrl.replace(/\/+$/, '');
  const path = pathOf(url);
  if (service === 'compute' && !/\/v2(\.\d+)?(\/|$)/.test(path)) return `${url}/v2.1`;
  if (service === 'network' && !/\/v2\.0$/.test(path)) return `${url}/v2.0`;
  return url;
}

/** One line per catalog: `compute (public RegionOne, internal RegionOne), network (public RegionOne)`, or `nothing`. */
export function describeCatalog(catalog: readonly CatalogEntry[]): string {
  if (catalog.length === 0) return 'nothing (is the token scoped to a project?)';
  return catalog
    .map((s) => {
      const endpoints = s.endpoints.map((e) => `${e.interface}${regionOf(e) ? ` ${regionOf(e)}` : ''}`);
      return `${s.type} (${endpoints.length > 0 ? endpoints.join(', ') : 'no endpoints'})`;
    })
    .join(', ');
}

function regionOf(endpoint: CatalogEndpoint): string | undefined {
  return endpoint.region_id ?? endpoint.region ?? undefined;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return url;
  }
}
