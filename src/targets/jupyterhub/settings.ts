/**
 * `targets.jupyterhub` in the config: the hub's public URL (through its proxy), its REST
 * API, and configurable-http-proxy's routes API. Tokens are secret references (`{ env }` or
 * `{ file }`), never values. The proxy API is optional: only the routes probe and the routes
 * fault need it, and they refuse to run without it. Parsing is idempotent (the config parses
 * once, the client again), so durations stay strings here.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';
import { SecretRef } from '../../secrets.js';

/** Deadline of one HTTP request unless the settings say otherwise. */
export const DEFAULT_TIMEOUT = '10s';

const HttpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
  .refine((text) => {
    if (!URL.canParse(text)) return true; // reported by the URL check already
    const u = new URL(text);
    return u.username === '' && u.password === '' && u.search === '' && u.hash === '';
  }, 'expected a URL without credentials, query or fragment (tokens go in token / proxyToken)');

const SettingDuration = z
  .string({ error: (issue) => durationMessage(issue.input) })
  .regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) })
  .refine((text) => (parseDuration(text) ?? 0) > 0, 'expected a duration above zero');

/** The hub and its proxy. Strict: an unknown key is a typo, never ignored. */
export const JupyterHubSettings = z
  .object({
    /** The public URL users open, through the proxy; may carry the hub's base path (`https://example.org/jhub`). */
    url: HttpUrl,
    /** The hub's REST API; default `${url}/hub/api`. */
    apiUrl: HttpUrl.optional(),
    /** A token with the scopes the probes use (see the README): `{ env: JUPYTERHUB_API_TOKEN }` or `{ file: … }`. */
    token: SecretRef,
    /** configurable-http-proxy's API (`http://proxy-api:8001`); the routes probe and fault need it. */
    proxyApiUrl: HttpUrl.optional(),
    /** The proxy's CONFIGPROXY_AUTH_TOKEN, as a secret reference. */
    proxyToken: SecretRef.optional(),
    /** Deadline of one HTTP request (server start and stop get at least 30 s: the hub holds them up to its slow timeouts). */
    timeout: SettingDuration.default(DEFAULT_TIMEOUT),
  })
  .strict()
  .superRefine((s, issues) => {
    if ((s.proxyApiUrl === undefined) !== (s.proxyToken === undefined)) {
      const missing = s.proxyApiUrl === undefined ? 'proxyApiUrl' : 'proxyToken';
      issues.addIssue({ code: 'custom', message: 'give both proxyApiUrl and proxyToken, or neither', path: [missing] });
    }
  });
export type JupyterHubSettings = z.infer<typeof JupyterHubSettings>;

/** `url` without a trailing slash. */
export function publicBase(settings: JupyterHubSettings): string {
  return settings.url.replace(/\/+$/, '');
}

/** The REST API's base URL, without a trailing slash. */
export function apiBase(settings: JupyterHubSettings): string {
  return (settings.apiUrl ?? `${publicBase(settings)}/hub/api`).replace(/\/+$/, '');
}

/** The proxy's routes API (`…/api/routes`), or undefined when no proxy API is configured. */
export function routesBase(settings: JupyterHubSettings): string | undefined {
  if (settings.proxyApiUrl === undefined) return undefined;
  const base = settings.proxyApiUrl.replace(/\/+$/, '');
  return base.endsWith('/api/routes') ? base : `${base}/api/routes`;
}
