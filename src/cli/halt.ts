/**
 * `gameday halt` / `gameday resume`: the persisted halt switch. A running experiment sees it
 * within 250 ms. With a daemon named (--daemon, $GAMEDAY_DAEMON_URL, daemon.url) the switch
 * is set through its API instead.
 */
import { userInfo } from 'node:os';
import { callDaemon, expectOk, remoteFrom, type RemoteFlags } from '../daemon/client.js';
import { Journal } from '../experiments/journal.js';
import { halted } from '../metrics.js';
import { loadCliConfig, type CliOptions } from './context.js';

/** Sets or clears the halt switch in the store. */
export async function haltCommand(on: boolean, options: CliOptions & RemoteFlags & { reason?: string }): Promise<void> {
  const config = await loadCliConfig(options);
  const remote = remoteFrom(options, config);
  if (remote) {
    const body = on ? { ...(options.reason ? { reason: options.reason } : {}) } : {};
    const answer = expectOk(await callDaemon(remote, 'POST', on ? '/api/halt' : '/api/resume', body), on ? 'halt' : 'resume') as { stopping?: string | null };
    process.stdout.write(on
      ? `halted${answer.stopping ? `: run ${answer.stopping} is stopping and restoring` : ''}; new runs are refused until \`gameday resume\`\n`
      : 'resumed: runs are allowed again\n');
    return;
  }
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
