/**
 * What a run tells its watcher (the CLI's progress display, the daemon's API) as it goes.
 * Events are informational: the journal, not the watcher, is the record.
 */
import type { RunState, Outcome, ProbeStatus } from './journal.js';
import type { Phase } from './model.js';

export type RunEvent =
  | { kind: 'run'; runId: string; experiment: string; dryRun: boolean; at: number }
  | { kind: 'state'; state: RunState; at: number }
  | { kind: 'step'; step: string; status: 'ok' | 'failed' | 'error' | 'skipped'; durationMs: number; detail?: string }
  | { kind: 'probe'; phase: Phase; probe: string; type: string; status: ProbeStatus; value: unknown; detail: string; ms: number }
  | { kind: 'fault'; action: 'intended' | 'injected' | 'restored' | 'restore-error'; target: string; detail: string }
  | { kind: 'plan'; lines: string[] }
  | { kind: 'verdict'; outcome: Outcome; reason: string | null; recoveryMs: number | null };

export type RunListener = (event: RunEvent) => void;
