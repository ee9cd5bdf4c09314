/**
 * The experiment file's own shape (apiVersion, kind, metadata, spec). Strict everywhere: a
 * typo is an error, never a silent default. The parts that belong to a fault or probe type
 * (`spec.fault.target` besides count/percent, `spec.fault.params`, a probe's own keys) are
 * left open here and checked by that type's schemas in load.ts.
 */
import { z } from 'zod';
import { Duration } from '../duration.js';
import { describeValue } from '../yaml-file.js';

/** When a probe runs: before the fault, while it holds, after restore. */
export const Phase = z.enum(['before', 'during', 'after'], {
  error: (issue) => `expected one of before, during, after, got ${describeValue(issue.input)}`,
});
export type Phase = z.infer<typeof Phase>;

/** Every phase, in run order: the default of a probe's `phases`. */
export const PHASES: readonly Phase[] = ['before', 'during', 'after'];

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** An experiment name: a DNS label (lowercase letters, digits, '-'; at most 63), so it fits markers and labels. */
export const ExperimentName = z
  .string({ error: (issue) => nameMessage(issue.input) })
  .regex(NAME_PATTERN, { error: (issue) => nameMessage(issue.input) });

function nameMessage(input: unknown): string {
  return `expected a name of lowercase letters, digits and '-' (at most 63, like delete-hub-pod), got ${describeValue(input)}`;
}

const PERCENT_PATTERN = /^(100|[1-9]?[0-9])%$/;

/** At most this many (an integer >= 0) or this percentage (`"25%"`) of a group unavailable. */
export const MaxUnavailable = z.union(
  [z.int().min(0), z.string().regex(PERCENT_PATTERN).transform((text) => text as `${number}%`)],
  { error: (issue) => `expected a count like 1 or a percentage like "25%", got ${describeValue(issue.input)}` },
);
export type MaxUnavailable = z.output<typeof MaxUnavailable>;

/** `spec.safety` and the config's `safety` defaults: blast-radius limits on top of the config's. */
export const Safety = z
  .object({
    maxUnavailable: MaxUnavailable.optional(),
    allow: z.array(z.string().min(1)).optional(),
    deny: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type Safety = z.output<typeof Safety>;

/** `spec.fault.target`: the engine's `count` XOR `percent`; every other key is the fault type's. */
export const FaultTarget = z
  .object({
    count: z.int().min(1).optional(),
    percent: z.number().min(1).max(100).optional(),
  })
  .catchall(z.unknown());
export type FaultTarget = z.output<typeof FaultTarget>;

/** `spec.fault`: which fault, on what, for how long. */
export const FaultSection = z
  .object({
    type: z.string().min(1),
    target: FaultTarget,
    duration: Duration,
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type FaultSection = z.output<typeof FaultSection>;

/** The keys every probe has; any other key of a probe belongs to its type's `params`. */
export const probeCommonKeys = {
  name: z.string().min(1),
  type: z.string().min(1),
  phases: z
    .array(Phase)
    .min(1, { error: 'expected at least one of before, during, after' })
    .default([...PHASES]),
  timeout: Duration.optional(),
  /** Whether a check that cannot reach its system counts against the hypothesis (`fail`) or is only recorded (`ignore`). */
  onError: z
    .enum(['fail', 'ignore'], { error: (issue) => `expected fail or ignore, got ${describeValue(issue.input)}` })
    .default('fail'),
  /** During the fault, failing checks in a row before the hypothesis counts as broken (default 1: the first). */
  breachAfter: z.int({ error: 'expected a whole number of checks' }).min(1, { error: 'expected at least 1' }).max(1000).default(1),
};

/** One entry of `spec.steadyState.probes`: the common keys, the type's own keys left open. */
export const ProbeSection = z.object(probeCommonKeys).catchall(z.unknown());
export type ProbeSection = z.output<typeof ProbeSection>;

/** `spec.steadyState`: the probes and how often and how long they run. */
export const SteadyStateSection = z
  .object({
    interval: Duration.prefault('2s'),
    timeout: Duration.prefault('5s'),
    probes: z.array(ProbeSection).default([]),
  })
  .strict();
export type SteadyStateSection = z.output<typeof SteadyStateSection>;

/** `metadata`: the experiment's name (required) and what people read about it. */
export const Metadata = z
  .object({
    name: ExperimentName,
    description: z.string().optional(),
    tags: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type Metadata = z.output<typeof Metadata>;

/** A whole experiment file, before its fault and probe types have checked their parts. */
export const ExperimentFile = z
  .object({
    apiVersion: z.literal('gameday/v1'),
    kind: z.literal('Experiment'),
    metadata: Metadata,
    spec: z
      .object({
        fault: FaultSection,
        steadyState: SteadyStateSection.prefault({}),
        recovery: z.object({ within: Duration }).strict(),
        safety: Safety.optional(),
      })
      .strict(),
  })
  .strict();
export type ExperimentFile = z.output<typeof ExperimentFile>;
