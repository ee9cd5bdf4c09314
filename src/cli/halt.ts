/** `gameday halt` / `gameday resume`: the persisted halt switch. A running experiment sees it within 250 ms. */
import { userInfo } from 'node:os';
import { Journal } from '../experiments/journal.js';
import { halted } from '../metrics.js';
import { loadCliConfig, type CliOptions } from './context.js';

/** Sets or clears the halt switch in the store. */
export async function haltCommand(on: boolean, options: CliOptions & { reason?: string }): Promise<void> {
  const config = await loadCliConfig(options);
  const journal = Journal.open(config.store.path);
  try {
    journal.setHalt(on, { ...(options.reason ? { reason: options.reason } : {}), by: `${userInfo().username}@cli` });
    halted.set(on ? 1 : 0);
    const holder = journal.lockHolder();
    process.stdout.write(on
      ? `halted${holder ? `: run ${holder.runId} is stopping and restoring` : ''}; new runs are refused until \`gameday resume\`\n`
      : 'resumed: runs are allowed again\n');
  } finally {
    journal.close();
  }
}
