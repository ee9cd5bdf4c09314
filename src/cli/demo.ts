/**
 * `gameday demo`: starts the lab in-process, runs every catalog experiment the lab can host
 * against it, and prints the verdicts and where the records and reports are. Time is
 * compressed like the lab's clock: an experiment's duration, interval and recovery bound
 * are divided by --speed, so a whole game day takes seconds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadExperiment } from '../experiments/load.js';
import type { LoadedExperiment } from '../experiments/model.js';
import { runExperiment, type RunResult } from '../experiments/runner.js';
import { Journal } from '../experiments/journal.js';
import { recoverLeftovers } from '../experiments/recover.js';
import { startLab } from '../lab/index.js';
import { runMarkdown } from '../report/markdown.js';
import { catalogFiles } from '../experiments/catalog.js';
import { engineSettings } from '../experiments/settings.js';
import { loadCliConfig, type CliOptions } from './context.js';
import { EXIT } from './exit-codes.js';
import { progressPrinter } from './progress.js';

/** Target systems the lab serves in this version. */
const LAB_TARGETS = ['glusterfs.', 'host.', 'jupyterhub.', 'kubernetes.', 'openstack.', 'prometheus.', 'http'];
/** Catalog experiments written for a platform shape the lab does not have. */
const NOT_ON_LAB = new Map([['kill-hub-process', 'the lab runs its hub in Kubernetes, not as a process on a VM']]);

/** The experiment with its times divided by `speed` (never below 100 ms per step). */
export function compressTime(exp: LoadedExperiment, speed: number): LoadedExperiment {
  const scale = (ms: number): number => Math.max(100, Math.round(ms / speed));
  return {
    ...exp,
    fault: { ...exp.fault, durationMs: scale(exp.fault.durationMs) },
    steadyState: { ...exp.steadyState, intervalMs: scale(exp.steadyState.intervalMs) },
    recovery: { withinMs: scale(exp.recovery.withinMs) },
  };
}

/** Runs the demo game day; exit 0 unless a restore failed (other verdicts are findings about the lab, not errors). */
export async function demoCommand(options: CliOptions & { speed?: string }): Promise<void> {
  const speed = Number(options.speed ?? '10');
  if (!(speed > 0)) throw new Error(`--speed must be a positive number, got ${String(options.speed)}`);
  const config = await loadCliConfig({ ...options, progress: true });
  // the demo has a store of its own: its faults live in a lab that dies with it, so they
  // must never be "restored" against real targets by a later run, nor real ones against the lab
  const storeDir = join(dirname(config.store.path), 'demo');
  const storePath = join(storeDir, 'gameday.db');
  const lab = await startLab({ speed, ports: { kubernetes: 0, jupyterhub: 0, openstack: 0, glusterfs: 0, prometheus: 0, proxyApi: 0 }, stateDir: resolve(storeDir, 'demo-lab') });
  const targets = { ...config.targets, ...lab.targetSettings() };
  const settings = engineSettings(config, targets);
  const journal = Journal.open(storePath);
  const out = process.stdout;
  const results: { exp: string; result: RunResult; report: string }[] = [];
  try {
    out.write(`lab up: Kubernetes ${lab.endpoints.kubernetes}, JupyterHub ${lab.endpoints.jupyterhub}, OpenStack ${lab.endpoints.openstack}, Prometheus ${lab.endpoints.prometheus} (speed ×${speed})\n`);
    // runs left open by an earlier demo that was killed belong to a lab that no longer exists
    await recoverLeftovers({ journal, restore: settings.restore, targets, scanMarkers: false });
    for (const file of catalogFiles()) {
      const exp = await loadExperiment(file);
      if (!LAB_TARGETS.some((t) => exp.fault.type.startsWith(t))) continue;
      const elsewhere = NOT_ON_LAB.get(exp.name);
      if (elsewhere) {
        out.write(`\nskipped ${exp.name}: ${elsewhere}\n`);
        continue;
      }
      out.write(`\n`);
      const result = await runExperiment({ experiment: compressTime(exp, speed), journal, settings, listener: progressPrinter(out) });
      const detail = journal.getRun(result.runId);
      const report = join(storeDir, 'reports', `${result.runId}.md`);
      if (detail) {
        mkdirSync(dirname(report), { recursive: true });
        writeFileSync(report, runMarkdown(detail));
      }
      results.push({ exp: exp.name, result, report });
    }
  } finally {
    journal.close();
    await lab.close();
  }
  out.write('\ngame day summary\n');
  for (const r of results) out.write(`  ${r.result.outcome.padEnd(17)} ${r.exp.padEnd(24)} ${r.report}\n`);
  out.write(`\nrun records: ${storePath}\n  npx gameday history --store ${storePath}\n  npx gameday show RUN_ID --store ${storePath}\n`);
  if (results.some((r) => r.result.outcome !== 'passed' && r.result.outcome !== 'restore-failed')) {
    out.write('A verdict other than passed is a finding about the simulated platform (targets are picked at random), not a failure of the demo.\n');
  }
  // the demo fails only when gameday itself could not put the lab back
  process.exitCode = results.some((r) => r.result.outcome === 'restore-failed') ? EXIT.restoreFailed : EXIT.ok;
}
