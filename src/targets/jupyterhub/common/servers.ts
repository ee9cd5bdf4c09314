/**
 * Waiting on a user's default server, by polling the user model: until it is ready, and
 * until it is stopped. Rules: a start or stop request is a promise, not a result (202), so
 * only the user model says when it is done; a stop is asked again whenever the hub refuses
 * it for a pending spawn (400), since it can only be stopped once ready; each wait has its
 * own deadline, told apart from the caller's abort (a deadline is an answer, an abort throws).
 */
import { TargetError } from '../../../errors.js';
import type { HubApi } from './hub-api.js';
import { defaultServer, type HubServer } from './models.js';

/** How often the user model is read while waiting. */
export const POLL_MS = 250;

/** Waits `ms`; the caller's abort ends the wait with a retryable TargetError. */
export function pause(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): TargetError => new TargetError(`${what}: aborted`, { retryable: true, cause: signal?.reason });
    if (signal?.aborted) return reject(aborted());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How a wait for readiness ended. */
export type ReadyWait =
  | { kind: 'ready'; server: HubServer }
  | { kind: 'gone' }
  | { kind: 'deadline'; pending: string | null };

/** Polls until the user's default server is ready, has vanished (its spawn failed), or `deadline` (epoch ms) passes. */
export async function waitReady(hub: HubApi, name: string, deadline: number, signal?: AbortSignal): Promise<ReadyWait> {
  for (;;) {
    const user = await hub.user(name, signal);
    const server = user ? defaultServer(user) : undefined;
    if (!server) return { kind: 'gone' };
    if (server.ready && server.pending === null) return { kind: 'ready', server };
    if (Date.now() >= deadline) return { kind: 'deadline', pending: server.pending };
    await pause(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), signal, `waiting for the server of ${name}`);
  }
}

/** How a stop ended: stopped (with how long it took), or still there at the deadline. */
export interface StopResult {
  stopped: boolean;
  ms: number;
  /** What the server was doing at the deadline, when not stopped. */
  last?: string;
}

/**
 * Stops the user's default server and waits until the hub lists it no more, for at most
 * `withinMs`. Harmless when nothing runs. The caller's `signal` (if any) aborts with an
 * error; the deadline is a result (`stopped: false`).
 */
export async function stopAndWait(hub: HubApi, name: string, withinMs: number, signal?: AbortSignal): Promise<StopResult> {
  const start = performance.now();
  const deadline = AbortSignal.timeout(withinMs);
  const both = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let last = 'running';
  let justStopped = false;
  try {
    for (;;) {
      const user = await hub.user(name, both);
      const server = user ? defaultServer(user) : undefined;
      if (!server) return { stopped: true, ms: performance.now() - start };
      last = server.pending ? `pending ${server.pending}` : server.ready ? 'running' : 'not ready';
      // a 204 is confirmed by reading the user at once; anything else is read again after a pause
      if (server.pending === null && !justStopped) {
        const said = await askStop(hub, name, both);
        if (said === 'stopped') {
          justStopped = true;
          continue;
        }
        if (said === 'pending') last = 'pending stop';
      }
      justStopped = false;
      await pause(POLL_MS, both, `stopping the server of ${name}`);
    }
  } catch (err) {
    if (deadline.aborted && !signal?.aborted) return { stopped: false, ms: performance.now() - start, last };
    throw err;
  }
}

/** One stop request: 'stopped' (204), 'pending' (202), or 'refused' (400: a spawn is pending; 404: gone meanwhile). */
async function askStop(hub: HubApi, name: string, signal: AbortSignal): Promise<'stopped' | 'pending' | 'refused'> {
  try {
    return await hub.stopServer(name, signal);
  } catch (err) {
    if (err instanceof TargetError && (err.status === 400 || err.status === 404)) return 'refused';
    throw err;
  }
}
