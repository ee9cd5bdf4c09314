/**
 * A lab started in-process for a test, with the target settings, engine settings and a
 * journal pointing at it. Everything lives in a fresh temp dir; `close()` ends it all.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab } from '../../src/lab/index.js';
import { Journal } from '../../src/experiments/journal.js';
import type { EngineSettings } from '../../src/experiments/runner.js';

export interface LabEnv {
  lab: Lab;
  dir: string;
  journal: Journal;
  targets: Record<string, unknown>;
  settings: EngineSettings;
  /** A config file for CLI children, pointing at this lab and this journal. */
  configFile: string;
  close(): Promise<void>;
}

export async function labEnv(speed = 20): Promise<LabEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-e2e-'));
  const lab = await startLab({ speed, ports: { kubernetes: 0, jupyterhub: 0, openstack: 0, glusterfs: 0, prometheus: 0, proxyApi: 0 }, stateDir: dir });
  const targets = lab.targetSettings();
  const storePath = join(dir, 'gameday.db');
  const configFile = join(dir, 'gameday.yaml');
  writeFileSync(
    configFile,
    [
      `store: { path: ${storePath} }`,
      'log: { level: info, format: json }',
      'restore: { attempts: 6, initialDelay: 100ms, maxDelay: 1s }',
      'targets:',
      ...Object.entries(targets).map(([name, section]) => `  ${name}: ${JSON.stringify(section)}`),
      '',
    ].join('\n'),
  );
  const journal = Journal.open(storePath);
  const settings: EngineSettings = {
    safety: { oneRunAtATime: true, deny: ['master'] },
    restore: { attempts: 6, initialDelayMs: 100, maxDelayMs: 1000 },
    targets,
  };
  return {
    lab, dir, journal, targets, settings, configFile,
    async close() {
      journal.close();
      await lab.close();
    },
  };
}

/** Polls `check` every 25 ms until it returns a truthy value or `ms` pass. */
export async function waitFor<T>(check: () => T | Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
