/**
 * The JupyterHub client of one run: built once from `targets.jupyterhub`, cached in the
 * run's client cache, shared by every probe and fault of the run. Tokens are read when a
 * call first needs them (and registered for redaction then), so a missing proxy token
 * never breaks the probes that do not use the proxy.
 */
import { parseDuration } from '../../duration.js';
import { errorMessage } from '../../errors.js';
import { resolveSecret, type SecretRef } from '../../secrets.js';
import type { Ctx } from '../types.js';
import { HubApi } from './common/hub-api.js';
import { ProxyApi } from './common/proxy-api.js';
import { configError } from './errors.js';
import { apiBase, JupyterHubSettings, publicBase, routesBase } from './settings.js';

/** What probes and faults use to talk to the hub and its proxy. */
export interface JupyterHubClient {
  hub: HubApi;
  /**
   * The proxy's routes API; throws a non-retryable error naming `needs` when no
   * proxyApiUrl/proxyToken is configured.
   */
  proxy(needs: string): ProxyApi;
  /** Whether a proxy API is configured. */
  hasProxy: boolean;
  /** The hub's public URL (no trailing slash): the group every route belongs to. */
  publicUrl: string;
}

/** The run's client (the first caller builds it). */
export function jupyterhubClient(ctx: Ctx): JupyterHubClient {
  return ctx.clients.get('jupyterhub', () => jupyterhubClientFrom(readSettings(ctx)));
}

/** The parsed `targets.jupyterhub`; a missing or invalid section is a non-retryable error listing every problem. */
export function readSettings(ctx: Ctx): JupyterHubSettings {
  const raw = ctx.settings['jupyterhub'];
  if (raw === undefined) throw configError('targets.jupyterhub is not configured (url and token at least)');
  const parsed = JupyterHubSettings.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw configError(`invalid targets.jupyterhub settings: ${issues}`, parsed.error);
}

/** A client for already parsed settings (tests, benches). Nothing is sent, and no secret read, until the first call. */
export function jupyterhubClientFrom(settings: JupyterHubSettings): JupyterHubClient {
  const timeoutMs = parseDuration(settings.timeout) ?? 10_000;
  const hub = new HubApi({ publicUrl: publicBase(settings), apiUrl: apiBase(settings), token: secret('token', settings.token), timeoutMs });
  const routesUrl = routesBase(settings);
  const proxy = routesUrl !== undefined && settings.proxyToken !== undefined
    ? new ProxyApi({ routesUrl, token: secret('proxyToken', settings.proxyToken), timeoutMs })
    : undefined;
  return {
    hub,
    hasProxy: proxy !== undefined,
    publicUrl: publicBase(settings),
    proxy(needs) {
      if (proxy) return proxy;
      throw configError(`${needs} needs the proxy's API: set targets.jupyterhub.proxyApiUrl and proxyToken`);
    },
  };
}

/** A secret read once, on first use; its errors name the setting and the reference, never a value. */
function secret(setting: string, ref: SecretRef): () => string {
  let value: string | undefined;
  return () => {
    if (value !== undefined) return value;
    try {
      value = resolveSecret(ref);
    } catch (err) {
      throw configError(`targets.jupyterhub.${setting}: ${errorMessage(err)}`, err);
    }
    return value;
  };
}
