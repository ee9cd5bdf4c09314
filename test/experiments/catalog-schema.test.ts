import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schema = JSON.parse(readFileSync(join(root, 'schema/experiment.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
const catalog = readdirSync(join(root, 'config/experiments')).filter((f) => f.endsWith('.yaml'));

test('the shipped JSON Schema accepts every experiment of the catalog, as an editor would check it', (t) => {
  t.true(catalog.length >= 2);
  for (const file of catalog) {
    const doc: unknown = parse(readFileSync(join(root, 'config/experiments', file), 'utf8'));
    t.true(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`);
  }
});

test('the shipped JSON Schema rejects a misspelt key and a probe key its type does not have', (t) => {
  const doc = parse(readFileSync(join(root, 'config/experiments', catalog[0]!), 'utf8')) as { spec: Record<string, unknown> & { steadyState: { probes: Record<string, unknown>[] } } };
  const typo = structuredClone(doc);
  typo.spec['recovry'] = typo.spec['recovery'];
  delete typo.spec['recovery'];
  t.false(validate(typo));
  const badProbe = structuredClone(doc);
  badProbe.spec.steadyState.probes[0]!['labelSelectr'] = 'x';
  t.false(validate(badProbe));
});
