/**
 * Test support: a fresh lab per test and a Ctx whose kubernetes settings point at it
 * through a kubeconfig file, the way a user's config would.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab } from '../../../src/lab/index.js';
import type { Ctx } from '../../../src/targets/types.js';
import { testCtx } from '../../helpers/ctx.js';

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
}

/** Starts a lab (closed at teardown) and returns it with a Ctx that reaches it. */
export async function withLab(t: Teardown, speed = 50): Promise<{ lab: Lab; ctx: Ctx; kubeconfig: string }> {
  const lab = await startLab({ ports: { kubernetes: 0, jupyterhub: 0 }, speed });
  const dir = await mkdtemp(join(tmpdir(), 'gameday-kube-lab-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, lab.kubeconfig(), { mode: 0o600 });
  t.teardown(async () => {
    await lab.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { lab, ctx: testCtx({ kubernetes: { kubeconfig } }), kubeconfig };
}

/** Polls `check` every 20 ms until it returns true; false when `ms` pass first. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}
