/** `gameday validate FILE…`: every problem of every file, positioned; exit 2 if any file is invalid. */
import { ExperimentInvalidError, formatIssue, type PositionedIssue } from '../errors.js';
import { loadExperiment } from '../experiments/load.js';
import { EXIT } from './exit-codes.js';

/** Validates each file; never stops at the first bad one. */
export async function validateCommand(files: string[], options: { json?: boolean }): Promise<void> {
  const results: { file: string; ok: boolean; name?: string; issues: PositionedIssue[] }[] = [];
  for (const file of files) {
    try {
      const exp = await loadExperiment(file);
      results.push({ file, ok: true, name: exp.name, issues: [] });
    } catch (err) {
      if (!(err instanceof ExperimentInvalidError)) throw err;
      results.push({ file, ok: false, issues: err.issues });
    }
  }
  if (options.json) {
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  } else {
    for (const r of results) {
      if (r.ok) process.stdout.write(`ok  ${r.file} (${r.name})\n`);
      else process.stderr.write(r.issues.map(formatIssue).join('\n') + '\n');
    }
  }
  const bad = results.filter((r) => !r.ok).length;
  if (bad) {
    if (!options.json) process.stderr.write(`${bad} of ${files.length} file(s) invalid\n`);
    process.exitCode = EXIT.invalid;
  }
}
