/**
 * The text exposition format (version 0.0.4) of the lab's current families, so a real
 * Prometheus can scrape the lab. Rules: families of one name are merged into one block with
 * one `# HELP` and one `# TYPE` (the first family's); a family without samples is left out;
 * label values escape `\`, `"` and newlines, HELP text escapes `\` and newlines; values print
 * NaN and ±Inf as Prometheus reads them.
 */
import type { LabFamily } from '../samples.js';
import { formatExpositionValue } from './promql/format.js';

/** The Content-Type of the exposition. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Renders families as exposition text. */
export function renderExposition(families: readonly LabFamily[]): string {
  const merged = new Map<string, LabFamily>();
  for (const family of families) {
    const found = merged.get(family.name);
    if (found) found.samples.push(...family.samples);
    else merged.set(family.name, { ...family, samples: [...family.samples] });
  }
  const lines: string[] = [];
  for (const family of merged.values()) {
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(`${sample.name}${renderLabels(sample.labels)} ${formatExpositionValue(sample.value)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function renderLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).filter(([, value]) => value !== '');
  if (pairs.length === 0) return '';
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/** `\` → `\\`, `"` → `\"`, newline → `\n`. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
