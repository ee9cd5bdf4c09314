/**
 * Time of the journal's hot writes, each a committed transaction with synchronous=FULL
 * (an fsync of the WAL per call): intendFault (before every injection) and recordProbe
 * (every probe check, every interval). Also halt(), polled every ~250 ms by a running
 * experiment. Prints figures; asserts nothing.
 *
 *   npx tsx bench/journal-write.ts [calls=500] [dir=os.tmpdir()]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultId, Journal } from '../src/experiments/journal.js';
import type { TargetRef } from '../src/targets/types.js';

const calls = Number(process.argv[2] ?? 500);
const dir = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'gameday-bench-journal-'));

function time(fn: (i: number) => void): number[] {
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    fn(i);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return ms.sort((a, b) => a - b);
}

function line(name: string, sorted: number[]): string {
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const f = (v: number) => v.toFixed(3).padStart(8);
  return `${name.padEnd(14)} median ${f(at(0.5))} ms   p99 ${f(at(0.99))} ms   min ${f(sorted[0] ?? NaN)} ms   max ${f(sorted[sorted.length - 1] ?? NaN)} ms`;
}

try {
  const journal = Journal.open(join(dir, 'journal.db'));
  const runId = 'bench-run';
  journal.createRun({ id: runId, experiment: 'bench', file: 'bench.yaml', dryRun: false, spec: { bench: true } });
  const target: TargetRef = { kind: 'kubernetes.pod', id: 'jhub/hub-7c9f8', name: 'hub-7c9f8', ready: true, attributes: { namespace: 'jhub', node: 'worker-002' } };
  const plan = { type: 'kubernetes.pod.delete', target, data: { replicas: 1, labels: { app: 'jupyterhub', component: 'hub' } } };

  const intend = time((i) => journal.intendFault({ id: faultId(runId, i + 1), runId, type: plan.type, target, plan }));
  const probe = time((i) =>
    journal.recordProbe({ runId, phase: 'during', probe: 'hub-up', type: 'jupyterhub.health', status: 'ok', value: i, detail: '200 OK', at: Date.now(), ms: 3.2 }),
  );
  const halt = time(() => journal.halt());
  journal.close();

  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  process.stdout.write(`journal writes, ${calls} calls each, WAL + synchronous=FULL, ${dir}\n`);
  process.stdout.write(`node ${process.version}, ${cpus().length} × ${cpu}\n`);
  process.stdout.write(`${line('intendFault', intend)}\n${line('recordProbe', probe)}\n${line('halt() read', halt)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
