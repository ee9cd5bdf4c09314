/** The engine's settings (safety rules, restore backoff, target settings) from a loaded config. */
import type { Config } from '../config.js';
import type { EngineSettings } from './runner.js';

/** The engine's view of the config. */
export function engineSettings(config: Config, targets: Readonly<Record<string, unknown>> = config.targets): EngineSettings {
  return {
    safety: {
      deny: config.safety.deny,
      ...(config.safety.allow.length ? { allow: config.safety.allow } : {}),
      ...(config.safety.maxUnavailable !== undefined ? { maxUnavailable: config.safety.maxUnavailable } : {}),
      oneRunAtATime: config.safety.oneRunAtATime,
    },
    restore: { attempts: config.restore.attempts, initialDelayMs: config.restore.initialDelayMs, maxDelayMs: config.restore.maxDelayMs },
    targets,
  };
}
