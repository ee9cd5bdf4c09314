/**
 * PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and strategic merge patch
 * treated as a merge patch. Rules: a patch never changes its input (it returns a new
 * document); a JSON patch applies all operations or none; errors say which operation failed.
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Why a patch could not be applied: malformed (400), not applicable to the document (422), or a failed `test` (409). */
export class PatchError extends Error {
  override readonly name = 'PatchError';
  constructor(
    message: string,
    readonly kind: 'malformed' | 'inapplicable' | 'test-failed',
  ) {
    super(message);
  }
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386 merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: { [key: string]: Json } = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

/** Strategic merge patch, approximated as a merge patch with `$patch`/`$retainKeys` directives dropped. */
export function strategicMergePatch(target: Json, patch: Json): Json {
  return mergePatch(target, stripDirectives(patch));
}

function stripDirectives(patch: Json): Json {
  if (Array.isArray(patch)) return patch.map(stripDirectives);
  if (!isObject(patch)) return patch;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}"`, 'malformed');
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function toOperations(patch: Json): Operation[] {
  if (!Array.isArray(patch)) throw new PatchError('json patch must be an array of operations', 'malformed');
  return patch.map((raw, i) => {
    if (!isObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
      throw new PatchError(`operation ${i} must have string "op" and "path"`, 'malformed');
    }
    const op: Operation = { op: raw['op'], path: raw['path'] };
    if (typeof raw['from'] === 'string') op.from = raw['from'];
    if ('value' in raw) op.value = raw['value'] ?? null;
    return op;
  });
}

function arrayIndex(token: string, length: number, forAdd: boolean): number {
  if (forAdd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`invalid array index "${token}"`, 'inapplicable');
  const index = Number(token);
  if (index > length || (!forAdd && index === length)) throw new PatchError(`array index ${index} out of bounds`, 'inapplicable');
  return index;
}

function parentOf(doc: Json, tokens: string[], path: string): { parent: Json; last: string } {
  let current: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[arrayIndex(token, current.length, false)] ?? null;
    else if (isObject(current) && token in current) current = current[token] ?? null;
    else throw new PatchError(`doc is missing path: "${path}"`, 'inapplicable');
  }
  const last = tokens[tokens.length - 1];
  if (last === undefined) throw new PatchError(`cannot apply to the document root: "${path}"`, 'inapplicable');
  return { parent: current, last };
}

function getAt(doc: Json, path: string): Json {
  let current: Json = doc;
  for (const token of parsePointer(path)) {
    if (Array.isArray(current)) current = current[arrayIndex(token, current.length, false)] ?? null;
    else if (isObject(current) && token in current) current = current[token] ?? null;
    else throw new PatchError(`doc is missing path: "${path}"`, 'inapplicable');
  }
  return current;
}

function add(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, structuredClone(value));
  else if (isObject(parent)) parent[last] = structuredClone(value);
  else throw new PatchError(`doc is missing path: "${path}"`, 'inapplicable');
  return doc;
}

function remove(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (isObject(parent) && last in parent) delete parent[last];
  else throw new PatchError(`Unable to remove nonexistent key: ${last}: missing value`, 'inapplicable');
  return doc;
}

function deepEqual(a: Json, b: Json): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] ?? null));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k] ?? null, b[k] ?? null));
  }
  return a === b;
}

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test — atomically. */
export function jsonPatch(target: Json, patch: Json): Json {
  let doc = structuredClone(target);
  for (const op of toOperations(patch)) {
    const needsValue = op.op === 'add' || op.op === 'replace' || op.op === 'test';
    if (needsValue && op.value === undefined) throw new PatchError(`operation "${op.op}" at "${op.path}" has no value`, 'malformed');
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, op.value ?? null);
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace':
        getAt(doc, op.path);
        doc = add(remove(doc, op.path), op.path, op.value ?? null);
        break;
      case 'move':
      case 'copy': {
        if (op.from === undefined) throw new PatchError(`operation "${op.op}" has no "from"`, 'malformed');
        const value = getAt(doc, op.from);
        if (op.op === 'move') doc = remove(doc, op.from);
        doc = add(doc, op.path, value);
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, op.path), op.value ?? null)) throw new PatchError(`testing value ${op.path} failed`, 'test-failed');
        break;
      default:
        throw new PatchError(`unexpected operation "${op.op}"`, 'malformed');
    }
  }
  return doc;
}

/** The patch types the lab accepts, by Content-Type. */
export const PATCH_TYPES = {
  'application/json-patch+json': jsonPatch,
  'application/merge-patch+json': mergePatch,
  'application/strategic-merge-patch+json': strategicMergePatch,
} as const;

/** The patch function for a Content-Type header, or undefined when unsupported. */
export function patchFunction(contentType: string | undefined): ((target: Json, patch: Json) => Json) | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (PATCH_TYPES as Record<string, (target: Json, patch: Json) => Json>)[type];
}
