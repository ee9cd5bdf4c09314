/**
 * What every command that touches the platform or the store starts with: the config, the
 * logger set from it, the journal, and — before anything else runs — the recovery of
 * leftovers from earlier processes.
 */
import { resolve } from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { ExperimentInvalidError } from '../errors.js';
import { configureLogger, logger, type LogFormat } from '../log.js';
import { Journal } from '../experiments/journal.js';
import { recoverLeftovers, type RecoverReport } from '../experiments/recover.js';
import type { EngineSettings } from '../experiments/runner.js';
import { engineSettings } from '../experiments/settings.js';

export interface CliOptions {
  config?: string;
  /** Overrides the config's store.path. */
  store?: string;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  logFormat?: LogFormat;
  json?: boolean;
  /** The command prints live progress (run, demo). */
  progress?: boolean;
}

export interface CliContext {
  config: Config;
  journal: Journal;
  settings: EngineSettings;
  close(): void;
}

/** Loads the config (positioned errors on bad input) and sets the logger from it and the flags. */
export async function loadCliConfig(options: CliOptions): Promise<Config> {
  const loaded = await loadConfig(options.config);
  const config = options.store ? { ...loaded, store: { path: resolve(options.store) } } : loaded;
  const format = options.logFormat ?? (config.log.format === 'auto' ? (process.stderr.isTTY ? 'text' : 'json') : config.log.format);
  // while progress is printed, info lines would repeat it: show warnings and errors only, unless asked
  const level = options.logLevel ?? (options.progress && config.log.level !== 'debug' ? 'warn' : config.log.level);
  configureLogger({ level, format });
  return config;
}


/** Opens the store and restores leftovers first. Recovery failures are logged and kept, never hidden. */
export async function openCliContext(options: CliOptions, recover = true): Promise<CliContext & { recovered?: RecoverReport }> {
  const config = await loadCliConfig(options);
  const journal = Journal.open(config.store.path);
  const settings = engineSettings(config);
  let recovered: RecoverReport | undefined;
  if (recover) {
    recovered = await recoverLeftovers({ journal, restore: settings.restore, targets: settings.targets });
    if (recovered.restored.length || recovered.closedRuns.length) {
      logger.warn('restored leftovers of earlier runs', { restored: recovered.restored.length, closedRuns: recovered.closedRuns.length });
    }
    if (recovered.failed.length) logger.error('leftovers still not restored', { failed: recovered.failed });
  }
  return { config, journal, settings, recovered, close: () => journal.close() };
}

/** A bad command-line argument, reported like any invalid input (exit 2, no stack). */
export function commandLineError(option: string, message: string): ExperimentInvalidError {
  return new ExperimentInvalidError([{ file: '<command line>', line: 1, col: 1, path: option, message }]);
}
