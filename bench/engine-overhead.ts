/**
 * The engine's own cost, with target work taken out: 200 probes of an in-process type that
 * answers at once, checked in rounds as the hold does (concurrent checks, deadlines,
 * metrics, one journal commit per round); and faults intended (plan + committed row) by a
 * run over 100 in-process targets. Target: <= 0.05 ms per probe check. Prints figures.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import winston from 'winston';
import { Journal } from '../src/experiments/journal.js';
import { checkPhase, ProbeMemory } from '../src/experiments/probes.js';
import { makeCtx } from '../src/experiments/ctx.js';
import { runExperiment } from '../src/experiments/runner.js';
import type { LoadedExperiment, LoadedProbe } from '../src/experiments/model.js';
import { defineFault, defineProbe } from '../src/targets/types.js';
import { machine, printStats } from './stats.js';

const PROBES = 200;
const ROUNDS = Number(process.env['ROUNDS'] ?? 100);
const log = winston.createLogger({ silent: true });
const journal = Journal.open(join(mkdtempSync(join(tmpdir(), 'gameday-bench-')), 'bench.db'));
const instant = defineProbe({ type: 'bench.instant', description: 'answers at once', params: z.object({}).strict(), check: async () => ({ ok: true, value: 1, detail: 'ok' }) });
const probes: LoadedProbe[] = Array.from({ length: PROBES }, (_, i) => ({ name: `p${i}`, type: 'bench.instant', probe: instant, phases: ['during'], timeoutMs: 5000, onError: 'fail', breachAfter: 1, params: {} }));

const run = journal.createRun({ id: 'bench-run', experiment: 'bench', file: 'bench', dryRun: false, spec: {} });
const ctx = makeCtx(run.id, log, new AbortController().signal, {});
const memory = new ProbeMemory();
for (let i = 0; i < 5; i++) await checkPhase(ctx, probes, 'during', journal, memory); // warm-up
const perCheck: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const t0 = performance.now();
  await checkPhase(ctx, probes, 'during', journal, memory);
  perCheck.push((performance.now() - t0) / PROBES);
}
console.log(`engine-overhead: ${PROBES} instant probes × ${ROUNDS} rounds; ${machine()}`);
printStats('engine time per probe check', perCheck, 'ms', 4);

const TARGETS = 100;
const items = new Set<string>();
const fault = defineFault({
  type: 'bench.item.touch', description: 'in-memory', target: z.object({}).strict(), params: z.object({}).strict(),
  select: async () => Array.from({ length: TARGETS }, (_, i) => ({ kind: 'bench', id: `t${i}`, name: `t${i}`, ready: true, attributes: {} })),
  plan: async (_c, ref) => ({ type: 'bench.item.touch', target: ref, data: { name: ref.name } }),
  inject: async (_c, ref) => void items.add(ref.name),
  restore: async (_c, plan) => void items.delete(plan.target.name),
  describe: (ref) => `touch ${ref.name}`,
});
const intents: number[] = [];
for (let i = 0; i < 10; i++) {
  const exp: LoadedExperiment = {
    file: 'bench', name: 'bench-intents', tags: [], source: {},
    fault: { type: 'bench.item.touch', fault, selector: {}, count: TARGETS, durationMs: 0, params: {} },
    steadyState: { intervalMs: 1000, probes: [] }, recovery: { withinMs: 1000 }, safety: {},
  };
  const result = await runExperiment({ experiment: exp, journal, settings: { safety: { oneRunAtATime: true }, restore: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1 }, targets: {} }, log });
  const step = journal.getRun(result.runId)!.steps.find((s) => s.step === 'inject')!;
  intents.push(step.durationMs / TARGETS);
}
printStats(`engine time per fault intended+injected (${TARGETS}/run)`, intents, 'ms', 3);
journal.close();
