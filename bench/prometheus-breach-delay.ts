/**
 * Delay from a metric change in an exporter to the breach recorded by gameday, through the
 * real Prometheus 2.42 of scripts/prometheus/up.sh (state dir in GAMEDAY_PROMETHEUS_STATE),
 * which scrapes the lab's exposition on 127.0.0.1:19090 every second. Each trial: a gauge
 * of the lab's exporter at 1 (the probe `< 5` passes), the engine's 'during' checks running
 * every INTERVAL ms (default 1000; checkPhase with its journal and ProbeMemory, as the
 * runner does), the gauge set to 10 at a random instant, and the time until a check that
 * counts as failed has been written to the journal. TRIALS (default 30). Prints figures
 * (the delay, and the check latency); asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import winston from 'winston';
import { makeCtx } from '../src/experiments/ctx.js';
import { Journal } from '../src/experiments/journal.js';
import type { LoadedProbe } from '../src/experiments/model.js';
import { checkPhase, ProbeMemory } from '../src/experiments/probes.js';
import { probeTypes } from '../src/targets/registry.js';
import { labExporter } from '../test/integration/prometheus/lab-exporter.js';
import { realPrometheus } from '../test/integration/prometheus/real-prometheus.js';
import { machine, printStats } from './stats.js';

const TRIALS = Number(process.env['TRIALS'] ?? 30);
const INTERVAL = Number(process.env['INTERVAL_MS'] ?? 1000);
const GAUGE = 'gameday_bench_breach';

const prom = await realPrometheus();
const lab = await labExporter(prom);
const dir = mkdtempSync(join(tmpdir(), 'gameday-prom-breach-'));
const journal = Journal.open(join(dir, 'bench.db'));
journal.createRun({ id: 'bench', experiment: 'prometheus-breach-delay', file: 'bench/prometheus-breach-delay.ts', dryRun: false, spec: {} });
const log = winston.createLogger({ silent: true });
const ctx = makeCtx('bench', log, new AbortController().signal, { prometheus: { url: prom.url, timeout: '5s' } });
const type = probeTypes.get('prometheus.query')!;
const probe: LoadedProbe = {
  name: 'bench-gauge',
  type: 'prometheus.query',
  probe: type,
  phases: ['during'],
  timeoutMs: 5000,
  onError: 'fail',
  breachAfter: 1,
  params: type.params.parse({ query: `${GAUGE}{bench="breach"}`, expect: '< 5' }),
};

const delays: number[] = [];
const checks: number[] = [];
try {
  for (let trial = 0; trial < TRIALS; trial++) {
    const memory = new ProbeMemory();
    lab.world.metrics.set(GAUGE, { bench: 'breach' }, 1);
    await prom.waitFor(`${GAUGE}{bench="breach"}`, (r) => r.length === 1 && r[0]?.value[1] === '1', 10_000);
    let changedAt: number | undefined;
    const change = sleep(Math.random() * 2000).then(() => {
      lab.world.metrics.set(GAUGE, { bench: 'breach' }, 10);
      changedAt = performance.now();
    });
    const deadline = performance.now() + 15_000;
    for (;;) {
      const round = performance.now();
      const [outcome] = await checkPhase(ctx, [probe], 'during', journal, memory);
      checks.push(performance.now() - round);
      if (outcome?.failed && changedAt !== undefined) {
        delays.push(performance.now() - changedAt);
        break;
      }
      if (outcome?.status === 'error') throw new Error(`probe error: ${outcome.detail}`);
      if (performance.now() > deadline) throw new Error(`trial ${trial}: no breach 15 s after the change`);
      await sleep(Math.max(0, INTERVAL - (performance.now() - round)));
    }
    await change;
  }
  console.log(`prometheus-breach-delay: real Prometheus at ${prom.url} scraping the lab exporter every 1 s; checks every ${INTERVAL} ms; ${TRIALS} trials; ${machine()}`);
  printStats('metric change → breach recorded in the journal', delays);
  printStats('one check (query + journal write)', checks);
} finally {
  lab.world.metrics.delete(GAUGE, { bench: 'breach' });
  journal.close();
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
}
