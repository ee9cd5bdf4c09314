/**
 * The journal's record shapes: what the runner writes and what `show`, `history`, reports
 * and recovery read back. Times are epoch ms; `spec`, targets and plans are JSON.
 */
import type { RestorePlan, TargetRef } from '../targets/types.js';

/** Where a run is; each transition is committed before the next step starts. `done` is final. */
export type RunState =
  | 'planned'
  | 'preflight'
  | 'steady-before'
  | 'injecting'
  | 'holding'
  | 'restoring'
  | 'recovering'
  | 'done';
/** How a finished run ended. */
export type Outcome = 'passed' | 'hypothesis-failed' | 'aborted' | 'not-steady' | 'restore-failed' | 'halted' | 'dry-run';
/** A fault's progress; it only moves forward (intended → injected → restored, or intended → restored). */
export type FaultStatus = 'intended' | 'injected' | 'restored';
/** `failed`: the step ran and its check did not hold; `error`: it could not run. */
export type StepStatus = 'ok' | 'failed' | 'error' | 'skipped';
/** `breach`: the probe reached its system and saw it unsteady; `error`: it could not reach it. */
export type ProbeStatus = 'ok' | 'breach' | 'error';
/** When a probe check ran: before injecting, while the fault holds, after restoring. */
export type ProbePhase = 'before' | 'during' | 'after';

/** Every run state, in the order a run goes through them. */
export const RUN_STATES: readonly RunState[] = [
  'planned',
  'preflight',
  'steady-before',
  'injecting',
  'holding',
  'restoring',
  'recovering',
  'done',
];
/** Every outcome a finished run may have. */
export const OUTCOMES: readonly Outcome[] = [
  'passed',
  'hypothesis-failed',
  'aborted',
  'not-steady',
  'restore-failed',
  'halted',
  'dry-run',
];
/** Fault statuses, in the only order a fault may go through them. */
export const FAULT_STATUSES: readonly FaultStatus[] = ['intended', 'injected', 'restored'];
/** Every status a step record may have. */
export const STEP_STATUSES: readonly StepStatus[] = ['ok', 'failed', 'error', 'skipped'];
/** Every status a probe check may have. */
export const PROBE_STATUSES: readonly ProbeStatus[] = ['ok', 'breach', 'error'];
/** The probe phases, in run order. */
export const PHASES: readonly ProbePhase[] = ['before', 'during', 'after'];

/** One run as recorded. `spec` is the experiment as written (JSON). Times are epoch ms. */
export interface RunRow {
  id: string;
  experiment: string;
  file: string;
  state: RunState;
  outcome: Outcome | null;
  reason: string | null;
  dryRun: boolean;
  startedAt: number;
  endedAt: number | null;
  recoveryMs: number | null;
  pid: number;
  host: string;
  spec: unknown;
}

/** One step of a run: `{status, start, end, duration}` as Chaos Toolkit records it. */
export interface StepRecord {
  runId: string;
  step: string;
  status: StepStatus;
  start: number;
  end: number;
  durationMs: number;
  detail?: string;
  error?: string;
}

/** One probe check. `breach`: the system answered and was not steady; `error`: it could not be asked. */
export interface ProbeRecord {
  runId: string;
  phase: ProbePhase;
  probe: string;
  type: string;
  status: ProbeStatus;
  value: number | string | boolean | null;
  detail: string;
  at: number;
  ms: number;
}

/** One fault: what was (to be) changed and how to undo it. */
export interface FaultRow {
  id: string;
  runId: string;
  type: string;
  target: TargetRef;
  plan: RestorePlan;
  status: FaultStatus;
  intendedAt: number;
  injectedAt: number | null;
  restoredAt: number | null;
  attempts: number;
  lastError: string | null;
}

/** A run with everything recorded under it, each list in the order it was written. */
export interface RunDetail {
  run: RunRow;
  steps: StepRecord[];
  probes: ProbeRecord[];
  faults: FaultRow[];
}

/** The halt switch. `since`/`by`/`reason`: the last time `on` changed, who changed it and why; null if never set. */
export interface HaltState {
  on: boolean;
  reason: string | null;
  since: number | null;
  by: string | null;
}

/** Who holds the one-run-at-a-time lock. */
export interface LockHolder {
  runId: string;
  pid: number;
  host: string;
  acquiredAt: number;
  heartbeatAt: number;
}

/** What `createRun` needs; the state starts at `planned`, pid and host are this process's. */
export interface NewRun {
  id: string;
  experiment: string;
  file: string;
  dryRun: boolean;
  spec: unknown;
  startedAt?: number;
}

/** What `intendFault` needs: the fault and its undo, captured before anything changes. */
export interface NewFault {
  id: string;
  runId: string;
  type: string;
  target: TargetRef;
  plan: RestorePlan;
}

/** Filters of `listRuns`; all optional, combined with AND. */
export interface ListRunsOptions {
  limit?: number;
  experiment?: string;
  outcome?: Outcome;
}

/** How a journal connection is opened. */
export interface JournalOptions {
  /** Clock for recorded times and lock staleness (epoch ms). Default `Date.now`. */
  now?: () => number;
}
