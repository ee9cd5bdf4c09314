/**
 * The scheduler's contract with the daemon: what it asks (`RunRequest`), what it is told
 * (`RunAnswer`), who answers (`RunGate`), what it picks from (`CatalogEntry`) and what it
 * plans (`PlannedGameday`). Types only; no behaviour lives here.
 */

/** One run the scheduler wants started now. */
export interface RunRequest {
  /** Catalog experiment name (`metadata.name`). */
  experiment: string;
  /** Game day name, as configured under `gamedays:`. */
  gameday: string;
}

/** The gate's answer: the finished run's id and verdict, or why it did not start it. */
export type RunAnswer = { runId: string; outcome: string } | { refused: string };

/**
 * Implemented by the daemon: starts a catalog experiment now and resolves with its verdict;
 * refuses (without starting) when halted, a run is in progress or the store's lock is held,
 * or a restore is pending.
 */
export interface RunGate {
  run(request: RunRequest, signal: AbortSignal): Promise<RunAnswer>;
}

/** An experiment the scheduler may pick: its name, tags and the file it comes from. */
export type { CatalogEntry } from '../experiments/catalog.js';

/** One game day as planned: when, what it runs in order, and why it is skipped if it is. */
export interface PlannedGameday {
  name: string;
  start: Date;
  end: Date;
  /** What it will run, in order, if no run is refused (the first `maxRuns` of the pick order). */
  experiments: string[];
  skipped?: { reason: string; nextAllowed?: Date };
  /** How it picks (`random` draws with `weights`, seeded by game day and start, so the plan is what runs). */
  pick?: 'all' | 'random' | 'round-robin';
  /** `random` only: the weight of each candidate. */
  weights?: Record<string, number>;
  /** Every eligible candidate in pick order; a refused run is replaced by the next one. */
  candidates?: string[];
}

/** A past run the planner must respect (`minInterval`, round-robin): what ran, when. */
export interface PastRun {
  experiment: string;
  /** Epoch ms the run started. */
  startedAt: number;
  /** Game day name, when the run came from a game day. */
  gameday?: string;
}
