/**
 * Reads the text exposition format (0.0.4) that an external target serves, for the lab
 * Prometheus to scrape it. Rules: `#` lines are comments (HELP/TYPE are not needed to store
 * samples); a sample line is `name{label="value",…} value [timestamp]` with `\\`, `\"` and
 * `\n` escapes in label values; the first malformed line fails the whole scrape with its line
 * number, as Prometheus fails a scrape; a sample's own timestamp is ignored (the scrape's time
 * is used).
 */
import { LABEL_NAME_RE, METRIC_NAME } from './labels.js';
import type { IngestSample } from './tsdb.js';

/** An exposition that does not parse. */
export class ExpositionError extends Error {
  override readonly name = 'ExpositionError';
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/** The samples of an exposition. Throws `ExpositionError` naming the first bad line. */
export function parseExposition(text: string): IngestSample[] {
  const samples: IngestSample[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      samples.push(parseSampleLine(line));
    } catch (error) {
      throw new ExpositionError(`line ${index + 1}: ${(error as Error).message}: ${JSON.stringify(line.slice(0, 120))}`, { cause: error });
    }
  });
  return samples;
}

function parseSampleLine(line: string): IngestSample {
  const name = NAME_RE.exec(line)?.[0];
  if (!name) throw new Error('expected a metric name');
  let rest = line.slice(name.length);
  const labels: Record<string, string> = { [METRIC_NAME]: name };
  if (rest.startsWith('{')) {
    const read = readLabels(rest);
    Object.assign(labels, read.labels);
    rest = rest.slice(read.length);
  }
  const fields = rest.trim().split(/\s+/);
  if (!/^\s/.test(rest) || fields.length < 1 || fields.length > 2 || fields[0] === '') throw new Error('expected a value (and an optional timestamp) after the series');
  const value = parseValue(fields[0] ?? '');
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) throw new Error(`invalid timestamp ${JSON.stringify(fields[1])}`);
  return { labels, value };
}

function readLabels(text: string): { labels: Record<string, string>; length: number } {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '}') return { labels, length: i + 1 };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i))?.[0];
    if (!name || !LABEL_NAME_RE.test(name)) throw new Error('invalid label name');
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') throw new Error(`expected ="…" after label ${name}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`unterminated value of label ${name}`);
      i++;
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const e = text[i++];
      if (e === 'n') value += '\n';
      else if (e === '\\' || e === '"') value += e;
      else throw new Error(`invalid escape \\${e ?? ''} in label ${name}`);
    }
    if (name in labels) throw new Error(`label ${name} given twice`);
    labels[name] = value;
    while (text[i] === ' ') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`expected , or } after label ${name}`);
  }
}

function parseValue(text: string): number {
  if (/^[+]?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`invalid value ${JSON.stringify(text)}`);
  return Number(text);
}
