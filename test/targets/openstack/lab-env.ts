/** A lab per test, with a fault/probe context pointing at its OpenStack (clouds.yaml in a temp dir). */
import type { ExecutionContext } from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab } from '../../../src/lab/index.js';
import type { Ctx } from '../../../src/targets/types.js';
import { testCtx } from '../../helpers/ctx.js';

export async function withOpenStackLab(t: ExecutionContext, speed = 50): Promise<{ lab: Lab; ctx: Ctx; settings: Record<string, unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-os-'));
  const lab = await startLab({ speed, ports: { kubernetes: 0, jupyterhub: 0, openstack: 0 } });
  t.teardown(() => lab.close());
  const cloudsFile = join(dir, 'clouds.yaml');
  writeFileSync(cloudsFile, lab.cloudsYaml());
  const settings = { openstack: { cloud: 'gameday-lab', cloudsFile, timeout: '5s' } };
  return { lab, ctx: testCtx(settings), settings };
}
