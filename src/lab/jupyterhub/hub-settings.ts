/**
 * The hub's timing settings (JupyterHub and KubeSpawner traits), in simulated time. Rule: a
 * setting that is not a positive finite number of seconds is refused with a RangeError
 * naming it; absent settings take z2jh's defaults.
 */

/** The JupyterHub traits the lab lets a caller change (seconds, simulated). */
export interface HubSettings {
  /** KubeSpawner/Spawner `start_timeout`: a spawn not ready by then fails ("Spawn failed: Timeout"). Default 300. */
  startTimeoutSeconds?: number;
  /** `JupyterHub.last_activity_interval`: how often the hub reads activity and runs check_routes. Default 300. */
  lastActivityIntervalSeconds?: number;
  /** `Spawner.poll_interval`: how often the hub polls running servers. Default 30. */
  pollIntervalSeconds?: number;
}

/** The settings in simulated milliseconds. */
export interface HubTimings {
  startTimeoutMs: number;
  lastActivityIntervalMs: number;
  pollIntervalMs: number;
}

/** JupyterHub's `slow_spawn_timeout` and `slow_stop_timeout` (simulated ms): after them the API answers 202. */
export const SLOW_TIMEOUT_MS = 10_000;

/** z2jh's defaults. */
export const DEFAULT_HUB_SETTINGS: Required<HubSettings> = { startTimeoutSeconds: 300, lastActivityIntervalSeconds: 300, pollIntervalSeconds: 30 };

/** Validates the settings and converts them to simulated milliseconds. */
export function hubTimings(settings: HubSettings = {}): HubTimings {
  const seconds = (key: keyof HubSettings): number => {
    const value = settings[key] ?? DEFAULT_HUB_SETTINGS[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`jupyterhub.${key} must be a positive number of seconds, got ${String(value)}`);
    }
    return value * 1000;
  };
  return { startTimeoutMs: seconds('startTimeoutSeconds'), lastActivityIntervalMs: seconds('lastActivityIntervalSeconds'), pollIntervalMs: seconds('pollIntervalSeconds') };
}
