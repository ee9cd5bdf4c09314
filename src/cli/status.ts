/**
 * `gameday status`: the halt switch, the run in progress and (from a daemon) the next game
 * day. Asks the daemon when one is named (--daemon, $GAMEDAY_DAEMON_URL, daemon.url), else
 * reads the local store without changing it.
 */
import { callDaemon, expectOk, remoteFrom, type RemoteFlags } from '../daemon/client.js';
import { Journal } from '../experiments/journal.js';
import { loadCliConfig, type CliOptions } from './context.js';

interface Status {
  halt: { on: boolean; reason: string | null; by: string | null; since: number | null };
  currentRun?: { runId: string; experiment: string; state: string } | null;
  lock: { runId: string; pid: number; host: string } | null;
  nextGameday?: string | null;
  election?: boolean;
  leader?: boolean;
}

/** Prints the status (JSON with --json). */
export async function statusCommand(options: CliOptions & RemoteFlags): Promise<void> {
  const config = await loadCliConfig(options);
  const remote = remoteFrom(options, config);
  let status: Status;
  if (remote) status = expectOk(await callDaemon(remote, 'GET', '/api/status'), 'status') as Status;
  else {
    const journal = Journal.open(config.store.path);
    try {
      status = { halt: journal.halt(), lock: journal.lockHolder() ?? null };
    } finally {
      journal.close();
    }
  }
  if (options.json) return void process.stdout.write(JSON.stringify(status, null, 2) + '\n');
  const { halt } = status;
  const lines = [
    halt.on ? `halted${halt.reason ? `: ${halt.reason}` : ''}${halt.by ? ` (by ${halt.by})` : ''}` : 'not halted: runs are allowed',
    status.currentRun ? `running: ${status.currentRun.runId} (${status.currentRun.experiment}, ${status.currentRun.state})`
      : status.lock ? `running: ${status.lock.runId} (pid ${status.lock.pid} on ${status.lock.host})` : 'no run in progress',
  ];
  if (remote) {
    lines.push(`next game day: ${status.nextGameday ?? 'none planned'}`);
    if (status.election) lines.push(status.leader ? 'this daemon is the leader' : 'this daemon is a standby (not the leader)');
  }
  process.stdout.write(lines.join('\n') + '\n');
}
