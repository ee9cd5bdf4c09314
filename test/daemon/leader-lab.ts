/**
 * Helpers of the leader-election tests: candidates on the lab's Kubernetes API (through the
 * real client and HTTP), what each saw, and a TCP relay that can cut one candidate off.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { LeaderElector, type LeaderElectorOptions } from '../../src/daemon/leader.js';
import type { Lab } from '../../src/lab/index.js';
import { memoryLogger } from '../helpers/ctx.js';

/** A kubeconfig file for the lab (or for `server` in its place), removed when the test ends. */
export async function kubeconfigFor(t: ExecutionContext, lab: Lab, server?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gameday-leader-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'kubeconfig');
  const text = server ? lab.kubeconfig().replace(lab.endpoints.kubernetes, server) : lab.kubeconfig();
  await writeFile(file, text, { mode: 0o600 });
  return file;
}

/** One elector and what happened to it. */
export interface Candidate {
  identity: string;
  elector: LeaderElector;
  /** 'started' / 'stopped' in the order the callbacks ran. */
  events: string[];
  /** The signal given to the latest onStartedLeading. */
  signal: AbortSignal | undefined;
  /** performance.now() of the latest onStartedLeading / onStoppedLeading. */
  startedAt: number | undefined;
  stoppedAt: number | undefined;
  lines: Record<string, unknown>[];
}

/** Timings short enough for tests, in the controllers' proportions. */
export const FAST = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 150 };

/** A candidate for lease jhub/`name` (not started); stopped when the test ends. */
export function candidate(
  t: ExecutionContext,
  kubeconfig: string,
  identity: string,
  extra: Partial<LeaderElectorOptions> & { onStart?: (c: Candidate) => void; onStop?: (c: Candidate) => Promise<void> } = {},
): Candidate {
  const { log, lines } = memoryLogger();
  const { onStart, onStop, ...options } = extra;
  const c: Candidate = { identity, elector: undefined as unknown as LeaderElector, events: [], signal: undefined, startedAt: undefined, stoppedAt: undefined, lines };
  c.elector = new LeaderElector({
    kubeconfig, namespace: 'jhub', name: 'gameday', identity, log, ...FAST, ...options,
    onStartedLeading: (signal) => {
      c.events.push('started');
      c.signal = signal;
      c.startedAt = performance.now();
      onStart?.(c);
    },
    onStoppedLeading: async () => {
      c.events.push('stopped');
      c.stoppedAt = performance.now();
      await onStop?.(c);
    },
  });
  t.teardown(() => c.elector.stop());
  return c;
}

/** A TCP relay to `target` (host:port URL) on 127.0.0.1; `cut()` drops every connection and refuses new ones. */
export async function relay(t: ExecutionContext, target: string): Promise<{ url: string; cut(): void }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((inbound) => {
    if (!open) {
      inbound.destroy();
      return;
    }
    const outbound = connect(Number(port), hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${listening}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
  };
}
