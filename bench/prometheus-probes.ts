/**
 * Latency of each Prometheus probe against the real Prometheus 2.42 of
 * scripts/prometheus/up.sh (state dir in GAMEDAY_PROMETHEUS_STATE), over its own series (no
 * lab needed): one check = what the engine calls once per probe per interval, through the
 * run's cached client. Probes: prometheus.query on one series, on an aggregate of a rate,
 * on every series of a histogram's buckets (each), the same with the staleness guard (maxAge: its extra
 * query, sent alongside), a baseline comparison; prometheus.alerts; and plain fetch of the
 * same first query (no gameday code) for reference. RUNS (default 200) checks each after
 * WARMUP (default 10), sequentially. Prints figures; asserts nothing.
 */
import winston from 'winston';
import { makeCtx } from '../src/experiments/ctx.js';
import { probeTypes } from '../src/targets/registry.js';
import type { ProbeResult, ProbeRun } from '../src/targets/types.js';
import { realPrometheus } from '../test/integration/prometheus/real-prometheus.js';
import { machine, printStats } from './stats.js';

const RUNS = Number(process.env['RUNS'] ?? 200);
const WARMUP = Number(process.env['WARMUP'] ?? 10);

const prom = await realPrometheus();
const log = winston.createLogger({ silent: true });
const ctx = makeCtx('bench', log, new AbortController().signal, { prometheus: { url: prom.url, timeout: '10s' } });
const MANY = 'prometheus_http_request_duration_seconds_bucket';
const series = (await prom.query(MANY)).length;

interface Case {
  label: string;
  type: string;
  params: Record<string, unknown>;
  run?: ProbeRun;
}

const cases: Case[] = [
  { label: 'query up{job="prometheus"} == 1', type: 'prometheus.query', params: { query: 'up{job="prometheus"}', expect: '== 1' } },
  { label: 'query sum(rate(…[1m])) (1 series)', type: 'prometheus.query', params: { query: 'sum(rate(prometheus_http_requests_total[1m]))', expect: '>= 0' } },
  { label: `query each of ${series} series`, type: 'prometheus.query', params: { query: MANY, expect: '>= 0' } },
  { label: 'query up == 1, maxAge 10s', type: 'prometheus.query', params: { query: 'up{job="prometheus"}', expect: '== 1', maxAge: '10s' } },
  { label: 'query sum(rate(…[1m])), maxAge 10s', type: 'prometheus.query', params: { query: 'sum(rate(prometheus_http_requests_total[1m]))', expect: '>= 0', maxAge: '10s' } },
  { label: `query each of ${series} series, maxAge 10s`, type: 'prometheus.query', params: { query: MANY, expect: '>= 0', maxAge: '10s' } },
  { label: 'query count(up) within 50% of before', type: 'prometheus.query', params: { query: 'count(up)', expect: 'within 50% of before' }, run: { phase: 'during', baseline: 0 } },
  { label: 'alerts (no filter)', type: 'prometheus.alerts', params: {} },
  { label: 'alerts severity critical, except one', type: 'prometheus.alerts', params: { severity: ['critical'], except: [{ alertname: 'JupyterHubDown' }] } },
];

async function timeChecks(c: Case): Promise<number[]> {
  const probe = probeTypes.get(c.type);
  if (!probe) throw new Error(`no probe ${c.type}`);
  const params = probe.params.parse(c.params);
  const once = (): Promise<ProbeResult> => probe.check(ctx, params, new AbortController().signal, c.run);
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t0 = performance.now();
    await once();
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  return times;
}

async function timeFetch(query: string): Promise<number[]> {
  const url = `${prom.url}/api/v1/query?${new URLSearchParams({ query })}`;
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.json();
    if (i >= WARMUP) times.push(performance.now() - t0);
  }
  return times;
}

// the baseline case compares with the value a before check records
const baselineCase = cases.find((c) => c.run !== undefined);
if (baselineCase) {
  const probe = probeTypes.get(baselineCase.type)!;
  const before = await probe.check(ctx, probe.params.parse(baselineCase.params), new AbortController().signal, { phase: 'before', baseline: undefined });
  baselineCase.run = { phase: 'during', baseline: before.value as number };
}

console.log(`prometheus-probes: real Prometheus at ${prom.url} (scrape 1 s), ${RUNS} sequential checks per probe after ${WARMUP} warm-up; ${machine()}`);
printStats('fetch /api/v1/query up{job="prometheus"} (raw)', await timeFetch('up{job="prometheus"}'));
for (const c of cases) printStats(c.label, await timeChecks(c));
