/**
 * `gameday run FILE`: validates first (nothing is touched on invalid input), restores
 * leftovers, then runs with live progress. SIGINT/SIGTERM stop the run, which restores
 * before the process exits; a second signal does not cut the restore short. With --remote,
 * FILE is a catalog experiment name and a running daemon runs it (src/daemon/remote-run.ts).
 */
import { remoteFrom, type RemoteFlags } from '../daemon/client.js';
import { GamedayError, SafetyRefusedError } from '../errors.js';
import { loadExperiment } from '../experiments/load.js';
import { runExperiment } from '../experiments/runner.js';
import { logger } from '../log.js';
import { publicRunDetail } from '../report/public.js';
import { loadCliConfig, openCliContext, type CliOptions } from './context.js';
import { exitCodeFor } from './exit-codes.js';
import { progressPrinter } from './progress.js';

/** Runs one experiment file and sets the exit code from its outcome. */
export async function runCommand(file: string, options: CliOptions & RemoteFlags & { dryRun?: boolean; remote?: boolean }): Promise<void> {
  if (options.remote) {
    const remote = remoteFrom(options, await loadCliConfig(options));
    if (!remote) throw new GamedayError('--remote needs a daemon: --daemon URL, $GAMEDAY_DAEMON_URL or daemon.url in the config');
    return (await import('../daemon/remote-run.js')).runRemote(remote, file, options);
  }
  const experiment = await loadExperiment(file);
  const cli = await openCliContext({ ...options, progress: !options.json });
  const unrestored = cli.recovered?.failed ?? [];
  if (unrestored.length) {
    cli.close();
    // one fault at a time, and never a new one while an old one is still in place
    throw new SafetyRefusedError(
      `refusing to run: ${unrestored.length} earlier fault(s) could not be restored (${unrestored.map((f) => `${f.type} on ${f.target}`).join(', ')}); fix the cause and run \`gameday recover\``,
    );
  }
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) logger.warn('signal received: stopping the run and restoring', { signal: sig });
    else logger.warn('restore in progress; gameday exits when it is done (SIGKILL leaves it to `gameday recover`)', { signal: sig });
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    const result = await runExperiment({
      experiment,
      journal: cli.journal,
      settings: cli.settings,
      dryRun: !!options.dryRun,
      signal: stop.signal,
      ...(options.json ? {} : { listener: progressPrinter(process.stdout) }),
    });
    if (options.json) {
      const detail = cli.journal.getRun(result.runId);
      process.stdout.write(JSON.stringify(detail ? publicRunDetail(detail) : null, null, 2) + '\n');
    }
    else process.stdout.write(`record: gameday show ${result.runId}   (store: ${cli.journal.path})\n`);
    process.exitCode = exitCodeFor(result.outcome);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    cli.close();
  }
}
