/**
 * The real OpenStack control plane that .ci/run brings up with scripts/openstack/up.sh
 * (Debian's Zed packages on 127.0.0.1). Its state dir holds clouds.yaml; a missing one is a
 * failure that says how to bring the cloud up, never a skip.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ctx } from '../../../src/targets/types.js';
import { testCtx } from '../../helpers/ctx.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const stateDir = resolve(process.env['GAMEDAY_OPENSTACK_STATE'] ?? join(root, 'var/openstack'));
export const cloudsFile = join(stateDir, 'clouds.yaml');

/** Throws unless the control plane's clouds.yaml exists. */
export function requireCloud(): void {
  if (!existsSync(cloudsFile)) {
    throw new Error(`no ${cloudsFile}: bring the real OpenStack up first (bash scripts/openstack/up.sh ${stateDir}), as .ci/run does`);
  }
}

/** Target settings for the real cloud, with the given clouds.yaml cloud. */
export function settings(cloud = 'gameday-it'): Record<string, unknown> {
  return { openstack: { cloud, cloudsFile, timeout: '30s' } };
}

/** A fresh fault/probe context on the real cloud (its own client and token). */
export function realCtx(cloud = 'gameday-it'): Ctx {
  requireCloud();
  return testCtx(settings(cloud));
}
