/**
 * `gameday daemon`: runs until SIGTERM or SIGINT, then shuts down in order (no new runs,
 * scheduling stopped, the current run aborted and restored, the HTTP server and the store
 * closed) and exits 0 — or exits 5 if that took longer than `daemon.shutdownTimeout` or a
 * step failed; leftovers are then restored at the next start. Further signals while
 * shutting down are logged, never cut the restore short.
 */
import { startDaemon } from '../daemon/daemon.js';
import { errorMessage } from '../errors.js';
import { logger } from '../log.js';
import { Listen } from '../daemon/config.js';
import { commandLineError, loadCliConfig, type CliOptions } from './context.js';
import { EXIT } from './exit-codes.js';

/** Starts the daemon and resolves once it has shut down after a signal. */
export async function daemonCommand(options: CliOptions & { listen?: string }): Promise<void> {
  if (options.listen !== undefined) {
    const listen = Listen.safeParse(options.listen);
    if (!listen.success) throw commandLineError('--listen', listen.error.issues.map((i) => i.message).join('; '));
  }
  const config = await loadCliConfig(options);
  const daemon = await startDaemon({ config, ...(config.file !== undefined && { configFile: config.file }), ...(options.listen !== undefined && { listen: options.listen }), log: logger });
  const timeoutMs = config.daemon.shutdownTimeoutMs;
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) return void logger.warn('shutdown in progress; the current run is restoring', { signal });
      logger.warn('signal received: shutting down', { signal, timeoutMs });
      const timer = setTimeout(() => {
        logger.error('shutdown took longer than daemon.shutdownTimeout; exiting now (leftovers are restored at the next start)', { timeoutMs });
        process.exit(EXIT.error);
      }, timeoutMs);
      daemon.close()
        .then(() => {
          process.exitCode = EXIT.ok;
        })
        .catch((err: unknown) => {
          logger.error('shutdown finished with errors', { error: errorMessage(err) });
          process.exitCode = EXIT.error;
        })
        .finally(() => {
          clearTimeout(timer);
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          resolve();
        });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
