/**
 * JupyterHub's Prometheus metrics on the lab: the request, spawn and check-routes histograms
 * and the running-servers and users gauges, with JupyterHub 3's names, help texts, labels and
 * buckets, as `LabFamily` lists and as the text exposition `/hub/metrics` serves. Rules:
 * counters and buckets only grow (they survive hub restarts, unlike a real hub process's);
 * the spawn statuses JupyterHub pre-creates are present from the start with zero counts.
 */
import type { LabFamily, LabSample } from '../samples.js';
import { pyFloat } from './python-format.js';

/** prometheus_client's default buckets (request and check-routes durations). */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;

/** JupyterHub's buckets for `jupyterhub_server_spawn_duration_seconds`. */
export const SPAWN_BUCKETS = [0.5, 1, 2.5, 5, 10, 15, 30, 60, 120] as const;

/** The statuses of `jupyterhub_server_spawn_duration_seconds` (JupyterHub's ServerSpawnStatus). */
export type SpawnStatus = 'success' | 'failure' | 'already-pending' | 'throttled' | 'too-many-users';

const SPAWN_STATUSES: readonly SpawnStatus[] = ['success', 'failure', 'already-pending', 'throttled', 'too-many-users'];

interface Series {
  labels: Record<string, string>;
  buckets: number[];
  count: number;
  sum: number;
}

/** One cumulative histogram with a fixed label set. */
class Histogram {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  /** Makes the series exist with zero counts. */
  preset(labels: Record<string, string>): void {
    this.seriesFor(labels);
  }

  /** Counts one observation of `seconds` (negative values count as 0). */
  observe(labels: Record<string, string>, seconds: number): void {
    const series = this.seriesFor(labels);
    const value = Math.max(0, seconds);
    this.bounds.forEach((bound, i) => {
      if (value <= bound) series.buckets[i] = (series.buckets[i] ?? 0) + 1;
    });
    series.count += 1;
    series.sum += value;
  }

  /** The observations counted so far for exactly these labels. */
  count(labels: Record<string, string>): number {
    return this.series.get(seriesKey(labels))?.count ?? 0;
  }

  family(): LabFamily {
    const samples: LabSample[] = [];
    for (const s of this.series.values()) {
      this.bounds.forEach((bound, i) => samples.push({ name: `${this.name}_bucket`, labels: { ...s.labels, le: pyFloat(bound) }, value: s.buckets[i] ?? 0 }));
      samples.push({ name: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      samples.push({ name: `${this.name}_count`, labels: { ...s.labels }, value: s.count });
      samples.push({ name: `${this.name}_sum`, labels: { ...s.labels }, value: s.sum });
    }
    return { name: this.name, type: 'histogram', help: this.help, samples };
  }

  private seriesFor(labels: Record<string, string>): Series {
    const key = seriesKey(labels);
    let series = this.series.get(key);
    if (!series) {
      series = { labels: { ...labels }, buckets: this.bounds.map(() => 0), count: 0, sum: 0 };
      this.series.set(key, series);
    }
    return series;
  }
}

function seriesKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The hub's metrics. */
export class HubMetrics {
  private readonly requests = new Histogram('jupyterhub_request_duration_seconds', 'request duration for all HTTP requests', DEFAULT_BUCKETS);
  private readonly spawns = new Histogram('jupyterhub_server_spawn_duration_seconds', 'time taken for server spawning operation', SPAWN_BUCKETS);
  private readonly checkRoutes = new Histogram('jupyterhub_check_routes_duration_seconds', 'Time taken to validate all routes in proxy', DEFAULT_BUCKETS);

  constructor() {
    for (const status of SPAWN_STATUSES) this.spawns.preset({ status });
    this.checkRoutes.preset({});
  }

  /** One answered hub request: tornado's handler class name, method and final status code. */
  observeRequest(method: string, handler: string, code: number, seconds: number): void {
    this.requests.observe({ method, handler, code: String(code) }, seconds);
  }

  /** One finished spawn attempt. */
  observeSpawn(status: SpawnStatus, seconds: number): void {
    this.spawns.observe({ status }, seconds);
  }

  /** One run of the hub's check_routes. */
  observeCheckRoutes(seconds: number): void {
    this.checkRoutes.observe({}, seconds);
  }

  /** Requests counted for a handler/method/code (for tests and diagnostics). */
  requestCount(method: string, handler: string, code: number): number {
    return this.requests.count({ method, handler, code: String(code) });
  }

  /** Spawns counted with a status. */
  spawnCount(status: SpawnStatus): number {
    return this.spawns.count({ status });
  }

  /** Every family, gauges read from the given state. */
  families(gauges: { runningServers: number; totalUsers: number }): LabFamily[] {
    return [
      this.requests.family(),
      this.spawns.family(),
      gauge('jupyterhub_running_servers', 'the number of user servers currently running', gauges.runningServers),
      gauge('jupyterhub_total_users', 'total number of users', gauges.totalUsers),
      this.checkRoutes.family(),
    ];
  }
}

function gauge(name: string, help: string, value: number): LabFamily {
  return { name, type: 'gauge', help, samples: [{ name, labels: {}, value }] };
}

/** The Prometheus text exposition (format 0.0.4) of the families, as prometheus_client writes it. */
export function renderExposition(families: LabFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(`${sample.name}${renderLabels(sample.labels)} ${pyFloat(sample.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

function renderLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
