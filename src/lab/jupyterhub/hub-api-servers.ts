/**
 * The hub's REST API for a user's default server: start and stop
 * (`/hub/api/users/<name>/server`) and the spawn's progress event stream (`…/server/progress`).
 * Rules, as JupyterHub 3.0's handlers keep them: start and stop wait up to the slow timeouts
 * (10 s simulated) and answer 201/204 when done by then, 202 when still pending; the stream
 * replays the spawn's events, sends keepalive blank lines every 8 s, and ends with exactly one
 * `ready` or `failed` event; a stream whose hub process ends is cut.
 */
import type { ServerResponse } from 'node:http';
import { SLOW_TIMEOUT_MS } from './hub-settings.js';
import { HubError, HubGone, LAB_HUB_VERSION, sendHub } from './hub-http.js';
import { jsonBody } from './hub-api-users.js';
import type { HubContext, HubRoute } from './hub-routes.js';
import { pyJson } from './python-format.js';
import { failedEvent, readyEvent, type ProgressEvent } from './spawn-progress.js';
import { userUrl } from './user-models.js';

const API = 'jupyterhub.apihandlers';

/** tornado's keepalive interval of the progress stream (simulated ms). */
export const KEEPALIVE_MS = 8_000;

function sendTextStatus(res: ServerResponse, status: number): void {
  sendHub(res, status, '', 'text/plain');
}

/** Whether a ready server's pod is still there (KubeSpawner's poll); a gone one is cleaned up first. */
function stillRunning(ctx: HubContext, name: string): boolean {
  const pod = ctx.hub.userPod(name);
  if (pod && pod.status.phase !== 'Succeeded' && pod.status.phase !== 'Failed') return true;
  ctx.hub.pollServers();
  return false;
}

async function startServer(ctx: HubContext): Promise<void> {
  const name = ctx.params[0] ?? '';
  const { hub } = ctx;
  if (!hub.user(name)) throw new HubError(404);
  const pending = hub.pending(name);
  if (pending === 'spawn') return sendTextStatus(ctx.res, 202);
  if (pending) throw new HubError(400, `${name} is pending ${pending}`);
  if (hub.ready(name) && stillRunning(ctx, name)) throw new HubError(400, `${name} is already running`);
  await jsonBody(ctx);
  const attempt = hub.spawn(name);
  const outcome = await ctx.within(attempt.result.done, SLOW_TIMEOUT_MS);
  if (outcome === 'timeout') return sendTextStatus(ctx.res, 202);
  if (outcome.kind === 'lost') throw new HubGone();
  if (outcome.kind === 'failed') throw new HubError(500, outcome.reason);
  sendTextStatus(ctx.res, 201);
}

async function stopServer(ctx: HubContext): Promise<void> {
  const name = ctx.params[0] ?? '';
  const { hub } = ctx;
  const options = await jsonBody(ctx);
  if (!hub.user(name)) throw new HubError(500);
  if (typeof options === 'object' && options !== null && (options as Record<string, unknown>)['remove']) throw new HubError(400, 'Cannot delete the default server');
  const pending = hub.pending(name);
  if (pending === 'stop') return sendTextStatus(ctx.res, 202);
  if (pending) throw new HubError(400, `${name} is pending ${pending}, please wait`);
  if (hub.ready(name) && stillRunning(ctx, name)) {
    const stop = hub.stop(name);
    if ((await ctx.within(stop.result.done, SLOW_TIMEOUT_MS)) === 'timeout') return sendTextStatus(ctx.res, 202);
  }
  sendHub(ctx.res, 204, '', undefined);
}

function writeEvent(res: ServerResponse, event: ProgressEvent): void {
  res.write(`data: ${pyJson(event)}\n\n`);
}

function openStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-jupyterhub-version': LAB_HUB_VERSION });
}

async function progress(ctx: HubContext): Promise<void> {
  const name = ctx.params[0] ?? '';
  const { hub, res } = ctx;
  const user = hub.user(name);
  if (!user?.hasSpawner) throw new HubError(404);
  if (hub.ready(name)) {
    openStream(res);
    writeEvent(res, readyEvent(userUrl(name)));
    res.end();
    return;
  }
  const attempt = hub.spawnAttempt(name);
  if (!attempt) {
    const cause = hub.failure(name);
    if (cause === undefined) throw new HubError(400, `${name} is not starting...`);
    openStream(res);
    writeEvent(res, failedEvent(cause));
    res.end();
    return;
  }
  openStream(res);
  res.write('\n\n');
  await ctx.waiting(new Promise<void>((resolve) => {
    let done = false;
    let unsubscribe = (): void => undefined;
    let keepalive = ctx.clock.setTimeout(beat, KEEPALIVE_MS);
    function beat(): void {
      res.write('\n\n');
      keepalive = ctx.clock.setTimeout(beat, KEEPALIVE_MS);
    }
    function finish(): void {
      if (done) return;
      done = true;
      ctx.clock.clearTimeout(keepalive);
      unsubscribe();
      ctx.signal.removeEventListener('abort', cut);
      res.off('close', finish);
      resolve();
    }
    function cut(): void {
      finish();
      res.destroy();
    }
    ctx.signal.addEventListener('abort', cut, { once: true });
    res.on('close', finish);
    unsubscribe = attempt.progress.listen((event) => {
      if (done) return;
      writeEvent(res, event);
      if (event.ready || event.failed) {
        res.end();
        finish();
      }
    });
  }));
}

/** The server and progress API routes. */
export function serverApiRoutes(): HubRoute[] {
  return [
    {
      pattern: /^\/hub\/api\/users\/([^/]+)\/server$/,
      handler: `${API}.users.UserServerAPIHandler`,
      api: true,
      methods: { POST: { scopes: ['servers'], run: startServer }, DELETE: { scopes: ['delete:servers'], run: stopServer } },
    },
    {
      pattern: /^\/hub\/api\/users\/([^/]+)\/server\/progress$/,
      handler: `${API}.users.SpawnProgressAPIHandler`,
      api: true,
      methods: { GET: { scopes: ['read:servers'], run: progress } },
    },
  ];
}
