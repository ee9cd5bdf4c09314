/**
 * The crash drill shared by the crash tests: `gameday run` in a child process, SIGKILL once
 * the journal shows the fault `intended` (with the lab's API slowed, so the inject call is
 * in flight) or `injected`, then `gameday recover`, then the checks.
 */
import type { ExecutionContext } from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Journal } from '../../src/experiments/journal.js';
import type { LabSystem } from '../../src/lab/index.js';
import { gameday } from './cli.js';
import type { LabEnv } from './lab-env.js';
import { waitFor } from './lab-env.js';

export interface CrashDrill {
  env: LabEnv;
  experiment: string;
  killWhen: 'intended' | 'injected';
  /** The lab API the fault goes through (slowed for the `intended` case). */
  system: LabSystem;
  /** True once the fault shows on the platform (checked before recovering, `injected` case). */
  faulted(): boolean;
  /** True when the platform is back as before. */
  restored(): boolean;
}

export async function crashAndRecover(t: ExecutionContext, drill: CrashDrill): Promise<void> {
  const { env } = drill;
  const file = join(env.dir, 'crash.yaml');
  writeFileSync(file, drill.experiment);
  t.true(drill.restored(), 'the platform starts as it should end');

  if (drill.killWhen === 'intended') env.lab.world.apiFaults.set(drill.system, { latencyMs: 1500 });
  const run = gameday(['run', file, '--config', env.configFile]);
  const watcher = Journal.open(env.journal.path);
  try {
    await waitFor(() => watcher.unrestoredFaults().some((f) => f.status === drill.killWhen), 60_000, `a fault row ${drill.killWhen}: ${run.output()}`);
  } finally {
    watcher.close();
  }
  run.child.kill('SIGKILL');
  t.is(await run.exited, null);
  // a request the killed process had in flight may still land at the lab: let it, before recovering
  if (drill.killWhen === 'intended') await new Promise((r) => setTimeout(r, 2000));
  env.lab.world.apiFaults.clear();
  if (drill.killWhen === 'injected') await waitFor(() => drill.faulted(), 10_000, 'the fault on the platform');

  const recover = gameday(['recover', '--config', env.configFile]);
  t.is(await recover.exited, 0, recover.output());
  t.true(await waitFor(() => drill.restored(), 10_000, 'the platform restored').then(() => true, () => false), 'the platform is back as before');
  const runs = env.journal.listRuns();
  t.is(runs.length, 1);
  t.is(runs[0]?.outcome, 'aborted');
  t.regex(runs[0]?.reason ?? '', /closed by recovery/);
  t.deepEqual(env.journal.unrestoredFaults(), []);
  t.deepEqual(env.journal.getRun(runs[0]!.id)!.faults.map((f) => f.status), ['restored']);
}
