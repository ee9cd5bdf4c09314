/**
 * An in-process target for engine tests: a set of named "items" that a fault can break and
 * restore, and a probe whose answer the test controls. It records every call with a time.
 */
import { z } from 'zod';
import { defineFault, defineProbe, type AnyFaultType, type AnyProbeType, type ProbeResult } from '../../src/targets/types.js';
import type { LoadedExperiment, LoadedProbe, Phase } from '../../src/experiments/model.js';

export interface FakeWorld {
  items: Map<string, { broken: boolean; marker?: string }>;
  calls: { op: string; item: string; at: number }[];
  /** Restore throws this many times before it works. */
  restoreFailures: number;
  /** Inject throws after changing the item. */
  injectThrows: boolean;
  /** Called inside inject, before the change (tests read the journal here). */
  beforeInject?: (item: string) => void;
  /** Probe answers, by probe name: ok, breach or error. */
  answers: Map<string, 'ok' | 'breach' | 'error'>;
  /** Per-name answer sequence for 'after' checks (consumed one per check, last one sticks). */
}

export function fakeWorld(names = ['a', 'b', 'c']): FakeWorld {
  return {
    items: new Map(names.map((n) => [n, { broken: false }])),
    calls: [],
    restoreFailures: 0,
    injectThrows: false,
    answers: new Map(),
  };
}

export function fakeFault(world: FakeWorld): AnyFaultType {
  return defineFault({
    type: 'fake.item.break',
    description: 'breaks an in-memory item',
    target: z.object({ prefix: z.string().default('') }).strict(),
    params: z.object({}).strict(),
    async select(_ctx, target) {
      return [...world.items.entries()]
        .filter(([name]) => name.startsWith(target.prefix))
        .map(([name, item]) => ({ kind: 'fake.item', id: `fake/${name}`, name, ready: !item.broken, attributes: {} }));
    },
    async plan(_ctx, ref) {
      return { type: 'fake.item.break', target: ref, data: { name: ref.name, broken: world.items.get(ref.name)?.broken ?? false } };
    },
    async inject(_ctx, ref, _p, marker) {
      world.beforeInject?.(ref.name);
      world.calls.push({ op: 'inject', item: ref.name, at: Date.now() });
      const item = world.items.get(ref.name);
      if (item) Object.assign(item, { broken: true, marker: marker.faultId });
      if (world.injectThrows) throw new Error('inject blew up half-way');
    },
    async restore(_ctx, plan) {
      world.calls.push({ op: 'restore', item: plan.target.name, at: Date.now() });
      if (world.restoreFailures > 0) {
        world.restoreFailures--;
        throw new Error('restore refused, try later');
      }
      const item = world.items.get(plan.target.name);
      if (item) {
        item.broken = false;
        delete item.marker;
      }
    },
    describe: (ref) => `break item ${ref.name}`,
  });
}

export function fakeProbe(world: FakeWorld): AnyProbeType {
  return defineProbe({
    type: 'fake.flag.check',
    description: 'answers what the test says',
    params: z.object({ flag: z.string() }).strict(),
    async check(_ctx, p): Promise<ProbeResult> {
      const answer = world.answers.get(p.flag) ?? 'ok';
      if (answer === 'error') throw new Error(`cannot reach ${p.flag}`);
      return { ok: answer === 'ok', value: answer === 'ok' ? 1 : 0, detail: `${p.flag} is ${answer}` };
    },
  });
}

export function probe(world: FakeWorld, name: string, phases: Phase[], flag = name): LoadedProbe {
  return { name, type: 'fake.flag.check', probe: fakeProbe(world), phases, timeoutMs: 1000, onError: 'fail', breachAfter: 1, params: { flag } };
}

export function experiment(world: FakeWorld, overrides: Partial<{ durationMs: number; intervalMs: number; withinMs: number; count: number; probes: LoadedProbe[]; deny: string[] }> = {}): LoadedExperiment {
  return {
    file: 'test.yaml',
    name: 'fake-experiment',
    tags: [],
    fault: {
      type: 'fake.item.break',
      fault: fakeFault(world),
      selector: { prefix: '' },
      count: overrides.count ?? 1,
      durationMs: overrides.durationMs ?? 300,
      params: {},
    },
    steadyState: { intervalMs: overrides.intervalMs ?? 50, probes: overrides.probes ?? [probe(world, 'health', ['before', 'during', 'after'])] },
    recovery: { withinMs: overrides.withinMs ?? 1000 },
    safety: overrides.deny ? { deny: overrides.deny } : {},
    source: { test: true },
  };
}
