/**
 * A daemon started in-process for a test: a temp dir with a config file (store, tokens file,
 * experiments folder), started on 127.0.0.1 with a free port, and a small API caller.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.js';
import type { LoadedExperiment } from '../../src/experiments/model.js';
import { logger } from '../../src/log.js';

export const VIEWER = 'viewer-token-0123456789abcdef';
export const OPERATOR = 'operator-token-0123456789abcdef';

/** Writes `tokens.yaml` (a viewer and an operator) into `dir` and returns its path. */
export function writeTokens(dir: string): string {
  const file = join(dir, 'tokens.yaml');
  writeFileSync(file, `- { name: alice, role: viewer, token: ${VIEWER} }\n- { name: bob, role: operator, token: ${OPERATOR} }\n`);
  return file;
}

/** The fields of API answers the tests read (each answer has some of them). */
export interface ApiBody {
  error: { code: string; message: string };
  runId: string;
  run: { id: string; state: string; outcome: string | null; reason: string | null };
  runs: { id: string }[];
  currentRun: { runId: string; state: string } | null;
  stopping: string | null;
  halted: boolean;
  election: boolean;
  leader: boolean;
  [key: string]: unknown;
}

export interface DaemonSetup {
  /** Extra YAML lines for the config (top level), e.g. a `targets:` section. */
  configLines?: string[];
  /** Extra keys of the `daemon:` section, as YAML flow entries (`metricsAuth: true`). */
  daemonKeys?: string[];
  /** Experiment files for the daemon's folder: name → YAML; default the shipped catalog. */
  experiments?: Record<string, string>;
  /** Directory to use (default a fresh temp dir). */
  dir?: string;
  load?: (file: string) => Promise<LoadedExperiment>;
  /** Configure no API token at all. */
  noTokens?: boolean;
}

export interface TestDaemon {
  daemon: Daemon;
  dir: string;
  configFile: string;
  call(method: string, path: string, options?: { token?: string; body?: string | object; headers?: Record<string, string> }): Promise<{ status: number; body: ApiBody; text: string; headers: Headers }>;
}

export async function testDaemon(setup: DaemonSetup = {}): Promise<TestDaemon> {
  const dir = setup.dir ?? mkdtempSync(join(tmpdir(), 'gameday-daemon-'));
  const tokens = writeTokens(dir);
  const keys = [...(setup.noTokens ? [] : [`tokensFile: ${tokens}`]), ...(setup.daemonKeys ?? [])];
  if (setup.experiments) {
    const folder = join(dir, 'experiments');
    mkdirSync(folder, { recursive: true });
    for (const [name, text] of Object.entries(setup.experiments)) writeFileSync(join(folder, `${name}.yaml`), text);
    keys.push(`experiments: ${folder}`);
  }
  const configFile = join(dir, 'daemon.yaml');
  writeFileSync(configFile, [`store: { path: ${join(dir, 'gameday.db')} }`, ...(setup.configLines ?? []), `daemon: { ${keys.join(', ')} }`, ''].join('\n'));
  const config = await loadConfig(configFile);
  const daemon = await startDaemon({ config, configFile, listen: '127.0.0.1:0', log: logger, ...(setup.load && { load: setup.load }) });
  return {
    daemon, dir, configFile,
    async call(method, path, options = {}) {
      const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      const res = await fetch(`${daemon.url}${path}`, {
        method,
        headers: { ...(options.token && { Authorization: `Bearer ${options.token}` }), ...(body !== undefined && { 'Content-Type': 'application/json' }), ...options.headers },
        ...(body !== undefined && { body }),
      });
      const text = await res.text();
      let parsed: unknown = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        // metrics are text
      }
      return { status: res.status, body: parsed as ApiBody, text, headers: res.headers };
    },
  };
}
