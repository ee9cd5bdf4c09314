/**
 * `gameday run NAME --remote`: asks a running daemon to start a catalog experiment, follows
 * it until its verdict, and exits like a local run (0 passed or dry run, 1 failed or
 * aborted, 3 restore failed, 4 refused). SIGINT/SIGTERM ask the daemon to abort the run,
 * which restores; the command still waits for the verdict.
 */
import { EXIT, exitCodeFor } from '../cli/exit-codes.js';
import { GamedayError } from '../errors.js';
import type { Outcome } from '../experiments/journal.js';
import { logger } from '../log.js';
import { apiError, callDaemon, expectOk, type Remote } from './client.js';

interface RunView {
  run: { id: string; state: string; outcome: Outcome | null; reason: string | null };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts `experiment` on the daemon and sets the exit code from its outcome. */
export async function runRemote(remote: Remote, experiment: string, options: { dryRun?: boolean; json?: boolean; pollMs?: number }): Promise<void> {
  const started = await callDaemon(remote, 'POST', '/api/runs', { experiment, ...(options.dryRun && { dryRun: true }) });
  if (started.status === 409 || started.status === 503) {
    process.stderr.write(`gameday: refused by the daemon: ${apiError(started)}\n`);
    process.exitCode = EXIT.refused;
    return;
  }
  if (started.status === 400) {
    process.stderr.write(`gameday: ${apiError(started)}\n`);
    process.exitCode = EXIT.invalid;
    return;
  }
  const { runId } = expectOk(started, 'run') as { runId: string };
  if (!options.json) process.stdout.write(`started ${runId} on ${remote.url}\n`);
  let aborting = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (aborting) return;
    aborting = true;
    logger.warn('signal received: asking the daemon to abort the run (it restores)', { signal, runId });
    callDaemon(remote, 'POST', `/api/runs/${encodeURIComponent(runId)}/abort`, {})
      .then((a) => void (a.status >= 300 && logger.warn('the daemon did not abort the run', { error: apiError(a) })))
      .catch((err: unknown) => logger.error('could not ask the daemon to abort', { error: err }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let state = '';
    for (;;) {
      const view = expectOk(await callDaemon(remote, 'GET', `/api/runs/${encodeURIComponent(runId)}`), 'following the run') as RunView;
      if (view.run.state !== state && !options.json) process.stdout.write(`  ${view.run.state}\n`);
      state = view.run.state;
      if (state === 'done') {
        const outcome = view.run.outcome;
        if (!outcome) throw new GamedayError(`run ${runId} ended without an outcome`);
        if (options.json) process.stdout.write(JSON.stringify(view, null, 2) + '\n');
        else process.stdout.write(`${outcome}${view.run.reason ? `: ${view.run.reason}` : ''}\nrecord: gameday show ${runId} (on the daemon's store)\n`);
        process.exitCode = exitCodeFor(outcome);
        return;
      }
      await sleep(options.pollMs ?? 500);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
