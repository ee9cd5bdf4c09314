/** `gameday history`: past runs, newest first. */
import { Journal } from '../experiments/journal.js';
import { loadCliConfig, type CliOptions } from './context.js';

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** Lists runs from the store (read-only: no recovery is triggered). */
export async function historyCommand(options: CliOptions & { limit?: string; experiment?: string }): Promise<void> {
  const config = await loadCliConfig(options);
  const journal = Journal.open(config.store.path);
  try {
    const limit = Number.parseInt(options.limit ?? '20', 10);
    const runs = journal.listRuns({ limit: Number.isFinite(limit) && limit > 0 ? limit : 20, ...(options.experiment ? { experiment: options.experiment } : {}) });
    if (options.json) return void process.stdout.write(JSON.stringify(runs, null, 2) + '\n');
    if (!runs.length) return void process.stdout.write(`no runs yet (store: ${journal.path})\n`);
    for (const r of runs) {
      const took = r.endedAt ? `${((r.endedAt - r.startedAt) / 1000).toFixed(1)}s` : 'running';
      process.stdout.write(`${when(r.startedAt)}  ${r.id.padEnd(44)} ${(r.outcome ?? r.state).padEnd(17)} ${took.padStart(8)}  ${r.reason ?? ''}\n`);
    }
  } finally {
    journal.close();
  }
}
