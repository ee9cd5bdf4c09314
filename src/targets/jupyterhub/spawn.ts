/**
 * `jupyterhub.spawn`: the synthetic user journey. A dedicated test user's server is
 * started, waited for until the hub says it is ready, asked for its status through the
 * proxy (as the user's browser would reach it), then stopped and waited for until gone.
 * `value` is the spawn time in seconds (start request → first answer through the proxy).
 * Rules: the server is ALWAYS stopped — after a breach, an error, or the engine aborting the
 * check at its deadline — by a cleanup with its own deadline (`stopWithin`), never the
 * aborted signal; the next check of the same user waits for that cleanup first. A server of
 * the user found running at the start (left by a crash) is stopped first, and the detail
 * says so. An admin user is refused: the user must exist for this probe alone.
 */
import { z } from 'zod';
import { DURATION_PATTERN, durationMessage, parseDuration } from '../../duration.js';
import { errorMessage, TargetError } from '../../errors.js';
import { defineProbe, type Ctx, type ProbeResult } from '../types.js';
import { jupyterhubClient } from './client.js';
import { defaultServerPath, type HubApi } from './common/hub-api.js';
import { defaultServer, type HubUser } from './common/models.js';
import { POLL_MS, pause, stopAndWait, waitReady } from './common/servers.js';
import { configError, statusError } from './errors.js';

const Duration = z
  .string({ error: (issue) => durationMessage(issue.input) })
  .regex(DURATION_PATTERN, { error: (issue) => durationMessage(issue.input) })
  .refine((text) => (parseDuration(text) ?? 0) > 0, 'expected a duration above zero');

/** The probe's keys. */
export const SpawnParams = z
  .object({
    /** The test user: dedicated to this probe (created when missing; its server is started and stopped at every check). */
    user: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._@+-]{0,63}$/, 'expected a JupyterHub user name: lowercase letters, digits and . _ @ + - (64 at most)')
      .default('gameday-probe'),
    /** Slowest acceptable spawn (start request → answer through the proxy); also how long readiness is waited for. */
    maxSpawnTime: Duration.optional(),
    /** How long a ready server may take to answer through the proxy. */
    answerWithin: Duration.default('10s'),
    /** Deadline of the stop (and of the cleanup after an error or abort). */
    stopWithin: Duration.default('30s'),
  })
  .strict();
export type SpawnParams = z.infer<typeof SpawnParams>;

/** Cleanups still running after their check ended (aborted by the engine), by hub and user. */
const cleanups = new Map<string, Promise<void>>();

const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const msOf = (text: string): number => parseDuration(text) ?? 0;

/** How far the journey got before the stop. */
interface Journey {
  notes: string[];
  /** Start request → ready, and → answered through the proxy (ms); undefined where it did not get. */
  readyMs?: number;
  answeredMs?: number;
  breach?: string;
}

/** Waits for an earlier check's cleanup of this user, if one still runs. */
async function afterCleanup(key: string, signal: AbortSignal): Promise<void> {
  const running = cleanups.get(key);
  if (!running) return;
  const aborted = (): TargetError => new TargetError('waiting for the previous check to stop its server: aborted', { retryable: true });
  if (signal.aborted) throw aborted();
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    void running.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Stops the user's server with its own deadline; logs (never throws) when it cannot. */
function cleanUp(ctx: Ctx, hub: HubApi, key: string, p: SpawnParams, why: string): Promise<void> {
  const done = stopAndWait(hub, p.user, msOf(p.stopWithin))
    .then((r) => {
      if (r.stopped) ctx.log.info('spawn probe stopped its server', { user: p.user, why, ms: Math.round(r.ms) });
      else ctx.log.error('spawn probe could not stop its server in time; it may still run', { user: p.user, why, last: r.last, within: p.stopWithin });
    })
    .catch((err: unknown) => {
      ctx.log.error('spawn probe could not stop its server; it may still run', { user: p.user, why, error: errorMessage(err) });
    })
    .finally(() => {
      if (cleanups.get(key) === done) cleanups.delete(key);
    });
  cleanups.set(key, done);
  return done;
}

/** The user, created when missing; an admin is refused. Notes what it found. */
async function testUser(hub: HubApi, name: string, signal: AbortSignal, notes: string[]): Promise<HubUser> {
  let user = await hub.user(name, signal);
  if (!user) {
    user = await hub.createUser(name, signal);
    notes.push(`created user ${name}`);
  }
  if (user.admin) throw configError(`jupyterhub.spawn: user ${name} is an admin; the probe needs a user of its own (its server is started and stopped at every check)`);
  return user;
}

/** Start → ready → answer through the proxy. A breach is returned; no answer throws. */
async function journey(hub: HubApi, p: SpawnParams, signal: AbortSignal, j: Journey, onStarting: () => void): Promise<void> {
  const user = await testUser(hub, p.user, signal, j.notes);
  if (defaultServer(user) !== undefined) {
    onStarting();
    const left = await stopAndWait(hub, p.user, msOf(p.stopWithin), signal);
    if (!left.stopped) {
      j.breach = `its server was already there (left by an earlier check?) and did not stop within ${p.stopWithin} (${left.last ?? '?'})`;
      return;
    }
    j.notes.push(`its server was already there (left by an earlier check?): stopped it first, in ${seconds(left.ms)} s`);
  }
  onStarting();
  const start = performance.now();
  const spawnDeadline = p.maxSpawnTime === undefined ? Number.POSITIVE_INFINITY : Date.now() + msOf(p.maxSpawnTime);
  await hub.startServer(p.user, signal);
  const ready = await waitReady(hub, p.user, spawnDeadline, signal);
  if (ready.kind === 'gone') {
    j.breach = 'the spawn failed: the server went away before it was ready (see the hub log)';
    return;
  }
  if (ready.kind === 'deadline') {
    j.breach = `not ready after ${p.maxSpawnTime ?? '?'} (maxSpawnTime; pending ${ready.pending ?? 'nothing'})`;
    return;
  }
  j.readyMs = performance.now() - start;
  const path = ready.server.url ?? defaultServerPath(hub.publicUrl, p.user);
  const answerDeadline = Date.now() + msOf(p.answerWithin);
  let last = '';
  for (;;) {
    const answer = await hub.serverStatus(path, signal);
    if (answer.status === 200) {
      j.answeredMs = performance.now() - start;
      return;
    }
    if (answer.status === 401 || answer.status === 403) {
      throw statusError('JupyterHub', `ask the server of ${p.user} its status through the proxy`, answer.status, answer.text, 'the token needs the access:servers scope');
    }
    last = answer.status >= 300 && answer.status < 400 ? `${answer.status} to ${answer.headers.get('location') ?? '?'}: the proxy has no route for it` : `${answer.status}`;
    if (Date.now() >= answerDeadline) break;
    await pause(POLL_MS, signal, `asking the server of ${p.user} through the proxy`);
  }
  j.breach = `ready after ${seconds(j.readyMs)} s, but no answer through the proxy within ${p.answerWithin} (last: ${last})`;
}

/** The result once the journey and the stop are done. */
function judge(p: SpawnParams, j: Journey, stop: { stopped: boolean; ms: number; last?: string }): ProbeResult {
  const parts: string[] = [];
  const breaches: string[] = [];
  if (j.answeredMs !== undefined && j.readyMs !== undefined) {
    parts.push(`spawned in ${seconds(j.answeredMs)} s (ready after ${seconds(j.readyMs)} s, answering through the proxy ${seconds(j.answeredMs - j.readyMs)} s later)`);
    if (p.maxSpawnTime !== undefined && j.answeredMs > msOf(p.maxSpawnTime)) breaches.push(`slower than ${p.maxSpawnTime}`);
  }
  if (j.breach) breaches.push(j.breach);
  parts.push(stop.stopped ? `stopped in ${seconds(stop.ms)} s` : `not stopped within ${p.stopWithin} (${stop.last ?? '?'})`);
  if (!stop.stopped) breaches.push('the server did not stop');
  const detail = `${p.user}: ${[...parts, ...j.notes].join('; ')}${breaches.length ? ` (${breaches.join('; ')})` : ''}`;
  const value = j.answeredMs === undefined ? null : Math.round(j.answeredMs / 10) / 100;
  return { ok: breaches.length === 0, value, detail };
}

/** One journey per check; the server is stopped whatever happens. */
export const spawnProbe = defineProbe<SpawnParams>({
  type: 'jupyterhub.spawn',
  description: 'Synthetic user journey: start a test user\'s server, wait until it answers through the proxy, stop it; value = spawn time (s).',
  params: SpawnParams,
  async check(ctx, p, signal) {
    const { hub } = jupyterhubClient(ctx);
    const key = `${hub.publicUrl} ${p.user}`;
    await afterCleanup(key, signal);
    const j: Journey = { notes: [] };
    let mayRun = false;
    let stopTimedOut = false;
    try {
      await journey(hub, p, signal, j, () => (mayRun = true));
      const stop = mayRun ? await stopAndWait(hub, p.user, msOf(p.stopWithin), signal) : { stopped: true, ms: 0 };
      mayRun = stopTimedOut = !stop.stopped;
      return judge(p, j, stop);
    } finally {
      if (mayRun) {
        const why = stopTimedOut ? 'the stop timed out' : signal.aborted ? 'the check was aborted' : 'the check failed';
        const cleanup = cleanUp(ctx, hub, key, p, why);
        // after a timed-out stop the check has its answer already: the retry goes on in the background
        if (!stopTimedOut) await cleanup;
      }
    }
  },
});
