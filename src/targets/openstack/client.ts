/**
 * The OpenStack client of one run: built once from `targets.openstack` and the cloud it
 * names (clouds.yaml or OS_* variables), cached in the run's client cache, shared by every
 * fault and probe of the run so they share one token.
 */
import { TargetError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Ctx } from '../types.js';
import { KeystoneAuth } from './api/auth.js';
import { findEndpoint, serviceBaseUrl, type CatalogEntry } from './api/catalog.js';
import { anyCloudDefined, resolveCloud, type ResolvedCloud } from './api/clouds.js';
import type { ServiceType } from './errors.js';
import { createRequester, createTransport, type OpenStackRequest, type RetryPolicy } from './api/http.js';
import { createNeutron, type Neutron } from './api/neutron.js';
import { createNova, type Nova } from './api/nova.js';
import { DEFAULT_COMPUTE_MICROVERSION, OpenStackSettings, type EndpointInterface } from './settings.js';
import { parseDuration } from '../../duration.js';

/** The catalog of the current token, and each service's base URL in it (for this client's interface and region). */
export interface ServiceCatalog {
  entries(): Promise<CatalogEntry[]>;
  /** The base URL paths are appended to (`…/v2.1/{project}` for compute, `…/v2.0` for network). */
  baseUrl(service: ServiceType): Promise<string>;
}

/** What a fault or probe uses to act on the cloud. */
export interface OpenStackClient {
  /** The cloud's name and where it was found (never its credentials). */
  cloud: { name: string; source: string; authUrl: string; regionName: string | undefined; interface: EndpointInterface };
  nova: Nova;
  neutron: Neutron;
  auth: KeystoneAuth;
  catalog: ServiceCatalog;
  /** Any other authenticated call (same retries, errors and re-authentication). */
  request: OpenStackRequest;
}

/** How the client talks to the cloud; absent fields fall back to the cloud's own values, then to defaults. */
export interface OpenStackClientOptions {
  regionName?: string | undefined;
  interface?: EndpointInterface | undefined;
  computeMicroversion?: string | undefined;
  /** Deadline of one HTTP request; default 30 s. */
  timeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  log?: Logger | undefined;
  /** Refresh a token at most this long before it expires; default 60 s. */
  refreshMarginMs?: number | undefined;
  /** Clock of the token cache, for tests. */
  now?: (() => number) | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The run's client for `cloud` (default: the settings' cloud); the first caller builds it
 * (reading clouds.yaml or the environment), later callers share it and its token.
 */
export function openstackClient(ctx: Ctx, cloudName?: string): OpenStackClient {
  return ctx.clients.get(`openstack:${cloudName ?? ''}`, () => {
    const settings = readSettings(ctx);
    const name = cloudName ?? settings.cloud;
    const cloud = resolveCloud({
      ...(name !== undefined && { cloud: name }),
      ...(settings.cloudsFile !== undefined && { cloudsFile: settings.cloudsFile }),
    });
    return openstackClientFrom(cloud, {
      regionName: settings.regionName,
      interface: settings.interface,
      computeMicroversion: settings.computeMicroversion,
      timeoutMs: parseDuration(settings.timeout),
      log: ctx.log,
    });
  });
}

/**
 * Whether gameday can reach any cloud from this config: a `targets.openstack` section, or a
 * cloud the usual places define (OS_* variables, a clouds.yaml). Leftover scans skip an
 * OpenStack that cannot be reached at all, instead of failing on every start.
 */
export function openstackReachable(ctx: Ctx): boolean {
  return ctx.settings['openstack'] !== undefined || anyCloudDefined();
}

function readSettings(ctx: Ctx): OpenStackSettings {
  const parsed = OpenStackSettings.safeParse(ctx.settings['openstack'] ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new TargetError(`invalid targets.openstack settings: ${issues}`, { retryable: false, cause: parsed.error });
}

/** A client for an already resolved cloud (tests, benches, the CLI). Nothing is sent until the first call. */
export function openstackClientFrom(cloud: ResolvedCloud, options: OpenStackClientOptions = {}): OpenStackClient {
  const iface = options.interface ?? cloud.interface ?? 'public';
  const regionName = options.regionName ?? cloud.regionName;
  const transport = createTransport({
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.retry !== undefined && { retry: options.retry }),
    log: options.log,
  });
  const auth = new KeystoneAuth(cloud, {
    transport,
    log: options.log,
    ...(options.now !== undefined && { now: options.now }),
    ...(options.refreshMarginMs !== undefined && { refreshMarginMs: options.refreshMarginMs }),
  });
  const request = createRequester({
    transport,
    auth,
    interface: iface,
    regionName,
    computeMicroversion: options.computeMicroversion ?? DEFAULT_COMPUTE_MICROVERSION,
    log: options.log,
  });
  const catalog: ServiceCatalog = {
    entries: async () => (await auth.session()).catalog,
    async baseUrl(service) {
      const session = await auth.session();
      const url = findEndpoint(session.catalog, { type: service, interface: iface, ...(regionName !== undefined && { region: regionName }) });
      return serviceBaseUrl(service, url);
    },
  };
  return {
    cloud: { name: cloud.name, source: cloud.source, authUrl: cloud.authUrl, regionName, interface: iface },
    nova: createNova(request),
    neutron: createNeutron(request),
    auth,
    catalog,
    request,
  };
}
