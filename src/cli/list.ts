/** `gameday list`: the shipped catalog, each experiment with its fault, target and tags. */
import { ExperimentInvalidError } from '../errors.js';
import { loadExperiment } from '../experiments/load.js';
import { catalogFiles } from '../experiments/catalog.js';
import { EXIT } from './exit-codes.js';

/** Prints the catalog; an invalid catalog file is listed with its problems and exit 2. */
export async function listCommand(options: { json?: boolean }): Promise<void> {
  const rows: { name: string; file: string; fault: string; target: string; duration: string; tags: string[]; description: string; error?: string }[] = [];
  for (const file of catalogFiles()) {
    try {
      const e = await loadExperiment(file);
      rows.push({
        name: e.name, file, fault: e.fault.type, target: JSON.stringify(e.fault.selector),
        duration: `${e.fault.durationMs / 1000}s`, tags: e.tags, description: e.description ?? '',
      });
    } catch (err) {
      if (!(err instanceof ExperimentInvalidError)) throw err;
      rows.push({ name: '?', file, fault: '?', target: '?', duration: '?', tags: [], description: '', error: err.message });
      process.exitCode = EXIT.invalid;
    }
  }
  if (options.json) return void process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  for (const r of rows) {
    if (r.error) {
      process.stderr.write(`${r.error}\n`);
      continue;
    }
    process.stdout.write(`${r.name.padEnd(24)} ${r.fault.padEnd(26)} ${r.duration.padStart(6)}  [${r.tags.join(', ')}]\n`);
    if (r.description) process.stdout.write(`${''.padEnd(24)} ${r.description}\n`);
  }
}
