/**
 * Writes schema/experiment.schema.json from the registered fault and probe types, so
 * editors validate experiment files. Run after adding or changing a type:
 *   npx tsx scripts/write-schema.ts
 * A test fails while the shipped file differs from what the code generates.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { experimentJsonSchema } from '../src/experiments/json-schema.js';

/** The file's exact content: the schema as 2-space JSON with a final newline. */
function schemaFileText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;
}

const out = fileURLToPath(new URL('../schema/experiment.schema.json', import.meta.url));
writeFileSync(out, schemaFileText());
process.stdout.write(`wrote ${out}\n`);
