/**
 * The lab's Prometheus: scrapes every lab target each `scrapeInterval` of simulated time into
 * its TSDB, evaluates the alerting rules each `evaluationInterval`, and answers PromQL.
 * Rules: all timers run on the world's clock and die with `stop()`; each scrape records every
 * target's samples with `job`/`instance` labels (a sample's own labels win, as with
 * honor_labels) and `up` (1 or 0) — a failed scrape records only `up 0`, so the target's
 * other series go stale; a target that throws is reported and counted as down, never crashes
 * the lab. External endpoints (`scrape`) are fetched over real HTTP on the same ticks.
 */
import type { SimClock, TimerHandle } from '../clock.js';
import type { LabFamily } from '../samples.js';
import { AlertRules, LAB_ALERT_RULES, type AlertRuleSpec } from './alert-rules.js';
import { METRIC_NAME, type Labels } from './labels.js';
import { QueryEngine } from './promql/engine.js';
import { DEFAULT_LOOKBACK_MS } from './promql/eval.js';
import { RemoteTarget, type RemoteTargetSpec } from './remote-targets.js';
import { labTargets, type ScrapeTarget, type TargetAddresses, type TargetWorld } from './targets.js';
import { Tsdb, type IngestSample } from './tsdb.js';

/** How the lab's Prometheus runs; durations in simulated ms. */
export interface LabPrometheusOptions {
  /** Default 1000 (1 s). */
  scrapeIntervalMs?: number;
  /** Default 1000 (1 s). */
  evaluationIntervalMs?: number;
  /** Default 3 600 000 (1 h). */
  retentionMs?: number;
  /** Default 50 000. */
  maxSeries?: number;
  /** Instant selectors look back this far; default 300 000 (5 m). */
  lookbackMs?: number;
  /** The alerting rules; `LAB_ALERT_RULES` when omitted. */
  rules?: readonly AlertRuleSpec[];
  /** External exposition endpoints to scrape too, over HTTP (job `external` unless given). */
  scrape?: readonly (string | RemoteTargetSpec)[];
}

/** The group under which rule results (`ALERTS`, `ALERTS_FOR_STATE`) are recorded. */
const RULES_GROUP = '\u0000rules';

/** The lab Prometheus. Construct, `start(addresses)`, then `stop()`. */
export class LabPrometheus {
  readonly tsdb: Tsdb;
  readonly engine: QueryEngine;
  readonly rules: AlertRules;
  readonly scrapeIntervalMs: number;
  readonly evaluationIntervalMs: number;
  private targets: ScrapeTarget[] = [];
  private readonly remotes: RemoteTarget[];
  private scrapeTimer: TimerHandle | undefined;
  private evaluationTimer: TimerHandle | undefined;
  private running = false;
  private lastScrapeAt: number | undefined;

  constructor(
    private readonly clock: SimClock,
    private readonly world: TargetWorld,
    private readonly onError: (error: unknown) => void,
    options: LabPrometheusOptions = {},
  ) {
    this.scrapeIntervalMs = positive(options.scrapeIntervalMs ?? 1000, 'scrapeIntervalMs');
    this.evaluationIntervalMs = positive(options.evaluationIntervalMs ?? 1000, 'evaluationIntervalMs');
    this.tsdb = new Tsdb({ retentionMs: options.retentionMs ?? 3_600_000, maxSeries: options.maxSeries ?? 50_000 });
    this.engine = new QueryEngine(this.tsdb, { lookbackMs: options.lookbackMs ?? DEFAULT_LOOKBACK_MS });
    this.rules = new AlertRules(options.rules ?? LAB_ALERT_RULES);
    this.remotes = (options.scrape ?? []).map((spec) => new RemoteTarget(spec));
  }

  /** Starts scraping the lab's targets (at once, then every interval) and evaluating rules. Idempotent. */
  start(addresses: TargetAddresses): void {
    if (this.running) return;
    this.running = true;
    this.targets = labTargets(this.world, addresses, () => this.selfFamilies());
    this.scrapeLoop();
    this.evaluationTimer = this.clock.setTimeout(() => this.evaluationLoop(), this.evaluationIntervalMs);
  }

  /** Stops every timer. Idempotent. */
  stop(): void {
    this.running = false;
    this.clock.clearTimeout(this.scrapeTimer);
    this.clock.clearTimeout(this.evaluationTimer);
    for (const remote of this.remotes) remote.abort();
  }

  /** Scrapes every target now (also between ticks, e.g. from a test). */
  scrapeNow(): void {
    const t = this.clock.now();
    for (const target of this.targets) {
      const families = this.scrapeTarget(target);
      const targetLabels = { job: target.job, instance: target.instance };
      const samples: IngestSample[] = (families ?? []).flatMap((f) => f.samples.map((s) => ({ labels: { ...targetLabels, ...s.labels, [METRIC_NAME]: s.name }, value: s.value })));
      samples.push({ labels: { ...targetLabels, [METRIC_NAME]: 'up' }, value: families ? 1 : 0 });
      this.tsdb.ingest(`${target.job}\u0000${target.instance}`, t, samples);
    }
    this.lastScrapeAt = t;
  }

  /** Scrapes every external target now; resolves once their samples are recorded (a target still in flight is skipped). */
  async scrapeExternal(): Promise<void> {
    const t = this.clock.now();
    await Promise.all(
      this.remotes.map(async (remote) => {
        const result = await remote.scrape(t);
        if (result && this.running) this.tsdb.ingest(result.group, result.t, result.samples);
      }),
    );
  }

  /** The external targets and their last errors (undefined after a success or before the first scrape). */
  externalTargets(): { url: string; job: string; instance: string; lastError: string | undefined }[] {
    return this.remotes.map((r) => ({ url: r.url.href, job: r.job, instance: r.instance, lastError: r.lastError }));
  }

  /** Evaluates every alerting rule now and records `ALERTS` (a rule that fails reports it in its health). */
  evaluateNow(): void {
    const t = this.clock.now();
    const series = this.rules.evaluate(t, (expr, at) => this.engine.instant(expr, at));
    this.tsdb.ingest(RULES_GROUP, t, series.map((s): { labels: Labels; value: number } => s));
  }

  /** Simulated ms of the last scrape, undefined before the first. */
  lastScrape(): number | undefined {
    return this.lastScrapeAt;
  }

  /** The families of every target a scrape reaches now, without target labels (what `/metrics` shows). */
  currentFamilies(): LabFamily[] {
    return this.targets.flatMap((target) => this.scrapeTarget(target) ?? []);
  }

  private scrapeTarget(target: ScrapeTarget): LabFamily[] | undefined {
    try {
      return target.scrape();
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }

  private selfFamilies(): LabFamily[] {
    return [
      { name: 'prometheus_tsdb_head_series', type: 'gauge', help: 'Total number of series in the head block.', samples: [{ name: 'prometheus_tsdb_head_series', labels: {}, value: this.tsdb.seriesCount() }] },
    ];
  }

  private scrapeLoop(): void {
    if (!this.running) return;
    this.scrapeTimer = this.clock.setTimeout(() => this.scrapeLoop(), this.scrapeIntervalMs);
    this.scrapeNow();
    if (this.remotes.length > 0) this.scrapeExternal().catch(this.onError);
  }

  private evaluationLoop(): void {
    if (!this.running) return;
    this.evaluationTimer = this.clock.setTimeout(() => this.evaluationLoop(), this.evaluationIntervalMs);
    this.evaluateNow();
  }
}

function positive(ms: number, what: string): number {
  if (!(ms > 0) || !Number.isFinite(ms)) throw new RangeError(`${what} must be a positive number of ms, got ${ms}`);
  return ms;
}
