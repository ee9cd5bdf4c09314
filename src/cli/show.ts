/** `gameday show RUN`: one run's record, as text, markdown or JSON. */
import { GamedayError } from '../errors.js';
import { Journal } from '../experiments/journal.js';
import { runMarkdown } from '../report/markdown.js';
import { publicRunDetail } from '../report/public.js';
import { loadCliConfig, type CliOptions } from './context.js';

/** Prints a run by id or unique prefix. */
export async function showCommand(id: string, options: CliOptions & { markdown?: boolean }): Promise<void> {
  const config = await loadCliConfig(options);
  const journal = Journal.open(config.store.path);
  try {
    const detail = journal.getRun(id);
    if (!detail) throw new GamedayError(`no run ${id} in ${journal.path}; see \`gameday history\``);
    if (options.json) process.stdout.write(JSON.stringify(publicRunDetail(detail), null, 2) + '\n');
    else process.stdout.write(runMarkdown(detail));
  } finally {
    journal.close();
  }
}
