import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { Journal } from '../../src/experiments/journal.js';
import type { LoadedProbe, Phase } from '../../src/experiments/model.js';
import { ProbeMemory } from '../../src/experiments/probes.js';
import { runExperiment, type EngineSettings } from '../../src/experiments/runner.js';
import { defineProbe, type ProbeRun } from '../../src/targets/types.js';
import { memoryLogger } from '../helpers/ctx.js';
import { experiment, fakeWorld } from '../helpers/fake-target.js';

const settings: EngineSettings = {
  safety: { oneRunAtATime: true },
  restore: { attempts: 5, initialDelayMs: 5, maxDelayMs: 20 },
  targets: {},
};
const quiet = { log: memoryLogger().log };

function journal(): Journal {
  return Journal.open(join(mkdtempSync(join(tmpdir(), 'gameday-memory-')), 'gameday.db'));
}

/** A probe that answers from a script (one answer per check, the last one sticks) and records what the engine told it. */
function scripted(answers: ('ok' | 'breach' | 'error')[], seen: ProbeRun[], value = 42): LoadedProbe {
  let i = 0;
  const probe = defineProbe({
    type: 'fake.scripted.check',
    description: 'answers from a script',
    params: z.object({}).strict(),
    async check(_ctx, _p, _signal, run) {
      if (run) seen.push(run);
      const answer = answers[Math.min(i++, answers.length - 1)] ?? 'ok';
      if (answer === 'error') throw new Error('unreachable');
      return { ok: answer === 'ok', value: value + i, detail: answer };
    },
  });
  return { name: 'scripted', type: probe.type, probe, phases: ['before', 'during', 'after'], timeoutMs: 1000, onError: 'fail', breachAfter: 1, params: {} };
}

test('during the fault, fewer failing checks in a row than breachAfter do not break the hypothesis', async (t) => {
  const seen: ProbeRun[] = [];
  // before ok, then during: breach, error, ok, breach, breach, ok… — never 3 failures in a row
  const probe = { ...scripted(['ok', 'breach', 'error', 'ok', 'breach', 'breach', 'ok'], seen), breachAfter: 3 };
  const result = await runExperiment({ experiment: experiment(fakeWorld(['a']), { durationMs: 600, intervalMs: 50, probes: [probe] }), journal: journal(), settings, ...quiet });
  t.is(result.outcome, 'passed');
});

test('the breachAfter-th failing check in a row aborts the run and restores', async (t) => {
  const seen: ProbeRun[] = [];
  const world = fakeWorld(['a']);
  const probe = { ...scripted(['ok', 'breach', 'breach', 'breach'], seen), breachAfter: 3 };
  const j = journal();
  const result = await runExperiment({ experiment: experiment(world, { durationMs: 20_000, intervalMs: 50, probes: [probe] }), journal: j, settings, ...quiet });
  t.is(result.outcome, 'aborted');
  t.false(world.items.get('a')?.broken);
  const during = j.getRun(result.runId)!.probes.filter((p) => p.phase === 'during').map((p) => p.status);
  t.deepEqual(during, ['breach', 'breach', 'breach'], 'each failing check is recorded; only the third counted');
});

test('the engine tells each check its phase and, after the before phase, the baseline value', async (t) => {
  const seen: ProbeRun[] = [];
  const probe = scripted(['ok'], seen, 100);
  const result = await runExperiment({ experiment: experiment(fakeWorld(['a']), { durationMs: 200, intervalMs: 50, probes: [probe] }), journal: journal(), settings, ...quiet });
  t.is(result.outcome, 'passed');
  const phases = new Set<Phase>(seen.map((r) => r.phase));
  t.deepEqual([...phases], ['before', 'during', 'after']);
  t.is(seen[0]?.baseline, undefined, 'no baseline in the before phase itself');
  for (const run of seen.slice(1)) t.is(run.baseline, 101, `${run.phase} check sees the before value`);
});

test('a before check that fails or has no number leaves no baseline', (t) => {
  const probe = scripted(['ok'], []);
  const memory = new ProbeMemory();
  memory.remember(probe, 'before', 'breach', 5);
  t.is(memory.baseline('scripted'), undefined);
  memory.remember(probe, 'before', 'ok', 'text');
  t.is(memory.baseline('scripted'), undefined);
  memory.remember(probe, 'before', 'ok', 7);
  t.is(memory.baseline('scripted'), 7);
});

test('before and after the fault every failing check counts, whatever breachAfter says', (t) => {
  const probe = { ...scripted(['ok'], []), breachAfter: 5 };
  const memory = new ProbeMemory();
  t.true(memory.remember(probe, 'before', 'breach', null));
  t.true(memory.remember(probe, 'after', 'error', null));
  t.false(memory.remember({ ...probe, onError: 'ignore' }, 'after', 'error', null), 'an ignored error never counts');
});
