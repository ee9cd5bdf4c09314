/** `gameday schema`: the JSON Schema of experiment files, built from the registered types. */
import { experimentJsonSchema } from '../experiments/json-schema.js';

/** Prints the schema to stdout. */
export async function schemaCommand(): Promise<void> {
  process.stdout.write(JSON.stringify(experimentJsonSchema(), null, 2) + '\n');
}
