/**
 * How fast a breach stops a fault: a real lab fault (a user pod deleted through the lab's
 * Kubernetes API, restored by recreating it), a 'during' probe that flips to failing at a
 * known instant, interval 1 s, the lab at real speed. Measures the time from the flip to
 * the call of the fault's restore. Target: <= interval + 50 ms. >= 50 trials by default.
 * Prints figures; asserts nothing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import winston from 'winston';
import { startLab } from '../src/lab/index.js';
import { Journal } from '../src/experiments/journal.js';
import { runExperiment } from '../src/experiments/runner.js';
import type { LoadedExperiment } from '../src/experiments/model.js';
import { faultTypes } from '../src/targets/registry.js';
import { defineFault, defineProbe } from '../src/targets/types.js';
import { machine, printStats } from './stats.js';

const TRIALS = Number(process.env['TRIALS'] ?? 50);
const INTERVAL = 1000;
const dir = mkdtempSync(join(tmpdir(), 'gameday-abort-'));
const lab = await startLab({ speed: 1, ports: { kubernetes: 0, jupyterhub: 0 } });
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(kubeconfig, lab.kubeconfig());
const journal = Journal.open(join(dir, 'bench.db'));
const log = winston.createLogger({ silent: true });

const podDelete = faultTypes.get('kubernetes.pod.delete')!;
let restoreCalledAt = 0;
const timedFault = defineFault({ ...podDelete, restore: (ctx, plan) => ((restoreCalledAt ||= performance.now()), podDelete.restore(ctx, plan)) });
let flipAt = Infinity;
const flipping = defineProbe({
  type: 'bench.flip', description: 'fails from a known instant on', params: z.object({}).strict(),
  check: async () => (performance.now() >= flipAt ? { ok: false, value: 0, detail: 'flipped' } : { ok: true, value: 1, detail: 'fine' }),
});

const userReady = (): boolean =>
  lab.world.pods('jhub').some((p) => p.metadata?.name === 'jupyter-user-001' && !p.metadata.deletionTimestamp &&
    (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
async function waitUserReady(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!userReady()) {
    if (Date.now() > deadline) throw new Error('jupyter-user-001 did not come back Ready');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const latencies: number[] = [];
for (let i = 0; i < TRIALS; i++) {
  await waitUserReady();
  restoreCalledAt = 0;
  flipAt = Infinity;
  const exp: LoadedExperiment = {
    file: 'bench', name: 'abort-latency', tags: [], source: {}, safety: {},
    fault: { type: 'kubernetes.pod.delete', fault: timedFault, selector: { namespace: 'jhub', labelSelector: 'hub.jupyter.org/username=user-001' }, count: 1, durationMs: 60_000, params: { gracePeriod: '0s' } },
    steadyState: { intervalMs: INTERVAL, probes: [{ name: 'flip', type: 'bench.flip', probe: flipping, phases: ['during'], timeoutMs: 1000, onError: 'fail', breachAfter: 1, params: {} }] },
    recovery: { withinMs: 5000 },
  };
  const run = runExperiment({
    experiment: exp, journal, log,
    settings: { safety: { oneRunAtATime: true }, restore: { attempts: 5, initialDelayMs: 100, maxDelayMs: 1000 }, targets: { kubernetes: { kubeconfig } } },
    listener: (e) => {
      // flip at a random instant 0.2–1.7 s into the hold, so it lands anywhere in an interval
      if (e.kind === 'state' && e.state === 'holding') flipAt = performance.now() + 200 + Math.random() * 1500;
    },
  });
  const result = await run;
  if (result.outcome !== 'aborted' || !restoreCalledAt) throw new Error(`trial ${i}: ${result.outcome} ${result.reason ?? ''}`);
  latencies.push(restoreCalledAt - flipAt);
}
console.log(`abort-latency: ${TRIALS} trials, interval ${INTERVAL} ms, lab at real speed; ${machine()}`);
printStats('flip → restore call', latencies, 'ms', 1);
journal.close();
await lab.close();
