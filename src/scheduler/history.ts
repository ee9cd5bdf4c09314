/**
 * The runs planning must respect, read from the store: every run that was not a dry run
 * (a dry run changes nothing, so it does not use up an experiment's minInterval), newest
 * first, at most `limit`. Read-only.
 */
import type { Journal } from '../experiments/journal.js';
import type { PastRun } from './types.js';

/** Past runs from the journal, for `minInterval` and round-robin. */
export function historyFromJournal(journal: Journal, limit = 1000): PastRun[] {
  return journal
    .listRuns({ limit })
    .filter((run) => !run.dryRun)
    .map((run) => ({ experiment: run.experiment, startedAt: run.startedAt }));
}
