/** `gameday recover`: restore every leftover fault and close runs of dead processes. */
import { openCliContext, type CliOptions } from './context.js';
import { EXIT } from './exit-codes.js';

/** Recovers, prints what was done; exit 3 if anything could not be restored. */
export async function recoverCommand(options: CliOptions): Promise<void> {
  const cli = await openCliContext(options);
  try {
    const report = cli.recovered;
    if (!report) return;
    if (options.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else {
      for (const r of report.restored) process.stdout.write(`restored ${r.type} on ${r.target} (${r.source}, ${r.faultId})\n`);
      for (const r of report.closedRuns) process.stdout.write(`closed run ${r}\n`);
      for (const r of report.skippedLiveRuns) process.stdout.write(`left alone: run ${r} is still running in a live process\n`);
      for (const f of report.failed) process.stderr.write(`NOT restored: ${f.type} on ${f.target} (${f.faultId}): ${f.error}\n`);
      if (!report.restored.length && !report.closedRuns.length && !report.failed.length) process.stdout.write('nothing to recover\n');
    }
    if (report.failed.length) process.exitCode = EXIT.restoreFailed;
  } finally {
    cli.close();
  }
}
