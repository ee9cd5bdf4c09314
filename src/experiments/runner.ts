/**
 * One run of one experiment: preflight → steady-before → inject → hold → restore →
 * recovery → verdict. Each state is written to the journal before its work starts. Once
 * anything is intended, restore runs whatever happens next — breach, probe error, thrown
 * error, halt, signal — and a fault's row is committed as `intended` (with its restore
 * plan) before the call that injects it.
 */
import { z } from 'zod';
import { errorMessage, RestoreFailedError, SafetyRefusedError, type AbortReason } from '../errors.js';
import { logger as rootLogger, type Logger } from '../log.js';
import { abortsTotal, faultActive, recoverySeconds, runDurationSeconds, runsTotal } from '../metrics.js';
import type { Ctx, TargetRef } from '../targets/types.js';
import type { BackoffOptions } from './backoff.js';
import { sleep } from './backoff.js';
import type { RunListener } from './events.js';
import { faultId, newRunId, type FaultRow, type Journal, type Outcome, type RunState } from './journal.js';
import type { LoadedExperiment, LoadedProbe, SafetyRules } from './model.js';
import { checkPhase, describeFailures, ProbeMemory } from './probes.js';
import { restoreFault, type RestoreSettings } from './restore.js';
import { chooseTargets, mergeRules, type Selection } from './safety.js';
import { disposeClients, makeCtx } from './ctx.js';

/** What the engine needs from the config. */
export interface EngineSettings {
  safety: SafetyRules & { oneRunAtATime: boolean };
  restore: RestoreSettings;
  targets: Readonly<Record<string, unknown>>;
}

export interface RunOptions {
  experiment: LoadedExperiment;
  journal: Journal;
  settings: EngineSettings;
  dryRun?: boolean;
  /** Aborting it (SIGINT/SIGTERM) stops the run: restore, then outcome `aborted` (signal). */
  signal?: AbortSignal;
  log?: Logger;
  listener?: RunListener;
  random?: () => number;
  /** How often the halt switch is read; default 250 ms. */
  haltPollMs?: number;
  /** Overrides for restore's backoff (tests). */
  backoff?: Partial<BackoffOptions>;
}

export interface RunResult {
  runId: string;
  outcome: Outcome;
  reason: string | null;
  recoveryMs: number | null;
}

/** Runs an experiment to its verdict. Throws only LockHeldError (before anything is recorded). */
export async function runExperiment(options: RunOptions): Promise<RunResult> {
  const runId = newRunId(options.experiment.name);
  const locking = options.settings.safety.oneRunAtATime;
  if (locking) options.journal.acquireLock({ runId });
  try {
    return await new Run(options, runId).execute();
  } finally {
    if (locking) options.journal.releaseLock(runId);
  }
}

class Run {
  private readonly stopper = new AbortController();
  private stopReason: { reason: AbortReason; detail: string } | undefined;
  private readonly rows: FaultRow[] = [];
  /** Baselines and failure runs of this run's probes. */
  private readonly probeMemory = new ProbeMemory();
  private readonly ctx: Ctx;
  private readonly clients = new Map<string, unknown>();
  private readonly log: Logger;
  private readonly exp: LoadedExperiment;
  private readonly startedAt = Date.now();

  constructor(
    private readonly o: RunOptions,
    private readonly runId: string,
  ) {
    this.exp = o.experiment;
    this.log = (o.log ?? rootLogger).child({ runId, experiment: this.exp.name });
    this.ctx = makeCtx(runId, this.log, this.stopper.signal, o.settings.targets, this.clients);
  }

  /** Stops the hold (first reason wins). */
  private stop(reason: AbortReason, detail: string): void {
    if (this.stopReason) return;
    this.stopReason = { reason, detail };
    abortsTotal.inc({ experiment: this.exp.name, reason });
    this.log.warn('run stopping', { reason, detail });
    this.stopper.abort(new Error(detail));
  }

  private setState(state: RunState): void {
    this.o.journal.setRunState(this.runId, state);
    this.o.listener?.({ kind: 'state', state, at: Date.now() });
  }

  private async step<T>(name: string, fn: () => Promise<T>, describe?: (value: T) => string): Promise<T> {
    const start = Date.now();
    try {
      const value = await fn();
      const detail = describe?.(value);
      this.record(name, 'ok', start, detail);
      return value;
    } catch (err) {
      this.record(name, 'error', start, undefined, errorMessage(err));
      throw err;
    }
  }

  private record(step: string, status: 'ok' | 'failed' | 'error' | 'skipped', start: number, detail?: string, error?: string): void {
    const end = Date.now();
    this.o.journal.recordStep({
      runId: this.runId, step, status, start, end, durationMs: end - start,
      ...(detail !== undefined ? { detail } : {}),
      ...(error !== undefined ? { error } : {}),
    });
    this.o.listener?.({ kind: 'step', step, status, durationMs: end - start, ...(detail ?? error ? { detail: detail ?? error } : {}) });
  }

  async execute(): Promise<RunResult> {
    const { journal } = this.o;
    journal.createRun({ id: this.runId, experiment: this.exp.name, file: this.exp.file, dryRun: !!this.o.dryRun, spec: this.exp.source });
    this.o.listener?.({ kind: 'run', runId: this.runId, experiment: this.exp.name, dryRun: !!this.o.dryRun, at: this.startedAt });
    const stopWatching = this.watch();
    try {
      return await this.phases();
    } finally {
      stopWatching();
    }
  }

  /** Halt switch, external signal and lock heartbeat, for the whole run. */
  private watch(): () => void {
    const { journal } = this.o;
    const onSignal = (): void => this.stop('signal', 'stopped by signal');
    if (this.o.signal?.aborted) onSignal();
    this.o.signal?.addEventListener('abort', onSignal, { once: true });
    // a timer callback must never throw (it would end the process with the fault in place):
    // a journal that cannot be read or written stops the run, which then restores
    const guarded = (what: string, fn: () => void) => (): void => {
      try {
        fn();
      } catch (err) {
        this.stop('error', `${what}: ${errorMessage(err)}`);
      }
    };
    const poll = setInterval(guarded('reading the halt switch', () => {
      const halt = journal.halt();
      if (halt.on) this.stop('halt', `halted${halt.reason ? `: ${halt.reason}` : ''}`);
    }), this.o.haltPollMs ?? 250);
    const beat = setInterval(guarded('heartbeat of the run lock', () => {
      // another process took the lock over as stale (this one was paused too long): two faults
      // must never hold at once, so this run stops and restores
      if (this.o.settings.safety.oneRunAtATime && !journal.heartbeat(this.runId)) this.stop('error', 'lost the run lock to another process');
    }), 5000);
    return () => {
      clearInterval(poll);
      clearInterval(beat);
      this.o.signal?.removeEventListener('abort', onSignal);
    };
  }

  private async phases(): Promise<RunResult> {
    const halt = this.o.journal.halt();
    if (halt.on) return this.finish('halted', `halt switch is on${halt.reason ? ` (${halt.reason})` : ''}; nothing was done`);

    this.setState('preflight');
    let selection: Selection;
    try {
      selection = await this.step('preflight', () => this.select(), (s) => `chosen: ${s.chosen.map((r) => r.id).join(', ')}`);
    } catch (err) {
      const reason: AbortReason = err instanceof SafetyRefusedError ? 'safety' : 'error';
      abortsTotal.inc({ experiment: this.exp.name, reason });
      return this.finish('aborted', `${reason === 'safety' ? 'refused by safety rules' : 'preflight failed'}: ${errorMessage(err)}`);
    }

    this.setState('steady-before');
    const steadyStart = Date.now();
    const before = await checkPhase(this.ctx, this.exp.steadyState.probes, 'before', this.o.journal, this.probeMemory, this.o.listener);
    if (this.stopReason) return this.finishStopped(); // probes cut short by a halt or signal are not a verdict
    const notSteady = describeFailures(before);
    this.record('steady-before', notSteady ? 'failed' : 'ok', steadyStart, notSteady || `${before.length} probes ok`);
    if (notSteady) return this.finish('not-steady', `not steady before injection: ${notSteady}`);
    if (this.stopReason) return this.finishStopped();

    if (this.o.dryRun) return this.dryRun(selection.chosen);

    try {
      this.setState('injecting');
      await this.step('inject', () => this.inject(selection.chosen), () => `${this.rows.length} injected`);
      if (!this.stopReason) {
        this.setState('holding');
        await this.step('hold', () => this.hold(), () => this.stopReason ? `stopped: ${this.stopReason.detail}` : 'held for the full duration');
      }
    } catch (err) {
      this.stop('error', errorMessage(err));
    }
    return this.restoreAndRecover();
  }

  private async select(): Promise<Selection> {
    const { fault } = this.exp;
    const candidates = await fault.fault.select(this.ctx, fault.selector, fault.params);
    const want = { ...(fault.count !== undefined ? { count: fault.count } : {}), ...(fault.percent !== undefined ? { percent: fault.percent } : {}) };
    return chooseTargets(candidates, want, mergeRules(this.o.settings.safety, this.exp.safety), this.o.random, fault.fault.maxPerGroup);
  }

  private async dryRun(chosen: TargetRef[]): Promise<RunResult> {
    const { fault } = this.exp;
    const lines: string[] = [];
    await this.step('plan', async () => {
      for (const ref of chosen) {
        await fault.fault.plan(this.ctx, ref, fault.params);
        lines.push(`would ${fault.fault.describe(ref, fault.params)} for ${this.exp.fault.durationMs / 1000}s, then restore`);
      }
    }, () => `${lines.length} change(s) planned, none made`);
    this.o.listener?.({ kind: 'plan', lines });
    return this.finish('dry-run', lines.join('; '));
  }

  /** For each chosen object: plan, commit `intended`, inject, commit `injected`. Stops at the first error or stop. */
  private async inject(chosen: TargetRef[]): Promise<void> {
    const { fault } = this.exp;
    for (const [i, ref] of chosen.entries()) {
      if (this.stopReason) return;
      const plan = await fault.fault.plan(this.ctx, ref, fault.params);
      if (this.stopReason) return; // a halt or signal that came while planning: nothing more is injected
      const row = this.o.journal.intendFault({ id: faultId(this.runId, i + 1), runId: this.runId, type: fault.type, target: ref, plan });
      this.rows.push(row);
      this.o.listener?.({ kind: 'fault', action: 'intended', target: ref.id, detail: fault.fault.describe(ref, fault.params) });
      faultActive.set({ experiment: this.exp.name, fault: fault.type, target: ref.name }, 1);
      await fault.fault.inject(this.ctx, ref, fault.params, { runId: this.runId, faultId: row.id, experiment: this.exp.name });
      this.o.journal.markInjected(row.id);
      this.o.listener?.({ kind: 'fault', action: 'injected', target: ref.id, detail: fault.fault.describe(ref, fault.params) });
      this.log.info('fault injected', { fault: row.id, target: ref.id });
    }
  }

  /** Holds for the duration, checking 'during' probes every interval; the first failed check stops the hold. */
  private async hold(): Promise<void> {
    const { intervalMs, probes } = this.exp.steadyState;
    const end = Date.now() + this.exp.fault.durationMs;
    const during = probes.filter((p) => p.phases.includes('during'));
    while (!this.stopReason && Date.now() < end) {
      const roundStart = Date.now();
      if (during.length) {
        const outcomes = await checkPhase(this.ctx, during, 'during', this.o.journal, this.probeMemory, this.o.listener);
        if (this.stopReason) return;
        const failed = outcomes.find((o) => o.failed);
        if (failed) {
          const reason: AbortReason = failed.status === 'breach' ? 'breach' : 'probe-error';
          this.stop(reason, `${reason} during the fault: ${describeFailures(outcomes)}`);
          return;
        }
      }
      const wait = Math.min(intervalMs - (Date.now() - roundStart), end - Date.now());
      if (wait > 0) await sleep(wait, this.stopper.signal);
    }
  }

  private async restoreAndRecover(): Promise<RunResult> {
    try {
      this.setState('restoring');
    } catch (err) {
      // the journal failing must never keep a fault in place: restore anyway
      this.log.error('could not record the restoring state; restoring anyway', { error: errorMessage(err) });
    }
    const failed = await this.restoreAll();
    if (failed) return this.finish('restore-failed', failed);
    if (this.stoppedByOperator()) return this.finishStopped();

    this.setState('recovering');
    const recovery = await this.recover();
    if (this.stoppedByOperator()) return this.finishStopped();
    if (this.stopReason) return this.finish('aborted', this.stopReason.detail, recovery.ms);
    if (!recovery.ok) return this.finish('hypothesis-failed', `not recovered within ${this.exp.recovery.withinMs / 1000}s: ${recovery.detail}`);
    recoverySeconds.observe({ experiment: this.exp.name }, (recovery.ms ?? 0) / 1000);
    return this.finish('passed', `recovered in ${((recovery.ms ?? 0) / 1000).toFixed(1)}s`, recovery.ms);
  }

  /** Restores every fault of this run, newest first. Returns why it failed, or undefined. Never throws. */
  private async restoreAll(): Promise<string | undefined> {
    const restoreCtx = makeCtx(this.runId, this.log, new AbortController().signal, this.o.settings.targets, this.clients);
    const errors: string[] = [];
    const start = Date.now();
    for (const row of [...this.rows].reverse()) {
      try {
        await restoreFault(restoreCtx, this.exp.fault.fault, row, this.o.journal, this.o.settings.restore, this.exp.name, this.o.backoff);
        this.o.listener?.({ kind: 'fault', action: 'restored', target: row.target.id, detail: 'restored' });
      } catch (err) {
        errors.push(errorMessage(err));
        this.o.listener?.({ kind: 'fault', action: 'restore-error', target: row.target.id, detail: errorMessage(err) });
        if (!(err instanceof RestoreFailedError)) this.log.error('unexpected restore error', { error: errorMessage(err) });
      }
    }
    this.record('restore', errors.length ? 'failed' : 'ok', start, `${this.rows.length - errors.length}/${this.rows.length} restored`, errors.join('; ') || undefined);
    return errors.length ? errors.join('; ') : undefined;
  }

  /** 'after' probes and each fault's verify, every interval until all pass or `recovery.within` runs out. */
  private async recover(): Promise<{ ok: boolean; ms: number | null; detail: string }> {
    const start = Date.now();
    const deadline = start + this.exp.recovery.withinMs;
    const probes = [...this.exp.steadyState.probes.filter((p) => p.phases.includes('after')), ...this.verifyProbes()];
    const recoverCtx = makeCtx(this.runId, this.log, new AbortController().signal, this.o.settings.targets, this.clients);
    for (;;) {
      if (this.stoppedByOperator()) {
        const detail = this.stopReason?.detail ?? 'stopped';
        this.record('recovery', 'skipped', start, `stopped: ${detail}`);
        return { ok: false, ms: null, detail };
      }
      const outcomes = await checkPhase(recoverCtx, probes, 'after', this.o.journal, this.probeMemory, this.o.listener);
      const failures = describeFailures(outcomes);
      if (!failures) {
        const ms = Date.now() - start;
        this.record('recovery', 'ok', start, `recovered in ${ms} ms`);
        return { ok: true, ms, detail: '' };
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        this.record('recovery', 'failed', start, failures);
        return { ok: false, ms: null, detail: failures };
      }
      await sleep(Math.min(this.exp.steadyState.intervalMs, remaining));
    }
  }

  /** Each fault's own recovery check, as an 'after' probe. */
  private verifyProbes(): LoadedProbe[] {
    const { fault } = this.exp.fault;
    const verify = fault.verify?.bind(fault);
    if (!verify) return [];
    const timeoutMs = Math.max(...this.exp.steadyState.probes.map((p) => p.timeoutMs), 5000);
    return this.rows.map((row) => ({
      name: `recovered:${row.target.name}`,
      type: `${fault.type}.verify`,
      phases: ['after'],
      timeoutMs,
      onError: 'fail',
      breachAfter: 1,
      params: undefined,
      probe: { type: `${fault.type}.verify`, description: 'the fault type\'s own recovery check', params: z.unknown(), check: (ctx) => verify(ctx, row.plan) },
    }));
  }

  /** Halted or signalled (a method, so the check is made afresh after every await). */
  private stoppedByOperator(): boolean {
    const reason = this.stopReason?.reason;
    return reason === 'halt' || reason === 'signal';
  }

  private finishStopped(): RunResult {
    const stop = this.stopReason;
    if (stop?.reason === 'halt') return this.finish('halted', stop.detail);
    return this.finish('aborted', stop?.detail ?? 'stopped');
  }

  private finish(outcome: Outcome, reason: string, recoveryMs: number | null = null): RunResult {
    this.o.journal.finishRun(this.runId, outcome, { reason, ...(recoveryMs !== null ? { recoveryMs } : {}) });
    runsTotal.inc({ experiment: this.exp.name, outcome });
    runDurationSeconds.observe({ experiment: this.exp.name }, (Date.now() - this.startedAt) / 1000);
    this.o.listener?.({ kind: 'verdict', outcome, reason, recoveryMs });
    this.log.info('run finished', { outcome, reason });
    disposeClients(this.clients, this.log);
    return { runId: this.runId, outcome, reason, recoveryMs };
  }
}
