/** The CLI's exit codes; documented in `gameday --help` and the README. */
export const EXIT = {
  ok: 0,
  failed: 1,
  invalid: 2,
  restoreFailed: 3,
  refused: 4,
  error: 5,
} as const;

import type { Outcome } from '../experiments/journal.js';

/** The exit code of a run's outcome. */
export function exitCodeFor(outcome: Outcome): number {
  switch (outcome) {
    case 'passed':
    case 'dry-run':
      return EXIT.ok;
    case 'restore-failed':
      return EXIT.restoreFailed;
    case 'halted':
      return EXIT.refused;
    default:
      return EXIT.failed;
  }
}
