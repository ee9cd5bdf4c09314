/**
 * gameday's Prometheus metrics, in one registry (prefix `gameday_`). The engine updates
 * them as runs go; the daemon serves them at /metrics. Label values are experiment,
 * fault type and target names only — never secrets, never unbounded ids like run ids.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();

export const runsTotal = new Counter({
  name: 'gameday_runs_total',
  help: 'Runs finished, by experiment and outcome.',
  labelNames: ['experiment', 'outcome'] as const,
  registers: [registry],
});

export const runDurationSeconds = new Histogram({
  name: 'gameday_run_duration_seconds',
  help: 'Wall time of a run from preflight to its verdict.',
  labelNames: ['experiment'] as const,
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
  registers: [registry],
});

export const faultActive = new Gauge({
  name: 'gameday_fault_active',
  help: '1 while a fault is injected and not yet restored.',
  labelNames: ['experiment', 'fault', 'target'] as const,
  registers: [registry],
});

export const recoverySeconds = new Histogram({
  name: 'gameday_recovery_seconds',
  help: 'Time from the end of restore until every after-probe passed.',
  labelNames: ['experiment'] as const,
  buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
  registers: [registry],
});

export const probeChecksTotal = new Counter({
  name: 'gameday_probe_checks_total',
  help: 'Probe checks, by probe type, phase and status (ok, breach, error).',
  labelNames: ['type', 'phase', 'status'] as const,
  registers: [registry],
});

export const probeLatencySeconds = new Histogram({
  name: 'gameday_probe_latency_seconds',
  help: 'Time one probe check took.',
  labelNames: ['type'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const abortsTotal = new Counter({
  name: 'gameday_aborts_total',
  help: 'Runs aborted, by reason (breach, probe-error, halt, signal, error, safety, crash).',
  labelNames: ['experiment', 'reason'] as const,
  registers: [registry],
});

export const restoreAttemptsTotal = new Counter({
  name: 'gameday_restore_attempts_total',
  help: 'Restore attempts, by fault type and result (ok, error).',
  labelNames: ['fault', 'result'] as const,
  registers: [registry],
});

export const restoreFailuresTotal = new Counter({
  name: 'gameday_restore_failures_total',
  help: 'Restores that gave up after every attempt (the fault stays recorded and is retried later).',
  labelNames: ['fault'] as const,
  registers: [registry],
});

export const leftoversRestoredTotal = new Counter({
  name: 'gameday_leftovers_restored_total',
  help: 'Faults found not restored at start (journal or markers) and restored.',
  labelNames: ['fault', 'source'] as const,
  registers: [registry],
});

export const halted = new Gauge({
  name: 'gameday_halted',
  help: '1 while the halt switch is on.',
  registers: [registry],
});
