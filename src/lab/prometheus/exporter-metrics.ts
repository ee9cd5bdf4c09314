/**
 * Gauges that tests and demos set by hand (`world.metrics`): the lab's stand-in for any
 * exporter, so a probe's reaction to a changed value can be measured. Rules: names and label
 * names are checked like the exposition format checks them (a bad one throws, nothing is
 * stored); a series is identified by its name and label set; a deleted series disappears
 * from the next scrape (and goes stale).
 */
import { LABEL_NAME_RE, labelsKey, METRIC_NAME_RE } from './labels.js';
import type { LabFamily, LabSample } from '../samples.js';

/** HELP of every exporter family. */
const HELP = 'Set through the lab steering API (world.metrics).';

/** The hand-set gauges. */
export class ExporterMetrics {
  private readonly series = new Map<string, LabSample>();

  /** Sets a gauge's value (creates the series when new). */
  set(name: string, labels: Record<string, string>, value: number): void {
    checkSeries(name, labels);
    if (typeof value !== 'number') throw new TypeError(`value of ${name} must be a number`);
    this.series.set(seriesKey(name, labels), { name, labels: { ...labels }, value });
  }

  /** Adds `delta` to a gauge (from 0 when new); returns the new value. */
  add(name: string, labels: Record<string, string>, delta: number): number {
    checkSeries(name, labels);
    const value = (this.series.get(seriesKey(name, labels))?.value ?? 0) + delta;
    this.set(name, labels, value);
    return value;
  }

  /** The current value, if the series exists. */
  get(name: string, labels: Record<string, string>): number | undefined {
    return this.series.get(seriesKey(name, labels))?.value;
  }

  /** Removes a series; false when it did not exist. */
  delete(name: string, labels: Record<string, string>): boolean {
    return this.series.delete(seriesKey(name, labels));
  }

  /** Removes every series. */
  clear(): void {
    this.series.clear();
  }

  /** The gauges, one family per name (copies). */
  families(): LabFamily[] {
    const byName = new Map<string, LabFamily>();
    for (const sample of this.series.values()) {
      let family = byName.get(sample.name);
      if (!family) byName.set(sample.name, (family = { name: sample.name, type: 'gauge', help: HELP, samples: [] }));
      family.samples.push({ name: sample.name, labels: { ...sample.labels }, value: sample.value });
    }
    return [...byName.values()];
  }
}

function seriesKey(name: string, labels: Record<string, string>): string {
  return `${name}\u0002${labelsKey(labels)}`;
}

function checkSeries(name: string, labels: Record<string, string>): void {
  if (!METRIC_NAME_RE.test(name)) throw new RangeError(`invalid metric name ${JSON.stringify(name)}`);
  for (const [label, value] of Object.entries(labels)) {
    if (!LABEL_NAME_RE.test(label) || label.startsWith('__')) throw new RangeError(`invalid label name ${JSON.stringify(label)} on ${name}`);
    if (typeof value !== 'string') throw new TypeError(`label ${label} of ${name} must be a string`);
  }
}
