/**
 * The JSON Schema (draft 2020-12) of experiment files, for editors. Generated from the same
 * zod schemas the loader uses, with `spec.fault` one of the registered fault types and each
 * probe one of the registered probe types, so the schema never drifts from the code.
 * Durations appear as the strings people write (`30s`), not as milliseconds.
 */
import { z } from 'zod';
import * as builtIn from '../targets/registry.js';
import type { AnyFaultType, AnyProbeType } from '../targets/types.js';
import { Duration } from '../duration.js';
import type { TypeRegistry } from './load.js';
import { ExperimentFile, FaultTarget, probeCommonKeys } from './schema.js';

/** A JSON Schema document, as plain JSON. */
export type JsonSchema = { [key: string]: unknown };

/**
 * The schema for `registry` (the built-in one by default). Types are listed in id order, so
 * the same registry always gives the same document, byte for byte.
 */
export function experimentJsonSchema(registry: TypeRegistry = builtIn): JsonSchema {
  const defs: JsonSchema = {};
  const root = toSchema(ExperimentFile, defs);
  const spec = objectAt(root, ['properties', 'spec', 'properties']);
  spec.fault = { oneOf: [...registry.faultTypes.values()].sort(byType).map((f) => faultSchema(f, defs)) };
  const probes = objectAt(spec, ['steadyState', 'properties', 'probes']);
  probes.items = { oneOf: [...registry.probeTypes.values()].sort(byType).map((p) => probeSchema(p, defs)) };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'gameday experiment',
    description: 'One chaos experiment: a fault, the steady state that must hold, and how fast the platform must recover.',
    ...root,
    ...(Object.keys(defs).length > 0 && { $defs: defs }),
  };
}

function byType(a: { type: string }, b: { type: string }): number {
  return a.type.localeCompare(b.type);
}

/** One fault type: its id as a constant, its target merged with the engine's count/percent, its params. */
function faultSchema(fault: AnyFaultType, defs: JsonSchema): JsonSchema {
  const engine = toSchema(FaultTarget, defs);
  const engineProps = objectAt(engine, ['properties']);
  const target = toSchema(fault.target, defs);
  const notBoth = { not: { required: ['count', 'percent'] } };
  const mergedTarget = isObjectSchema(target)
    ? { ...target, properties: { ...objectAt(target, ['properties']), ...engineProps }, ...notBoth }
    : { allOf: [target, { type: 'object', properties: engineProps, ...notBoth }] };
  return {
    type: 'object',
    description: fault.description,
    properties: {
      type: { const: fault.type },
      target: mergedTarget,
      duration: toSchema(Duration, defs),
      params: toSchema(fault.params, defs),
    },
    required: ['type', 'target', 'duration'],
    additionalProperties: false,
  };
}

/** One probe type: the common keys (name, type, phases, timeout) and the type's own keys, nothing else. */
function probeSchema(probe: AnyProbeType, defs: JsonSchema): JsonSchema {
  const common = toSchema(z.object(probeCommonKeys).strict(), defs);
  const own = toSchema(probe.params, defs);
  const commonProps = { ...objectAt(common, ['properties']), type: { const: probe.type } };
  if (!isObjectSchema(own)) {
    return { description: probe.description, allOf: [{ ...common, properties: commonProps, additionalProperties: true }, own] };
  }
  const required = [...new Set([...stringList(common.required), ...stringList(own.required)])];
  return {
    ...own,
    description: probe.description,
    properties: { ...objectAt(own, ['properties']), ...commonProps },
    required,
  };
}

function toSchema(schema: z.ZodType, defs: JsonSchema): JsonSchema {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  if (out.$defs && typeof out.$defs === 'object') Object.assign(defs, out.$defs);
  delete out.$defs;
  return out;
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object' && schema.properties !== null && typeof schema.properties === 'object';
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The object at `path` inside a generated schema; a missing one is a bug in this file. */
function objectAt(schema: JsonSchema, path: readonly string[]): JsonSchema {
  let node: unknown = schema;
  for (const key of path) {
    node = node !== null && typeof node === 'object' ? (node as JsonSchema)[key] : undefined;
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    throw new Error(`generated schema has no object at ${path.join('.')}`);
  }
  return node as JsonSchema;
}
