/**
 * An experiment after loading: every field validated (by the experiment schema and by the
 * registered fault and probe types' own schemas), durations in milliseconds. The runner
 * only ever sees this shape, never raw YAML.
 */
import type { AnyFaultType, AnyProbeType, ProbePhase } from '../targets/types.js';

export type Phase = ProbePhase;

export interface LoadedProbe {
  name: string;
  type: string;
  probe: AnyProbeType;
  phases: Phase[];
  /** Per-check deadline in ms; a check that takes longer is a probe error. */
  timeoutMs: number;
  /** A probe error (system unreachable) counts against the hypothesis (`fail`, the default) or is only recorded (`ignore`). */
  onError: 'fail' | 'ignore';
  /**
   * During the fault, how many checks in a row must fail (breach, or error counted by
   * `onError: fail`) before the hypothesis is broken; 1 = the first. Before and after the
   * fault every failing check counts.
   */
  breachAfter: number;
  /** The probe's own params, already parsed by `probe.params`. */
  params: unknown;
}

export interface LoadedFault {
  type: string;
  fault: AnyFaultType;
  /** `spec.fault.target` without count/percent, parsed by `fault.target`. */
  selector: unknown;
  /** How many of the selected objects to hit; absent with percent absent means 1. */
  count?: number;
  percent?: number;
  durationMs: number;
  /** Parsed by `fault.params`. */
  params: unknown;
}

export interface SafetyRules {
  /** At most this many (or this percentage, `"25%"`) of a group unavailable, counting what is already down. */
  maxUnavailable?: number | `${number}%`;
  /** Globs on target names; when present, only matching objects may be hit. */
  allow?: string[];
  /** Globs on target names that are never hit. */
  deny?: string[];
}

export interface LoadedExperiment {
  /** Where it was loaded from (for records and errors). */
  file: string;
  name: string;
  description?: string;
  tags: string[];
  fault: LoadedFault;
  steadyState: { intervalMs: number; probes: LoadedProbe[] };
  recovery: { withinMs: number };
  safety: SafetyRules;
  /** The spec as written (JSON), stored with the run record. */
  source: unknown;
}
