/**
 * The daemon's HTTP API: what each route answers and the role it needs. Probes and metrics
 * are public (metrics behind a viewer token when `daemon.metricsAuth` is on); reads need a
 * viewer token; starting, aborting, halting and resuming need an operator token. Run
 * records are served exactly as `gameday show --json` prints them (secrets masked).
 */
import { z } from 'zod';
import type { Journal } from '../experiments/journal.js';
import { halted, registry } from '../metrics.js';
import type { Logger } from '../log.js';
import { publicRunDetail } from '../report/public.js';
import type { DaemonGate } from './gate.js';
import { errorReply, type Reply, type Route } from './http.js';

/** What the API reads from the rest of the daemon. */
export interface ApiDeps {
  journal: Journal;
  gate: DaemonGate;
  metricsAuth: boolean;
  log: Logger;
  /** Why the daemon is not ready (empty when it is). */
  notReady(): string[];
  /** Start of the next planned game day, if any. */
  nextGameday(): Date | undefined;
  /** Leader election: whether it is on, and whether this replica leads. */
  leadership(): { election: boolean; leader: boolean; identity?: string };
  /** Brings the daemon's gauges up to date before a scrape. */
  beforeScrape(): void;
}

const StartRun = z.object({
  experiment: z.string().min(1, { error: 'expected the name of a catalog experiment' }),
  dryRun: z.boolean().optional(),
}).strict();

const Halt = z.object({ reason: z.string().max(500).optional() }).strict();
const Empty = z.object({}).strict();

const Limit = z.coerce.number().int().min(1).max(1000);

function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

/** Every route of the API. */
export function apiRoutes(deps: ApiDeps): Route[] {
  const { journal, gate } = deps;
  return [
    { method: 'GET', path: '/healthz', access: 'public', handle: () => ok({ status: 'ok' }) },
    {
      method: 'GET', path: '/readyz', access: 'public',
      handle: () => {
        const reasons = deps.notReady();
        return reasons.length ? errorReply(503, 'not-ready', reasons.join('; ')) : ok({ status: 'ready' });
      },
    },
    {
      method: 'GET', path: '/metrics', access: deps.metricsAuth ? 'viewer' : 'public',
      handle: async () => {
        deps.beforeScrape();
        return { status: 200, text: { contentType: registry.contentType, data: await registry.metrics() } };
      },
    },
    {
      method: 'GET', path: '/api/status', access: 'viewer',
      handle: () => {
        const halt = journal.halt();
        const next = deps.nextGameday();
        const lock = journal.lockHolder();
        return ok({
          halted: halt.on,
          halt,
          currentRun: gate.current() ?? null,
          lock: lock ?? null,
          nextGameday: next ? next.toISOString() : null,
          ...deps.leadership(),
          refusing: gate.refusal() ?? null,
        });
      },
    },
    {
      method: 'GET', path: '/api/runs', access: 'viewer',
      handle: ({ query }) => {
        const raw = query.get('limit');
        const limit = raw === null ? { success: true as const, data: 20 } : Limit.safeParse(raw);
        if (!limit.success) return errorReply(400, 'invalid-query', `limit: expected an integer from 1 to 1000, got ${JSON.stringify(raw)}`);
        const experiment = query.get('experiment');
        return ok({ runs: journal.listRuns({ limit: limit.data, ...(experiment ? { experiment } : {}) }) });
      },
    },
    {
      method: 'GET', path: '/api/runs/:id', access: 'viewer',
      handle: ({ params }) => {
        const detail = journal.getRun(params.id!);
        return detail ? ok(publicRunDetail(detail)) : errorReply(404, 'no-such-run', `no run ${params.id!}`);
      },
    },
    {
      method: 'POST', path: '/api/runs', access: 'operator',
      handle: async ({ body, caller }) => {
        const request = await body(StartRun);
        if (!gate.entry(request.experiment)) {
          return errorReply(400, 'unknown-experiment', `unknown experiment ${JSON.stringify(request.experiment)}; known: ${gate.names().join(', ')}`);
        }
        const lead = deps.leadership();
        if (lead.election && !lead.leader) return errorReply(503, 'not-leader', 'not the leader: only the leader replica starts runs');
        const answer = await gate.start({ experiment: request.experiment, dryRun: !!request.dryRun, by: `${caller?.name ?? '?'}@api` });
        if ('refused' in answer) return errorReply(409, 'refused', answer.refused);
        answer.done.catch((err: unknown) => deps.log.error('run failed outside its record', { runId: answer.runId, error: err }));
        return ok({ runId: answer.runId }, 202);
      },
    },
    {
      method: 'POST', path: '/api/runs/:id/abort', access: 'operator',
      handle: async ({ params, body, caller }) => {
        await body(Empty);
        const detail = journal.getRun(params.id!);
        if (!detail) return errorReply(404, 'no-such-run', `no run ${params.id!}`);
        const { run } = detail;
        if (gate.abort(run.id)) {
          deps.log.warn('run abort requested', { runId: run.id, by: `${caller?.name ?? '?'}@api` });
          return ok({ runId: run.id, aborting: true }, 202);
        }
        if (run.state === 'done') return errorReply(409, 'not-running', `run ${run.id} has already ended (${run.outcome ?? 'no outcome'})`);
        return errorReply(409, 'not-here', `run ${run.id} is not running in this daemon (pid ${run.pid} on ${run.host}); halt stops runs everywhere`);
      },
    },
    {
      method: 'POST', path: '/api/halt', access: 'operator',
      handle: async ({ body, caller }) => {
        const { reason } = await body(Halt);
        journal.setHalt(true, { ...(reason ? { reason } : {}), by: `${caller?.name ?? '?'}@api` });
        halted.set(1);
        const stopping = gate.current()?.runId ?? journal.lockHolder()?.runId ?? null;
        deps.log.warn('halted through the API', { by: caller?.name, reason, stopping });
        return ok({ halted: true, reason: reason ?? null, stopping });
      },
    },
    {
      method: 'POST', path: '/api/resume', access: 'operator',
      handle: async ({ body, caller }) => {
        await body(Empty);
        journal.setHalt(false, { by: `${caller?.name ?? '?'}@api` });
        halted.set(0);
        deps.log.info('resumed through the API', { by: caller?.name });
        return ok({ halted: false });
      },
    },
  ];
}
