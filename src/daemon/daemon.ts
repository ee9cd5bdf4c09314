/**
 * The long-running gameday: leftovers restored first, then the scheduler, then the HTTP
 * API. With leader election on, only the leader recovers, schedules and runs; a replica
 * that loses the lease stops scheduling and aborts its run (which restores). `close()`
 * stops everything in order — no new runs, scheduling, the current run (restored), the
 * lease, the HTTP server, the store — logs each step, runs every step even when one
 * fails, and is idempotent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import { Journal } from '../experiments/journal.js';
import type { LoadedExperiment } from '../experiments/model.js';
import { loadCatalog } from '../experiments/catalog.js';
import { recoverLeftovers } from '../experiments/recover.js';
import { engineSettings } from '../experiments/settings.js';
import { GamedayError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { halted } from '../metrics.js';
import { historyFromJournal } from '../scheduler/history.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { apiRoutes } from './api.js';

import { DaemonGate } from './gate.js';
import { router } from './http.js';
import { LeaderElector } from './leader.js';
import { leader as leaderGauge, nextGamedayTimestampSeconds } from './metrics.js';
import { TokenTable } from './tokens.js';

/** A running daemon. */
export interface Daemon {
  /** Base URL of its HTTP API, e.g. `http://127.0.0.1:9464`. */
  url: string;
  /** Stops it all (see the file comment). Idempotent; rejects with every step's error once all steps ran. */
  close(): Promise<void>;
}

export interface DaemonOptions {
  config: Config;
  configFile?: string;
  /** Overrides `daemon.listen` (tests: `127.0.0.1:0`). */
  listen?: string;
  log: Logger;
  /** Loads a catalog file before a run; default `loadExperiment` (tests shorten times with it). */
  load?: (file: string) => Promise<LoadedExperiment>;
}

function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  return { host: listen.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(listen.slice(at + 1)) };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    // EADDRINUSE, EADDRNOTAVAIL, EACCES: the operator's address, said plainly (no stack)
    const failed = (err: Error): void => reject(new GamedayError(`cannot listen on ${host}:${port}: ${errorMessage(err)}`, { cause: err }));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  server.closeIdleConnections();
  // requests still in flight get a moment, then their connections are cut
  const cut = setTimeout(() => server.closeAllConnections(), 1000);
  try {
    await closed;
  } finally {
    clearTimeout(cut);
  }
}

/** Starts the daemon; on a failure while starting, whatever was started is stopped again. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { config, log } = options;
  const dc = config.daemon;
  const tokens = TokenTable.load(dc);
  const catalog = await loadCatalog(dc.experiments);
  const { host, port } = splitListen(options.listen ?? dc.listen);
  if (!tokens.size) log.warn('no API tokens configured: only /healthz, /readyz and /metrics are served; /api/* answers 401', { listen: `${host}:${port}` });
  if (!isLoopback(host)) log.warn('the HTTP API listens beyond this host', { host });

  const journal = Journal.open(config.store.path);
  halted.set(journal.halt().on ? 1 : 0);
  const settings = engineSettings(config);
  const gate = new DaemonGate({ journal, settings, catalog, log, ...(options.load && { load: options.load }) });
  gate.close('the daemon is starting (restoring leftovers)');
  // the store's history (runs from the CLI and from earlier daemons too) drives minInterval and round-robin
  const scheduler = new Scheduler({ config: config.schedule, catalog, gate, log: log.child({ component: 'scheduler' }), history: () => historyFromJournal(journal) });
  let scheduling = false;
  let recovered = false;
  let leading = !dc.leaderElection.enabled;
  let serverUp = false;
  let storeOpen = true;
  const server = createServer();

  const recoverThenSchedule = async (): Promise<void> => {
    recovered = false;
    log.info('restoring leftovers of earlier runs');
    const report = await recoverLeftovers({ journal, restore: settings.restore, targets: settings.targets, log });
    if (report.failed.length) log.error('leftovers still not restored; runs are refused until they are', { failed: report.failed });
    else log.info('leftovers checked', { restored: report.restored.length, closedRuns: report.closedRuns.length });
    recovered = true;
    gate.open();
    scheduler.start();
    scheduling = true;
    log.info('scheduler started', { next: scheduler.nextStart()?.toISOString() ?? null });
  };

  const stopRunning = async (why: string): Promise<void> => {
    gate.close(why);
    gate.abortCurrent();
    if (scheduling) {
      scheduling = false;
      await scheduler.stop();
    }
    await gate.idle();
  };

  const elector = dc.leaderElection.enabled
    ? new LeaderElector({
      ...(dc.leaderElection.kubeconfig !== undefined && { kubeconfig: dc.leaderElection.kubeconfig }),
      namespace: dc.leaderElection.namespace ?? 'default',
      name: dc.leaderElection.name,
      identity: dc.leaderElection.identity,
      leaseDurationMs: dc.leaderElection.leaseDurationMs,
      renewDeadlineMs: dc.leaderElection.renewDeadlineMs,
      retryPeriodMs: dc.leaderElection.retryPeriodMs,
      log: log.child({ component: 'leader' }),
      onStartedLeading: async () => {
        leading = true;
        leaderGauge.set(1);
        log.info('leading: recovering, then scheduling', { identity: dc.leaderElection.identity });
        await recoverThenSchedule();
      },
      onStoppedLeading: async () => {
        leading = false;
        leaderGauge.set(0);
        log.warn('lost leadership: scheduling stopped, the current run is aborted and restores');
        await stopRunning('not the leader');
      },
    })
    : undefined;

  const refreshGauges = (): void => {
    // the halt switch may have been flipped by another process (`gameday halt` on this store)
    if (storeOpen) halted.set(journal.halt().on ? 1 : 0);
    const next = scheduling ? scheduler.nextStart() : undefined;
    nextGamedayTimestampSeconds.set(next ? Math.floor(next.getTime() / 1000) : 0);
  };

  server.on('request', router(apiRoutes({
    journal, gate, metricsAuth: dc.metricsAuth, log,
    notReady: () => [
      ...(storeOpen ? [] : ['the store is closed']),
      ...(serverUp ? [] : ['the HTTP server is not listening']),
      ...(leading && !recovered ? ['leftovers are still being restored'] : []),
    ],
    nextGameday: () => (scheduling ? scheduler.nextStart() : undefined),
    leadership: () => ({ election: !!elector, leader: leading, ...(elector && { identity: dc.leaderElection.identity }) }),
    beforeScrape: refreshGauges,
  }), { tokens, bodyLimit: dc.bodyLimit, log }));

  let closing: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    const errors: unknown[] = [];
    const step = async (name: string, fn: () => Promise<void> | void): Promise<void> => {
      const start = Date.now();
      log.info(`shutdown: ${name}`);
      try {
        await fn();
        log.info(`shutdown: ${name}: done`, { ms: Date.now() - start });
      } catch (err) {
        errors.push(err);
        log.error(`shutdown: ${name}: failed`, { error: errorMessage(err) });
      }
    };
    await step('stop scheduling and abort the current run (it restores)', () => stopRunning('the daemon is shutting down'));
    if (elector) await step('release the leader lease', () => elector.stop());
    await step('close the HTTP server', async () => {
      serverUp = false;
      await closeServer(server);
    });
    await step('close the store', () => {
      storeOpen = false;
      journal.close();
    });
    if (errors.length) throw new AggregateError(errors, `daemon shutdown: ${errors.length} step(s) failed: ${errors.map(errorMessage).join('; ')}`);
    log.info('daemon stopped');
  };
  const close = (): Promise<void> => (closing ??= shutdown());

  try {
    if (elector) {
      leaderGauge.set(0);
      // this replica's own store first, leader or not: its unrestored faults (a bare pod's
      // manifest lives nowhere else) must not wait until it leads again; markers on the
      // targets are the leader's to scan
      const own = await recoverLeftovers({ journal, restore: settings.restore, targets: settings.targets, log, scanMarkers: false });
      if (own.failed.length) log.error('faults of this replica\'s store still not restored', { failed: own.failed });
      elector.start();
    } else {
      leaderGauge.set(1);
      await recoverThenSchedule();
    }
    const address = await listen(server, host, port);
    serverUp = true;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    refreshGauges();
    log.info('daemon started', { url, experiments: catalog.length, callers: tokens.size, leaderElection: !!elector, ...(options.configFile && { config: options.configFile }) });
    return { url, close };
  } catch (err) {
    await close().catch((closeErr: unknown) => log.error('cleanup after a failed start failed too', { error: errorMessage(closeErr) }));
    throw err;
  }
}
