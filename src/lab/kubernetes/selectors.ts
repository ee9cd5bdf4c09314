/**
 * Label and field selectors with the API server's grammar. Rules: `!=` and `notin` match
 * objects that lack the key; a requirement list matches only when every requirement does;
 * a malformed selector is a 400, never an empty match; field selectors accept only the
 * paths the resource declares.
 */
import { badRequest } from './status.js';
import type { ResourceDef } from './resources.js';
import type { KubeObject, LabelSelector } from './types.js';

/** One parsed label requirement. */
export type LabelRequirement =
  | { key: string; op: 'exists' | 'not-exists' }
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

type Token = { kind: 'ident'; text: string } | { kind: 'op'; text: string } | { kind: 'end' };

const SPECIAL = new Set(['(', ')', ',', '=', '!', '<', '>']);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      tokens.push({ kind: 'op', text: two });
      i += 2;
      continue;
    }
    if (SPECIAL.has(c)) {
      tokens.push({ kind: 'op', text: c });
      i++;
      continue;
    }
    let j = i;
    while (j < input.length && !SPECIAL.has(input.charAt(j)) && !/\s/.test(input.charAt(j))) j++;
    const text = input.slice(i, j);
    tokens.push(text === 'in' || text === 'notin' ? { kind: 'op', text } : { kind: 'ident', text });
    i = j;
  }
  tokens.push({ kind: 'end' });
  return tokens;
}

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string): void {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const bad = name === '' || name.length > 63 || !NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix)));
  if (bad) throw badRequest(`unable to parse requirement: <nil>: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
}

function checkValue(value: string): void {
  if (value.length > 63 || !NAME.test(value)) {
    throw badRequest(`unable to parse requirement: values[0]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
}

/** Parses a label selector string (`a=b,c!=d,e in (f,g),!h,i`); throws a 400 KubeError when malformed. */
export function parseLabelSelector(input: string): LabelRequirement[] {
  const tokens = lex(input);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { kind: 'end' };
  const next = (): Token => tokens[pos++] ?? { kind: 'end' };
  const describe = (t: Token): string => (t.kind === 'end' ? 'EOS' : t.text);
  const ident = (what: string): string => {
    const t = next();
    if (t.kind !== 'ident') throw badRequest(`unable to parse requirement: found '${describe(t)}', expected: ${what}`);
    return t.text;
  };
  const out: LabelRequirement[] = [];
  while (peek().kind !== 'end') {
    const first = peek();
    if (first.kind === 'op' && first.text === '!') {
      next();
      const key = ident('identifier after \'!\'');
      checkKey(key);
      out.push({ key, op: 'not-exists' });
    } else {
      const key = ident('identifier');
      checkKey(key);
      out.push(parseOperator(key, next, peek, ident, describe));
    }
    const sep = next();
    if (sep.kind === 'end') break;
    if (sep.kind !== 'op' || sep.text !== ',') throw badRequest(`found '${describe(sep)}', expected: ',' or 'end of string'`);
    if (peek().kind === 'end') throw badRequest("found 'EOS', expected: identifier");
  }
  return out;
}

function parseOperator(
  key: string,
  next: () => Token,
  peek: () => Token,
  ident: (what: string) => string,
  describe: (t: Token) => string,
): LabelRequirement {
  const op = peek();
  if (op.kind === 'end' || (op.kind === 'op' && op.text === ',')) return { key, op: 'exists' };
  next();
  if (op.kind !== 'op') throw badRequest(`found '${describe(op)}', expected: in, notin, =, ==, !=, gt, lt`);
  switch (op.text) {
    case '=':
    case '==':
    case '!=': {
      const value = peek().kind === 'ident' ? ident('value') : '';
      checkValue(value);
      return { key, op: op.text === '!=' ? 'neq' : 'eq', value };
    }
    case 'in':
    case 'notin': {
      const open = next();
      if (open.kind !== 'op' || open.text !== '(') throw badRequest(`found '${describe(open)}', expected: '('`);
      const values: string[] = [];
      for (;;) {
        const t = next();
        if (t.kind === 'op' && t.text === ')') break;
        if (t.kind === 'op' && t.text === ',') continue;
        if (t.kind !== 'ident') throw badRequest(`found '${describe(t)}', expected: ',', ')' or identifier`);
        checkValue(t.text);
        values.push(t.text);
      }
      if (values.length === 0) throw badRequest("for 'in', 'notin' operators, values set can't be empty");
      return { key, op: op.text, values };
    }
    case '<':
    case '>': {
      const raw = ident('integer value');
      const value = Number(raw);
      if (!Number.isInteger(value)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
      return { key, op: op.text === '>' ? 'gt' : 'lt', value };
    }
    default:
      throw badRequest(`found '${op.text}', expected: in, notin, =, ==, !=, gt, lt`);
  }
}

/** Whether labels satisfy every requirement. */
export function matchesLabels(requirements: readonly LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  return requirements.every((r) => {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.op) {
      case 'exists': return has;
      case 'not-exists': return !has;
      case 'eq': return has && value === r.value;
      case 'neq': return !has || value !== r.value;
      case 'in': return has && r.values.includes(value ?? '');
      case 'notin': return !has || !r.values.includes(value ?? '');
      case 'gt': return has && Number.isInteger(Number(value)) && Number(value) > r.value;
      case 'lt': return has && Number.isInteger(Number(value)) && Number(value) < r.value;
    }
  });
}

/** Requirements of a metav1.LabelSelector object (matchLabels and matchExpressions). */
export function requirementsOf(selector: LabelSelector): LabelRequirement[] {
  const out: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, op: 'eq', value }));
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'Exists') out.push({ key: e.key, op: 'exists' });
    else if (e.operator === 'DoesNotExist') out.push({ key: e.key, op: 'not-exists' });
    else out.push({ key: e.key, op: e.operator === 'In' ? 'in' : 'notin', values: e.values ?? [] });
  }
  return out;
}

/** The string form of a metav1.LabelSelector (`app=x,component=y`), as in Scale.status.selector. */
export function formatLabelSelector(selector: LabelSelector): string {
  return requirementsOf(selector)
    .map((r) => {
      switch (r.op) {
        case 'exists': return r.key;
        case 'not-exists': return `!${r.key}`;
        case 'eq': return `${r.key}=${r.value}`;
        case 'neq': return `${r.key}!=${r.value}`;
        case 'in': return `${r.key} in (${r.values.join(',')})`;
        case 'notin': return `${r.key} notin (${r.values.join(',')})`;
        case 'gt': return `${r.key}>${r.value}`;
        case 'lt': return `${r.key}<${r.value}`;
      }
    })
    .join(',');
}

/** One parsed field requirement. */
export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

function splitUnescaped(input: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const c = input.charAt(i);
    if (c === '\\' && i + 1 < input.length) {
      current += c + input.charAt(++i);
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Parses a field selector for a resource; unknown fields and bad syntax are 400s. */
export function parseFieldSelector(input: string, resource: ResourceDef): FieldRequirement[] {
  if (input.trim() === '') return [];
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...resource.fields]);
  return splitUnescaped(input, ',').map((term) => {
    const m = /^([^=!]+?)\s*(==|!=|=)\s*(.*)$/s.exec(term.trim());
    if (!m) throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
    const field = m[1] ?? '';
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
    return { field, op: m[2] === '!=' ? 'neq' : 'eq', value: unescape(m[3] ?? '') };
  });
}

const FIELD_DEFAULTS: Record<string, string> = { 'spec.unschedulable': 'false', 'spec.hostNetwork': 'false' };

/** The value of a dotted field path as a selector sees it ('' when absent, booleans as text). */
export function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return FIELD_DEFAULTS[path] ?? '';
  return typeof current === 'string' ? current : String(current);
}

/** Whether an object satisfies every field requirement. */
export function matchesFields(requirements: readonly FieldRequirement[], object: KubeObject): boolean {
  return requirements.every((r) => (fieldValue(object, r.field) === r.value) === (r.op === 'eq'));
}
