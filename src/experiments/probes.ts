/**
 * Running probes: each check gets its own deadline; a check that throws or times out is a
 * probe *error* (the system could not be asked), a check that answers `ok: false` is a
 * *breach*. Both are recorded in the journal and counted in the metrics. A run's
 * `ProbeMemory` carries what checks need from earlier ones: each probe's baseline (its value
 * before the fault) and its run of consecutive failures during the fault (`breachAfter`).
 */
import { errorMessage } from '../errors.js';
import { probeChecksTotal, probeLatencySeconds } from '../metrics.js';
import type { Ctx, ProbeResult } from '../targets/types.js';
import type { Journal, ProbeStatus } from './journal.js';
import type { LoadedProbe, Phase } from './model.js';
import type { RunListener } from './events.js';

export interface ProbeOutcome {
  probe: string;
  type: string;
  status: ProbeStatus;
  value: number | string | boolean | null;
  detail: string;
  ms: number;
  /**
   * A breach, or an error of a probe with `onError: fail`, that counts: the hypothesis does
   * not hold (during the fault, only once `breachAfter` checks in a row have failed).
   */
  failed: boolean;
}

/** What one run remembers of its probes' earlier checks. */
export class ProbeMemory {
  private readonly baselines = new Map<string, number>();
  private readonly failingInRow = new Map<string, number>();

  /** The probe's baseline, if its `before` check passed with a number. */
  baseline(probe: string): number | undefined {
    return this.baselines.get(probe);
  }

  /**
   * Remembers a check and says whether it counts against the hypothesis: any failing check
   * before or after the fault; during it, only the `breachAfter`-th failure in a row.
   */
  remember(probe: LoadedProbe, phase: Phase, status: ProbeStatus, value: ProbeOutcome['value']): boolean {
    const failing = status === 'breach' || (status === 'error' && probe.onError === 'fail');
    if (phase === 'before' && status === 'ok' && typeof value === 'number' && Number.isFinite(value)) this.baselines.set(probe.name, value);
    if (phase !== 'during') return failing;
    const inRow = failing ? (this.failingInRow.get(probe.name) ?? 0) + 1 : 0;
    this.failingInRow.set(probe.name, inRow);
    return failing && inRow >= probe.breachAfter;
  }
}

/** Runs `check` with a deadline; the timer and listener are always cleared. */
async function withDeadline(
  check: (signal: AbortSignal) => Promise<ProbeResult>,
  timeoutMs: number,
  parent: AbortSignal,
): Promise<ProbeResult> {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(parent.reason);
  parent.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new Error('timeout'));
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([check(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onParentAbort);
  }
}

/** One check of one probe, counted and reported (the caller records it in the journal). Never throws. */
async function checkProbe(ctx: Ctx, probe: LoadedProbe, phase: Phase, memory: ProbeMemory, listener?: RunListener): Promise<ProbeOutcome> {
  const start = performance.now();
  let outcome: Omit<ProbeOutcome, 'ms' | 'failed'>;
  const run = { phase, baseline: phase === 'before' ? undefined : memory.baseline(probe.name) };
  try {
    const result = await withDeadline((s) => probe.probe.check(ctx, probe.params, s, run), probe.timeoutMs, ctx.signal);
    outcome = {
      probe: probe.name,
      type: probe.type,
      status: result.ok ? 'ok' : 'breach',
      value: result.value ?? null,
      detail: result.detail,
    };
  } catch (err) {
    outcome = { probe: probe.name, type: probe.type, status: 'error', value: null, detail: errorMessage(err) };
  }
  const ms = performance.now() - start;
  const failed = memory.remember(probe, phase, outcome.status, outcome.value);
  const full: ProbeOutcome = { ...outcome, ms: Math.round(ms * 100) / 100, failed };
  probeChecksTotal.inc({ type: probe.type, phase, status: full.status });
  probeLatencySeconds.observe({ type: probe.type }, ms / 1000);
  listener?.({ kind: 'probe', phase, probe: full.probe, type: full.type, status: full.status, value: full.value, detail: full.detail, ms: full.ms });
  if (full.status !== 'ok') {
    // during recovery a failing check is expected until the platform is back: not a warning
    const level = phase === 'after' ? 'debug' : 'warn';
    const counted = failed ? {} : { counted: `not yet (breachAfter ${probe.breachAfter})` };
    ctx.log.log(level, 'probe not ok', { phase, probe: probe.name, status: full.status, detail: full.detail, ...counted });
  }
  return full;
}

/** Every probe of a phase, checked at once, and recorded in one journal commit. */
export async function checkPhase(
  ctx: Ctx,
  probes: readonly LoadedProbe[],
  phase: Phase,
  journal: Journal,
  memory: ProbeMemory,
  listener?: RunListener,
): Promise<ProbeOutcome[]> {
  const due = probes.filter((p) => p.phases.includes(phase));
  const outcomes = await Promise.all(due.map((p) => checkProbe(ctx, p, phase, memory, listener)));
  const at = Date.now();
  journal.recordProbes(outcomes.map(({ failed: _failed, ...o }) => ({ runId: ctx.runId, phase, ...o, at })));
  return outcomes;
}

/** One line summing up the checks of a phase that count against the hypothesis ('' when none). */
export function describeFailures(outcomes: readonly ProbeOutcome[]): string {
  return outcomes
    .filter((o) => o.failed)
    .map((o) => `${o.probe} ${o.status}: ${o.detail}`)
    .join('; ');
}
