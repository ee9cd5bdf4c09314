/** Turns an error that reached the top of the CLI into a message on stderr and an exit code. */
import { ConfigInvalidError, ExperimentInvalidError, GamedayError, LockHeldError, SafetyRefusedError } from '../errors.js';
import { redactText } from '../log.js';
import { EXIT } from './exit-codes.js';

/** Prints the error (positioned issues one per line, no stack for known errors) and returns the exit code. */
export function reportFatal(err: unknown): number {
  if (err instanceof ExperimentInvalidError || err instanceof ConfigInvalidError) {
    process.stderr.write(redactText(err.message) + '\n');
    return EXIT.invalid;
  }
  if (err instanceof LockHeldError || err instanceof SafetyRefusedError) {
    process.stderr.write(`gameday: ${redactText(err.message)}\n`);
    return EXIT.refused;
  }
  if (err instanceof GamedayError) {
    process.stderr.write(`gameday: ${redactText(err.message)}\n`);
    return EXIT.error;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`gameday: unexpected error: ${redactText(text)}\n`);
  return EXIT.error;
}
