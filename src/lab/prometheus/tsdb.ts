/**
 * The lab Prometheus's in-memory time-series database. Rules: samples of a series are kept
 * in time order (an older or equal timestamp is refused, as Prometheus refuses out-of-order
 * samples); a scrape group's series that are absent from its next scrape get a stale marker
 * at that scrape's time, so they vanish from instant queries at once; samples older than
 * the retention are dropped, and a series with none left is forgotten; the number of series
 * is capped, so memory is bounded in time and in width.
 */
import { labelsKey, METRIC_NAME, type Labels } from './labels.js';
import { matchesAll, type Matcher } from './matchers.js';

/** A sample as it is ingested. */
export interface IngestSample {
  labels: Labels;
  value: number;
}

/** Points of one series in a time window (stale markers left out). */
export interface Points {
  t: number[];
  v: number[];
}

/** What one ingest did. */
export interface IngestResult {
  appended: number;
  /** Samples refused: out of order, duplicated in the scrape, or over the series cap. */
  refused: number;
  staleMarked: number;
}

/** How the TSDB is bounded. */
export interface TsdbOptions {
  /** Samples older than this (ms before the newest ingest time) are dropped. */
  retentionMs: number;
  /** New series beyond this count are refused. */
  maxSeries: number;
}

/** Prometheus's default: one hour of retention is plenty for a lab; the cap bounds memory. */
export const DEFAULT_TSDB_OPTIONS: TsdbOptions = { retentionMs: 3_600_000, maxSeries: 50_000 };

/** Compact the arrays once this many dropped samples sit at their front. */
const COMPACT_AFTER = 1024;

/** One stored series. */
export class StoredSeries {
  private t: number[] = [];
  private v: number[] = [];
  private start = 0;
  private readonly stale = new Set<number>();

  constructor(
    readonly labels: Labels,
    readonly key: string,
  ) {}

  /** Appends a sample (or a stale marker); false when `t` is not after the last sample. */
  append(t: number, v: number, staleMarker = false): boolean {
    const last = this.t.length > this.start ? this.t[this.t.length - 1] : undefined;
    if (last !== undefined && t <= last) return false;
    if (staleMarker && (last === undefined || this.stale.has(last))) return false;
    this.t.push(t);
    this.v.push(staleMarker ? Number.NaN : v);
    if (staleMarker) this.stale.add(t);
    return true;
  }

  /** The newest sample in (at − lookback, at], or undefined when there is none or it is a stale marker. */
  latest(at: number, lookbackMs: number): { t: number; v: number } | undefined {
    const i = this.lastIndexAtOrBefore(at);
    if (i < this.start) return undefined;
    const t = this.t[i] ?? Number.NEGATIVE_INFINITY;
    if (t <= at - lookbackMs || this.stale.has(t)) return undefined;
    return { t, v: this.v[i] ?? Number.NaN };
  }

  /** The samples in (from, to], stale markers left out. */
  points(from: number, to: number): Points {
    const out: Points = { t: [], v: [] };
    const end = this.lastIndexAtOrBefore(to);
    for (let i = this.lastIndexAtOrBefore(from) + 1; i <= end; i++) {
      const t = this.t[i] ?? 0;
      if (this.stale.has(t)) continue;
      out.t.push(t);
      out.v.push(this.v[i] ?? Number.NaN);
    }
    return out;
  }

  /** Drops samples at or before `minT`; true when none is left. */
  trim(minT: number): boolean {
    while (this.start < this.t.length && (this.t[this.start] ?? 0) <= minT) {
      this.stale.delete(this.t[this.start] ?? 0);
      this.start++;
    }
    if (this.start >= COMPACT_AFTER && this.start * 2 >= this.t.length) {
      this.t = this.t.slice(this.start);
      this.v = this.v.slice(this.start);
      this.start = 0;
    }
    return this.start >= this.t.length;
  }

  /** Samples held (stale markers included). */
  size(): number {
    return this.t.length - this.start;
  }

  /** Index of the last sample with t ≤ at (start − 1 when none). */
  private lastIndexAtOrBefore(at: number): number {
    let lo = this.start;
    let hi = this.t.length - 1;
    let found = this.start - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.t[mid] ?? 0) <= at) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

/** The series store. */
export class Tsdb {
  private readonly series = new Map<string, StoredSeries>();
  private readonly byName = new Map<string, Map<string, StoredSeries>>();
  private readonly groups = new Map<string, Set<string>>();
  private readonly options: TsdbOptions;
  private newest = Number.NEGATIVE_INFINITY;
  /** Samples refused since the start (out of order, duplicates, over the cap). */
  refusedTotal = 0;

  constructor(options: Partial<TsdbOptions> = {}) {
    this.options = { ...DEFAULT_TSDB_OPTIONS, ...options };
    if (!(this.options.retentionMs > 0)) throw new RangeError('retentionMs must be > 0');
    if (!(this.options.maxSeries > 0)) throw new RangeError('maxSeries must be > 0');
  }

  /**
   * Ingests one scrape of `group` at time `t`: appends every sample, then writes a stale
   * marker on each series of the group's previous scrape that is absent from this one.
   */
  ingest(group: string, t: number, samples: readonly IngestSample[]): IngestResult {
    const result: IngestResult = { appended: 0, refused: 0, staleMarked: 0 };
    const present = new Set<string>();
    for (const sample of samples) {
      const series = this.seriesFor(sample.labels);
      if (!series || present.has(series.key) || !series.append(t, sample.value)) {
        result.refused++;
        continue;
      }
      present.add(series.key);
      result.appended++;
    }
    for (const key of this.groups.get(group) ?? []) {
      if (!present.has(key) && this.series.get(key)?.append(t, Number.NaN, true)) result.staleMarked++;
    }
    this.groups.set(group, present);
    this.refusedTotal += result.refused;
    this.advance(t);
    return result;
  }

  /** Appends one sample outside any scrape group (tests, hand-filled data); false when refused. */
  append(labels: Labels, t: number, value: number): boolean {
    const ok = this.seriesFor(labels)?.append(t, value) ?? false;
    if (!ok) this.refusedTotal++;
    this.advance(t);
    return ok;
  }

  /** Writes a stale marker on a series (as a vanished scrape would); false when there is nothing to mark. */
  markStale(labels: Labels, t: number): boolean {
    return this.series.get(labelsKey(labels))?.append(t, Number.NaN, true) ?? false;
  }

  /** Every series matching all matchers. */
  select(matchers: readonly Matcher[]): StoredSeries[] {
    const byName = matchers.find((m) => m.name === METRIC_NAME && m.type === '=' && m.value !== '');
    const pool = byName ? (this.byName.get(byName.value)?.values() ?? []) : this.series.values();
    const out: StoredSeries[] = [];
    for (const series of pool) if (matchesAll(matchers, series.labels)) out.push(series);
    return out;
  }

  /** Number of series held. */
  seriesCount(): number {
    return this.series.size;
  }

  /** Number of samples held (stale markers included). */
  sampleCount(): number {
    let n = 0;
    for (const series of this.series.values()) n += series.size();
    return n;
  }

  /** Drops what is older than the retention before the newest ingest time. */
  private advance(t: number): void {
    if (t <= this.newest) return;
    this.newest = t;
    const minT = t - this.options.retentionMs;
    const live = new Set<string>();
    for (const keys of this.groups.values()) for (const key of keys) live.add(key);
    for (const [key, series] of this.series) {
      if (series.trim(minT) && !live.has(key)) this.forget(series);
    }
  }

  private seriesFor(labels: Labels): StoredSeries | undefined {
    const key = labelsKey(labels);
    const found = this.series.get(key);
    if (found) return found;
    if (this.series.size >= this.options.maxSeries) return undefined;
    const clean: Record<string, string> = {};
    for (const [name, value] of Object.entries(labels)) if (value !== '') clean[name] = value;
    const series = new StoredSeries(Object.freeze(clean), key);
    this.series.set(key, series);
    const name = clean[METRIC_NAME] ?? '';
    let named = this.byName.get(name);
    if (!named) this.byName.set(name, (named = new Map()));
    named.set(key, series);
    return series;
  }

  private forget(series: StoredSeries): void {
    this.series.delete(series.key);
    const name = series.labels[METRIC_NAME] ?? '';
    const named = this.byName.get(name);
    named?.delete(series.key);
    if (named?.size === 0) this.byName.delete(name);
  }
}
