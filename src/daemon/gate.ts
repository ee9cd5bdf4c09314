/**
 * The daemon's run gate: the one way a run starts inside the daemon, whether the scheduler
 * or the API asks. One run at a time — in this process by the gate, across processes by the
 * store's lock that `runExperiment` takes. A run is refused, without anything being
 * recorded, when the gate is closed (shutting down, not the leader), the halt switch is on,
 * a run is in progress, another process holds the lock, or a fault is still not restored.
 * Every run gets its own AbortController: aborting it (API, halt, shutdown, lost leadership)
 * makes the runner restore before the run ends.
 */
import { LockHeldError, errorMessage } from '../errors.js';
import { LOCK_STALE_AFTER_MS, type Journal, type RunState } from '../experiments/journal.js';
import { loadExperiment } from '../experiments/load.js';
import type { LoadedExperiment } from '../experiments/model.js';
import { runExperiment, type EngineSettings, type RunResult } from '../experiments/runner.js';
import type { Logger } from '../log.js';
import type { CatalogEntry, RunAnswer, RunGate, RunRequest } from '../scheduler/types.js';

/** What the API and the scheduler may ask to start. */
export interface StartRequest {
  experiment: string;
  dryRun?: boolean;
  /** The game day it belongs to, when the scheduler asks. */
  gameday?: string;
  /** Who asked (token name, `scheduler`), for the log. */
  by: string;
}

/** The run in progress in this daemon. */
export interface CurrentRun {
  runId: string;
  experiment: string;
  state: RunState;
  dryRun: boolean;
  gameday?: string;
  startedAt: number;
}

export type StartAnswer = { runId: string; done: Promise<RunResult> } | { refused: string };

export interface GateOptions {
  journal: Journal;
  settings: EngineSettings;
  catalog: readonly CatalogEntry[];
  log: Logger;
  /** Loads a catalog file; default `loadExperiment` (tests shorten times with it). */
  load?: (file: string) => Promise<LoadedExperiment>;
}

interface Active extends CurrentRun {
  controller: AbortController;
  done: Promise<unknown>;
}

/** Starts catalog experiments one at a time, and stops them on demand. */
export class DaemonGate implements RunGate {
  private active: Active | undefined;
  /** Why new runs are refused; undefined while open. */
  private closedBecause: string | undefined;

  constructor(private readonly o: GateOptions) {}

  /** The catalog entry of this name, if any. */
  entry(name: string): CatalogEntry | undefined {
    return this.o.catalog.find((e) => e.name === name);
  }

  /** The names the gate can run, sorted. */
  names(): string[] {
    return this.o.catalog.map((e) => e.name).sort();
  }

  /** Refuses new runs from now on (`reason` is what callers are told); a run in progress goes on unless aborted. */
  close(reason: string): void {
    this.closedBecause = reason;
  }

  /** Accepts runs again. */
  open(): void {
    this.closedBecause = undefined;
  }

  /** The run in progress, if any. */
  current(): CurrentRun | undefined {
    if (!this.active) return undefined;
    const { controller: _c, done: _d, ...run } = this.active;
    return { ...run };
  }

  /** Why a run would be refused now, or undefined when it may start. */
  refusal(): string | undefined {
    if (this.closedBecause) return this.closedBecause;
    const halt = this.o.journal.halt();
    if (halt.on) return `halted${halt.reason ? `: ${halt.reason}` : ''}; \`gameday resume\` or POST /api/resume allows runs again`;
    if (this.active) return `run ${this.active.runId || '(starting)'} of ${this.active.experiment} is in progress`;
    const holder = this.o.journal.lockHolder();
    if (holder && Date.now() - holder.heartbeatAt < LOCK_STALE_AFTER_MS) {
      return `another process holds the store's run lock (run ${holder.runId}, pid ${holder.pid} on ${holder.host})`;
    }
    const pending = this.o.journal.unrestoredFaults();
    if (pending.length) {
      return `a restore is pending: ${pending.length} fault(s) not restored (${pending.map((f) => `${f.type} of run ${f.runId}`).join(', ')}); run \`gameday recover\``;
    }
    return undefined;
  }

  /**
   * Starts a run and resolves once it is recorded (with its id and a promise of its verdict),
   * or with why it was refused. Aborting `signal` stops the run; it restores.
   */
  async start(request: StartRequest, signal?: AbortSignal): Promise<StartAnswer> {
    const entry = this.entry(request.experiment);
    if (!entry) return { refused: `unknown experiment ${JSON.stringify(request.experiment)}; known: ${this.names().join(', ')}` };
    const why = this.refusal();
    if (why) return { refused: why };
    const controller = new AbortController();
    // the slot is taken before the first await, so two callers never both start
    const active: Active = {
      runId: '', experiment: entry.name, state: 'planned', dryRun: !!request.dryRun, startedAt: Date.now(),
      ...(request.gameday !== undefined && { gameday: request.gameday }), controller, done: Promise.resolve(),
    };
    this.active = active;
    let experiment: LoadedExperiment;
    try {
      experiment = await (this.o.load ?? loadExperiment)(entry.file);
    } catch (err) {
      this.active = undefined;
      return { refused: `experiment ${entry.name} cannot be loaded from ${entry.file}: ${errorMessage(err)}` };
    }
    const onAbort = (): void => controller.abort();
    if (signal?.aborted) controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let recorded: (runId: string) => void = () => undefined;
    const started = new Promise<string>((resolve) => (recorded = resolve));
    const done = runExperiment({
      experiment, journal: this.o.journal, settings: this.o.settings, dryRun: !!request.dryRun, signal: controller.signal, log: this.o.log,
      listener: (event) => {
        if (event.kind === 'run') {
          active.runId = event.runId;
          recorded(event.runId);
        } else if (event.kind === 'state') active.state = event.state;
      },
    }).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      if (this.active === active) this.active = undefined;
    });
    active.done = done.catch(() => undefined);
    try {
      const runId = await Promise.race([started, done.then((r) => r.runId)]);
      this.o.log.info('run started', { runId, experiment: entry.name, dryRun: !!request.dryRun, by: request.by, ...(request.gameday !== undefined && { gameday: request.gameday }) });
      return { runId, done };
    } catch (err) {
      if (err instanceof LockHeldError) return { refused: err.message };
      throw err;
    }
  }

  /** The scheduler's way in: starts the run and resolves with its verdict, or why it was refused. */
  async run(request: RunRequest, signal: AbortSignal): Promise<RunAnswer> {
    const answer = await this.start({ experiment: request.experiment, gameday: request.gameday, by: 'scheduler' }, signal);
    if ('refused' in answer) return answer;
    const result = await answer.done;
    return { runId: result.runId, outcome: result.outcome };
  }

  /** Stops the run `runId` if it is the one in progress here (it restores); false otherwise. */
  abort(runId: string): boolean {
    if (!this.active || this.active.runId !== runId) return false;
    this.active.controller.abort();
    return true;
  }

  /** Stops whatever run is in progress (it restores). */
  abortCurrent(): void {
    this.active?.controller.abort();
  }

  /** Resolves once no run is in progress here (after its restore). */
  async idle(): Promise<void> {
    while (this.active) await this.active.done;
  }
}
