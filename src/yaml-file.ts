/**
 * YAML input with positions. Every problem in a file — YAML syntax, schema, a type's own
 * schema — becomes a PositionedIssue pointing at the node it is about, and all of them are
 * reported together, never only the first. A file holds exactly one non-empty document;
 * what YAML only warns about (an unknown tag) is an error here too.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type YAMLError } from 'yaml';
import type { z } from 'zod';
import type { PositionedIssue } from './errors.js';

/** A path into the parsed data, as zod reports it. */
export type DataPath = readonly PropertyKey[];

/** One parsed YAML file: its data as plain JSON values, and where each node sits. */
export interface YamlSource {
  file: string;
  data: unknown;
  /**
   * 1-based line and column of the node at `path`. With `at: 'key'` the position of the
   * key naming it. A path that does not exist falls back to its nearest existing ancestor.
   */
  position(path: DataPath, at?: 'key' | 'value'): { line: number; col: number };
}

/** The result of parsing: the source, or the issues that made it unreadable. */
export type YamlParse = { ok: true; source: YamlSource } | { ok: false; issues: PositionedIssue[] };

/**
 * Parses `text` (named `file` in issues). `expected` names what the file should hold
 * (`an experiment`), for the empty-file message. Syntax errors, an empty file and more
 * than one document are issues; nothing is parsed past them.
 */
export function parseYaml(text: string, file: string, expected: string): YamlParse {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  const at = (offset: number): { line: number; col: number } => lineCounter.linePos(offset);
  const list = Array.isArray(docs) ? docs : [];
  const syntax = list.flatMap((doc) =>
    [...doc.errors, ...doc.warnings].map((err) => {
      const pos = err.linePos?.[0] ?? at(err.pos[0]);
      return { file, line: pos.line, col: pos.col, path: '', message: syntaxMessage(err) };
    }),
  );
  if (syntax.length > 0) return { ok: false, issues: syntax };
  const first = list[0];
  if (!first || first.contents === null) {
    return { ok: false, issues: [{ file, line: 1, col: 1, path: '', message: `the file is empty; expected ${expected}` }] };
  }
  const second = list[1];
  if (second) {
    const pos = at(second.range[0]);
    const message = `expected one YAML document per file, found ${list.length}; a second document starts here`;
    return { ok: false, issues: [{ file, line: pos.line, col: pos.col, path: '', message }] };
  }
  let data: unknown;
  try {
    data = first.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const message = `YAML error: ${err instanceof Error ? err.message : String(err)}`;
    return { ok: false, issues: [{ file, line: 1, col: 1, path: '', message }] };
  }
  return { ok: true, source: sourceOf(file, first, data, at) };
}

/** yaml's message without the position and excerpt it appends (the issue carries the position). */
function syntaxMessage(err: YAMLError): string {
  const cut = err.message.search(/ at line \d+, column \d+/);
  const head = cut >= 0 ? err.message.slice(0, cut) : (err.message.split('\n')[0] ?? err.message);
  return err.name === 'YAMLWarning' ? `unsupported YAML: ${head}` : `YAML syntax error: ${head}`;
}

function sourceOf(file: string, doc: Document.Parsed, data: unknown, at: (offset: number) => { line: number; col: number }): YamlSource {
  const root = doc.contents;
  return {
    file,
    data,
    position(path, mode = 'value') {
      let node: Node | null = root;
      let keyNode: Node | null = null;
      for (const [i, segment] of path.entries()) {
        const last = i === path.length - 1;
        const next = child(doc, node, segment);
        if (!next) break;
        keyNode = next.key;
        node = next.value;
        if (last && mode === 'key' && keyNode) return at(start(keyNode));
        if (!node || isEmptyScalar(node)) {
          node = keyNode ?? node;
          break;
        }
      }
      return node ? at(start(node)) : { line: 1, col: 1 };
    },
  };
}

function child(doc: Document.Parsed, node: Node | null, segment: PropertyKey): { key: Node | null; value: Node | null } | undefined {
  const resolved = node && isAlias(node) ? (node.resolve(doc) ?? null) : node;
  if (isMap(resolved)) {
    for (const pair of resolved.items) {
      const key = pair.key as Node | null;
      const name = isScalar(key) ? String(key.value) : undefined;
      if (name === String(segment)) return { key, value: (pair.value as Node | null) ?? null };
    }
    return undefined;
  }
  if (isSeq(resolved) && typeof segment === 'number') {
    const item = resolved.items[segment] as Node | null | undefined;
    return item ? { key: null, value: item } : undefined;
  }
  return undefined;
}

function start(node: Node): number {
  return node.range?.[0] ?? 0;
}

function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
}

/** Renders a path as people read it: `spec.steadyState.probes[1].phases[0]`. */
export function formatPath(path: DataPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

/** An issue at `path` of `source` (at its key with `at: 'key'`). */
export function issueAt(source: YamlSource, path: DataPath, message: string, at: 'key' | 'value' = 'value'): PositionedIssue {
  const pos = source.position(path, at);
  return { file: source.file, line: pos.line, col: pos.col, path: formatPath(path), message };
}

/**
 * Every zod issue as a PositionedIssue. `prefix` is where the parsed value sits in the file
 * (a type's own schema parses `spec.fault.params`, not the whole file). An unknown key is
 * reported at the key, once per key; a missing key at the map that lacks it.
 */
export function positionZodIssues(source: YamlSource, issues: readonly z.core.$ZodIssue[], prefix: DataPath = []): PositionedIssue[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => issueAt(source, [...path, key], `unknown key "${key}"`, 'key'));
    }
    const missing = missingKey(source.data, path);
    if (missing !== undefined && issue.code === 'invalid_type') {
      return [issueAt(source, path, `missing required key "${missing}"`)];
    }
    return [issueAt(source, path, issue.message)];
  });
}

function missingKey(data: unknown, path: DataPath): string | undefined {
  const key = path[path.length - 1];
  if (typeof key !== 'string') return undefined;
  const parent = valueAt(data, path.slice(0, -1));
  const isObject = parent !== null && typeof parent === 'object' && !Array.isArray(parent);
  return isObject && !Object.hasOwn(parent, key) ? key : undefined;
}

/** The value at `path` in plain data, or undefined. */
export function valueAt(data: unknown, path: DataPath): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** Sorts issues by line and column, the order a reader goes through the file. */
export function sortIssues(issues: PositionedIssue[]): PositionedIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}

const NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
  tuple: 'a list',
  null: 'null',
};

/** How a value is named in messages: strings quoted (cut at 60 characters), maps and lists by kind, null as empty. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/**
 * The per-parse zod error map every file is checked with: each message states the expected
 * shape and what was written. A schema's own message always wins over these.
 */
export const issueMessages: z.core.$ZodErrorMap = (issue) => {
  const got = `got ${describeValue(issue.input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : `expected ${NOUNS[issue.expected] ?? issue.expected}, ${got}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      return values.length === 1 ? `expected ${values[0]}, ${got}` : `expected one of ${values.join(', ')}, ${got}`;
    }
    case 'too_small':
    case 'too_big':
      return sizeMessage(issue.code, issue.origin, Number(issue.code === 'too_small' ? issue.minimum : issue.maximum), issue.inclusive ?? true, got);
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue
        ? `expected a string matching ${String(issue.pattern)}, ${got}`
        : `expected ${issue.format === 'url' ? 'a URL' : `a valid ${issue.format}`}, ${got}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}, ${got}`;
    case 'invalid_union':
      return `${got}, which matches none of the accepted forms`;
    default:
      return undefined;
  }
};

function sizeMessage(code: 'too_small' | 'too_big', origin: string, limit: number, inclusive: boolean, got: string): string {
  const least = code === 'too_small';
  if (origin === 'array' || origin === 'set' || origin === 'string') {
    const n = inclusive ? limit : least ? limit + 1 : limit - 1;
    const unit = origin === 'string' ? 'character' : 'item';
    return `expected ${least ? 'at least' : 'at most'} ${n} ${unit}${n === 1 ? '' : 's'}`;
  }
  const op = least ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `expected a number ${op} ${limit}, ${got}`;
}
