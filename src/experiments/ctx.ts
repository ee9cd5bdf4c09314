/**
 * Building the context fault and probe code receives. Clients are cached per context so a
 * target builds its client once per run.
 */
import type { Logger } from '../log.js';
import type { Ctx } from '../targets/types.js';

/** A context for one run (or one recovery pass); contexts given the same cache share clients. */
export function makeCtx(
  runId: string,
  log: Logger,
  signal: AbortSignal,
  settings: Readonly<Record<string, unknown>>,
  cache: Map<string, unknown> = new Map(),
): Ctx {
  return {
    runId,
    log,
    signal,
    settings,
    clients: {
      get<T>(key: string, make: () => T): T {
        if (!cache.has(key)) cache.set(key, make());
        return cache.get(key) as T;
      },
    },
  };
}

/**
 * Releases what a context's clients hold (open SSH connections…): every cached client that
 * implements `Symbol.dispose`. Called when a run or a recovery pass ends; a client that
 * fails to dispose is logged, never thrown.
 */
export function disposeClients(cache: Map<string, unknown>, log: Logger): void {
  for (const [key, client] of cache) {
    const dispose = (client as { [Symbol.dispose]?: () => void } | null)?.[Symbol.dispose];
    if (typeof dispose !== 'function') continue;
    try {
      dispose.call(client);
    } catch (err) {
      log.warn('a client could not be closed', { client: key, error: err instanceof Error ? err.message : String(err) });
    }
  }
  cache.clear();
}
