/**
 * The real Prometheus 2.42 that .ci/run brings up with scripts/prometheus/up.sh
 * (127.0.0.1:9090, scrape and evaluation every 1 s; jobs `prometheus`, `lab` at
 * 127.0.0.1:19090, `gameday` at 127.0.0.1:9464 and, with a hub, `jupyterhub`; alerting rules
 * LabTestAlert, LabTestAlertSlow, JupyterHubDown). Its state dir comes from
 * GAMEDAY_PROMETHEUS_STATE; a missing variable or a Prometheus that is not ready is a failure
 * that says how to bring it up, never a skip.
 *
 * Plain fetch against the HTTP API, independent of gameday's Prometheus client, so a bug
 * there cannot hide behind the same bug here.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readEnvFile } from '../../helpers/service-state.js';

/** One series of an instant vector, as /api/v1/query returns it. */
export interface Sample {
  metric: Record<string, string>;
  /** [unix seconds, value as Prometheus prints it: "1", "0.5", "NaN"…] */
  value: [number, string];
}

export interface RealPrometheus {
  /** Base URL, e.g. http://127.0.0.1:9090 */
  url: string;
  /** The port the `lab` job scrapes: start the lab's Prometheus exposition there. */
  labPort: number;
  /** Evaluates `expr` now; throws with Prometheus' error on a bad expression or a non-vector result. */
  query(expr: string): Promise<Sample[]>;
  /** Polls `expr` until `predicate` holds on its result; returns that result, throws with the last one after `timeoutMs`. */
  waitFor(expr: string, predicate: (result: Sample[]) => boolean, timeoutMs: number): Promise<Sample[]>;
}

const HOW = (state: string): string =>
  `bring Prometheus up first ([GAMEDAY_JUPYTERHUB_STATE=<hub state>] bash scripts/prometheus/up.sh ${state}) and run with GAMEDAY_PROMETHEUS_STATE=${state}, as .ci/run does`;

/** The Prometheus of GAMEDAY_PROMETHEUS_STATE, checked ready; throws (never skips) otherwise. */
export async function realPrometheus(): Promise<RealPrometheus> {
  const raw = process.env['GAMEDAY_PROMETHEUS_STATE'];
  if (!raw) throw new Error(`GAMEDAY_PROMETHEUS_STATE is not set: ${HOW('$PWD/var/prometheus')}`);
  const state = resolve(raw);
  const envFile = join(state, 'env');
  if (!existsSync(envFile)) throw new Error(`no ${envFile}: Prometheus is not up at ${state}; ${HOW(state)}`);
  const env = readEnvFile(envFile);
  const url = env['PROMETHEUS_URL'];
  const labPort = Number(env['LAB_METRICS_PORT']);
  if (!url || !Number.isInteger(labPort)) throw new Error(`${envFile} lacks PROMETHEUS_URL or LAB_METRICS_PORT; ${HOW(state)}`);
  let ready: Response;
  try {
    ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(5_000) });
    await ready.body?.cancel();
  } catch (err) {
    throw new Error(`Prometheus at ${url} does not answer (${(err as Error).message}); ${HOW(state)}`, { cause: err });
  }
  if (ready.status !== 200) throw new Error(`Prometheus at ${url} is not ready (/-/ready: ${ready.status}); ${HOW(state)}`);

  const query = async (expr: string): Promise<Sample[]> => {
    const res = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      body: new URLSearchParams({ query: expr }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${res.status} ${body.error ?? 'no error message'}`);
    if (body.data?.resultType !== 'vector') throw new Error(`query ${expr}: a ${body.data?.resultType ?? '?'} result, expected a vector`);
    return body.data.result as Sample[];
  };

  const waitFor = async (expr: string, predicate: (result: Sample[]) => boolean, timeoutMs: number): Promise<Sample[]> => {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      try {
        const result = await query(expr);
        if (predicate(result)) return result;
        last = JSON.stringify(result);
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting on ${expr}; last: ${last}`);
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
  };

  return { url, labPort, query, waitFor };
}
