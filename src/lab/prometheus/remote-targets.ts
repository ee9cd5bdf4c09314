/**
 * External exposition endpoints the lab Prometheus scrapes over real HTTP (e.g. gameday's
 * own /metrics). Rules: one scrape per target in flight — a tick that finds the previous one
 * still running is skipped; a scrape gives up after its timeout (real time); its samples are
 * recorded at the simulated time the scrape started, with `job`/`instance` (the target's
 * own labels win), plus `up`; a failed request, a non-2xx answer or a body that does not
 * parse records `up 0`; `stop()` aborts every scrape in flight.
 */
import { ExpositionError, parseExposition } from './exposition-parse.js';
import { METRIC_NAME } from './labels.js';
import type { IngestSample } from './tsdb.js';

/** An external target: a URL, and the job its series get. */
export interface RemoteTargetSpec {
  url: string;
  job?: string;
}

/** The job of an external target given without one. */
export const DEFAULT_REMOTE_JOB = 'external';

/** Longest real time one external scrape may take. */
export const REMOTE_SCRAPE_TIMEOUT_MS = 10_000;

/** A scrape's outcome, to record at the time it started. */
export interface RemoteScrape {
  group: string;
  t: number;
  samples: IngestSample[];
  error: string | undefined;
}

/** One external target. */
export class RemoteTarget {
  readonly url: URL;
  readonly job: string;
  readonly instance: string;
  private inFlight: AbortController | undefined;
  /** The last scrape's error, undefined after a success. */
  lastError: string | undefined;

  constructor(spec: RemoteTargetSpec | string) {
    const given = typeof spec === 'string' ? { url: spec } : spec;
    let url: URL;
    try {
      url = new URL(given.url);
    } catch (error) {
      throw new RangeError(`scrape target ${JSON.stringify(given.url)} is not a URL`, { cause: error });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`scrape target ${given.url} must be http or https`);
    this.url = url;
    this.job = given.job ?? DEFAULT_REMOTE_JOB;
    this.instance = url.host;
  }

  /** Starts a scrape at simulated time `t` unless one is in flight; resolves with what to record, or undefined when skipped. */
  async scrape(t: number): Promise<RemoteScrape | undefined> {
    if (this.inFlight) return undefined;
    const controller = new AbortController();
    this.inFlight = controller;
    const group = `${this.job}\u0000${this.instance}`;
    const target = { job: this.job, instance: this.instance };
    const up = (value: number): IngestSample => ({ labels: { ...target, [METRIC_NAME]: 'up' }, value });
    try {
      const response = await fetch(this.url, {
        headers: { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' },
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(REMOTE_SCRAPE_TIMEOUT_MS)]),
      });
      const body = await response.text();
      if (!response.ok) throw new ExpositionError(`server returned HTTP status ${response.status}`);
      const samples = parseExposition(body).map((s) => ({ labels: { ...target, ...s.labels }, value: s.value }));
      this.lastError = undefined;
      return { group, t, samples: [...samples, up(1)], error: undefined };
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      return { group, t, samples: [up(0)], error: this.lastError };
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Aborts the scrape in flight, if any. */
  abort(): void {
    this.inFlight?.abort();
  }
}
