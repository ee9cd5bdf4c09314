import test from 'ava';
import { readFile } from 'node:fs/promises';
import { experimentJsonSchema, type JsonSchema } from '../../src/experiments/json-schema.js';
import { testRegistry } from '../fixtures/test-registry.js';

function at(schema: unknown, ...path: (string | number)[]): JsonSchema {
  let node = schema;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node as JsonSchema;
}

const schema = experimentJsonSchema(testRegistry);
const spec = at(schema, 'properties', 'spec', 'properties');

test('the schema is a draft 2020-12 document that rejects unknown top-level keys', (t) => {
  t.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  t.is(schema.additionalProperties, false);
  t.deepEqual(schema.required, ['apiVersion', 'kind', 'metadata', 'spec']);
  t.deepEqual(at(schema, 'properties', 'apiVersion').const, 'gameday/v1');
});

test('spec.fault is one of the registered fault types, in id order, each naming its type as a constant', (t) => {
  const faults = at(spec, 'fault', 'oneOf') as unknown as JsonSchema[];
  t.deepEqual(
    faults.map((f) => at(f, 'properties', 'type').const),
    ['test.thing.break', 'test.thing.slow'],
  );
  t.true(faults.every((f) => f.additionalProperties === false));
});

test("a fault's target merges the type's keys with count and percent, and forbids both at once", (t) => {
  const target = at(spec, 'fault', 'oneOf', 0, 'properties', 'target');
  t.deepEqual(Object.keys(at(target, 'properties')), ['name', 'count', 'percent']);
  t.deepEqual(target.required, ['name']);
  t.is(target.additionalProperties, false);
  t.deepEqual(target.not, { required: ['count', 'percent'] });
});

test("a fault's params come from its type's schema", (t) => {
  const params = at(spec, 'fault', 'oneOf', 1, 'properties', 'params');
  t.deepEqual(params.required, ['delay']);
  t.is(at(params, 'properties', 'delay').type, 'string');
});

test('each probe is one of the registered probe types: the common keys plus its own, nothing else', (t) => {
  const probes = at(spec, 'steadyState', 'properties', 'probes', 'items', 'oneOf') as unknown as JsonSchema[];
  t.deepEqual(
    probes.map((p) => at(p, 'properties', 'type').const),
    ['test.check', 'test.flag'],
  );
  const [checkProbe, flagProbe] = probes;
  t.deepEqual(Object.keys(at(checkProbe, 'properties')).sort(), ['breachAfter', 'name', 'onError', 'phases', 'timeout', 'type', 'value']);
  t.deepEqual(checkProbe?.required, ['name', 'type', 'value']);
  t.is(checkProbe?.additionalProperties, false);
  t.deepEqual(Object.keys(at(flagProbe, 'properties')).sort(), ['breachAfter', 'name', 'onError', 'phases', 'timeout', 'type']);
});

test('durations appear as the strings people write, with a pattern that accepts exactly the loader\'s durations', (t) => {
  const duration = at(spec, 'fault', 'oneOf', 0, 'properties', 'duration');
  t.is(duration.type, 'string');
  const pattern = new RegExp(String(duration.pattern));
  for (const ok of ['500ms', '2s', '5m', '1h', '1m30s']) t.true(pattern.test(ok), ok);
  for (const bad of ['30', '5 minutes', '', '1s1m']) t.false(pattern.test(bad), bad);
  t.is(at(spec, 'steadyState', 'properties', 'interval').default, '2s');
});

test('the same registry always gives the same schema', (t) => {
  t.is(JSON.stringify(experimentJsonSchema(testRegistry)), JSON.stringify(schema));
});

test('the shipped schema/experiment.schema.json is what the code generates from the real registry', async (t) => {
  const shipped = await readFile('schema/experiment.schema.json', 'utf8');
  t.is(shipped, `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`, 'run: npx tsx scripts/write-schema.ts');
});
