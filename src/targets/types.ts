/**
 * The contracts between gameday's engine and the systems it acts on. Targets implement
 * these; the engine (src/experiments) calls them. Targets never import the engine.
 */
import type { ZodType } from 'zod';
import type { Logger } from 'winston';

/** A JSON value: what a restore plan may hold, so it survives the journal and a crash. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One object a fault acts on. `name` is what allow/deny lists match; `id` is unique. */
export interface TargetRef {
  /** What kind of object: `kubernetes.pod`, `openstack.server`. */
  kind: string;
  /** Unique and stable for the run: `jhub/hub-7c9f8`, a server uuid. */
  id: string;
  /** Human name, matched by allow/deny globs: `hub-7c9f8`, `worker-002`. */
  name: string;
  /** The group `maxUnavailable` counts against: `jhub/Deployment/hub`. Absent: the whole selection. */
  group?: string;
  /** Whether the object is available now (an unready pod, a stopped VM: false). */
  ready: boolean;
  /** Extra facts shown in dry runs and records (namespace, node, uid…). */
  attributes: Record<string, string>;
}

/** Everything needed to undo one injection, written to the journal before the injection. */
export interface RestorePlan {
  type: string;
  target: TargetRef;
  data: Json;
}

/** What a fault writes on the object it changes, so a leftover is found without the journal. */
export interface Marker {
  runId: string;
  faultId: string;
  experiment: string;
}

/** A per-run cache of clients, so each target builds its client once per run. */
export interface ClientCache {
  get<T>(key: string, make: () => T): T;
}

/** What fault and probe code receives: a logger, the run's abort signal, the target settings. */
export interface Ctx {
  runId: string;
  log: Logger;
  /** Aborted when the run is halted or the process is signalled. Restore ignores it. */
  signal: AbortSignal;
  /** The `targets` section of the config, one key per target folder (`kubernetes`, `jupyterhub`…). */
  settings: Readonly<Record<string, unknown>>;
  clients: ClientCache;
}

/** What a probe saw. `ok: false` is a breach; a probe that cannot reach its system throws instead. */
export interface ProbeResult {
  ok: boolean;
  value?: number | string | boolean | null;
  detail: string;
}

/** A kind of change gameday can make and undo. Every method but `inject` and `restore` is read-only. */
export interface FaultType<T = unknown, P = unknown> {
  /** `<target>.<object>.<verb>`: `kubernetes.pod.delete`. */
  type: string;
  description: string;
  /** Shape of `spec.fault.target` (besides the engine's `count`/`percent`). Strict. */
  target: ZodType<T>;
  /** Shape of `spec.fault.params`. Strict. */
  params: ZodType<P>;
  /**
   * The most objects of one group (`TargetRef.group`) that may be unavailable at once,
   * whatever the config's maxUnavailable says: a limit of the system itself (GlusterFS: one
   * brick per replica set). Objects already unavailable count against it.
   */
  maxPerGroup?: number;
  /** Every object the selector matches, ready or not. Changes nothing. */
  select(ctx: Ctx, target: T, params: P): Promise<TargetRef[]>;
  /** The undo, captured from the object's state before anything changes. Changes nothing. */
  plan(ctx: Ctx, ref: TargetRef, params: P): Promise<RestorePlan>;
  /** Makes the change and marks the object. Idempotent: a second call with the same marker is harmless. */
  inject(ctx: Ctx, ref: TargetRef, params: P, marker: Marker): Promise<void>;
  /** Gives back the state in the plan and removes the marker. Idempotent; harmless without an inject. */
  restore(ctx: Ctx, plan: RestorePlan): Promise<void>;
  /** After restore: whether the object is back to what the plan recorded (checked during recovery). */
  verify?(ctx: Ctx, plan: RestorePlan): Promise<ProbeResult>;
  /** Restore plans for every object still carrying a gameday marker, found from the markers alone. */
  findLeftovers?(ctx: Ctx): Promise<RestorePlan[]>;
  /** One line for dry runs and reports: `delete pod jhub/hub-7c9f8 (grace 0s)`. */
  describe(ref: TargetRef, params: P): string;
}

/** Which phase of a run a check belongs to. */
export type ProbePhase = 'before' | 'during' | 'after';

/** What the engine tells a probe about the check it is making. */
export interface ProbeRun {
  phase: ProbePhase;
  /**
   * The baseline: the numeric value this probe returned at its passing check of the
   * `before` phase, if it had one. Probes that compare against "the value before the fault"
   * read it in the `during` and `after` phases; it is undefined in `before` itself.
   */
  baseline: number | undefined;
}

/** A kind of check of the platform's steady state. */
export interface ProbeType<P = unknown> {
  /** `<target>.<object>.<check>` or a target name for generic probes (`http`). */
  type: string;
  description: string;
  /** Shape of the probe's own keys in the experiment (besides name, type, phases, timeout). Strict. */
  params: ZodType<P>;
  /**
   * Looks once. Returns ok/breach; throws (TargetError) when the system cannot be reached.
   * The engine always passes `run`; a caller outside a run (a test, a bench) may leave it
   * out, which reads as a check of the `before` phase.
   */
  check(ctx: Ctx, params: P, signal: AbortSignal, run?: ProbeRun): Promise<ProbeResult>;
}

/** A fault type with its parameter types erased, as registries hold them. */
export type AnyFaultType = FaultType<unknown, unknown>;
/** A probe type with its parameter type erased, as registries hold them. */
export type AnyProbeType = ProbeType<unknown>;

/** Registers a fault type: erases its types (its schemas still check every input before use). */
export function defineFault<T, P>(fault: FaultType<T, P>): AnyFaultType {
  return fault as unknown as AnyFaultType;
}

/** Registers a probe type: erases its types (its schema still checks every input before use). */
export function defineProbe<P>(probe: ProbeType<P>): AnyProbeType {
  return probe as unknown as AnyProbeType;
}

/** What one target folder exports from its `index.ts`. */
export interface TargetModule {
  /** The folder name, and the key of its section in the config's `targets`. */
  name: string;
  /** Shape of `targets.<name>` in the config. Strict. */
  settings: ZodType;
  faults: AnyFaultType[];
  probes: AnyProbeType[];
}
