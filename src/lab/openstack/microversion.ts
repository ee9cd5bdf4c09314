/**
 * Nova's API microversions. Rules: a request names its version in `OpenStack-API-Version:
 * compute X.Y` (or the legacy `X-OpenStack-Nova-API-Version: X.Y`), `latest` meaning the
 * maximum; none means 2.1; a malformed version is a 400 and one outside 2.1..max a 406; the
 * answer echoes the version in both headers, with `Vary` naming them.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { CloudError } from './errors.js';

/** A 2.x microversion (only the minor number varies in v2.1). */
export interface Microversion {
  major: number;
  minor: number;
}

/** Oldest and newest microversion the lab's Nova speaks. */
export const NOVA_MIN_VERSION: Microversion = { major: 2, minor: 1 };
export const NOVA_MAX_VERSION: Microversion = { major: 2, minor: 90 };

/** `2.53`-style text. */
export function versionText(v: Microversion): string {
  return `${v.major}.${v.minor}`;
}

/** Whether `v` is at least `major.minor`. */
export function atLeast(v: Microversion, minor: number): boolean {
  return v.major > 2 || (v.major === 2 && v.minor >= minor);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The requested compute microversion; throws 400/406 as Nova does. */
export function requestedVersion(headers: IncomingHttpHeaders): Microversion {
  const modern = header(headers, 'openstack-api-version');
  let text: string | undefined;
  if (modern !== undefined) {
    for (const entry of modern.split(',')) {
      const [service, version] = entry.trim().split(/\s+/);
      if (service?.toLowerCase() === 'compute') text = version ?? '';
    }
  }
  text ??= header(headers, 'x-openstack-nova-api-version');
  if (text === undefined) return NOVA_MIN_VERSION;
  if (text.trim().toLowerCase() === 'latest') return NOVA_MAX_VERSION;
  const match = /^\s*(\d+)\.(\d+)\s*$/.exec(text);
  if (!match) throw new CloudError(400, `Invalid API version request string ${text}`);
  const version = { major: Number(match[1]), minor: Number(match[2]) };
  const below = version.major < 2 || (version.major === 2 && version.minor < NOVA_MIN_VERSION.minor);
  const above = version.major > 2 || version.minor > NOVA_MAX_VERSION.minor;
  if (below || above) {
    throw new CloudError(406, `Version ${text.trim()} is not supported by the API. Minimum is ${versionText(NOVA_MIN_VERSION)} and maximum is ${versionText(NOVA_MAX_VERSION)}.`);
  }
  return version;
}

/** The headers a Nova answer carries for `v`. */
export function versionHeaders(v: Microversion): Record<string, string> {
  return {
    'openstack-api-version': `compute ${versionText(v)}`,
    'x-openstack-nova-api-version': versionText(v),
    vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
  };
}
