/**
 * `npm run schema` writes schema.graphql from the Pothos schema; `npm run schema:check` fails when the committed
 * file differs (Pothos scripts/build-schema.ts; ARCHITECTURE.md convention 2).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../src/gateway/schema/index.js';

const file = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const printed = printSchema(lexicographicSortSchema(schema)) + '\n';

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing file: out of date
  }
  if (current !== printed) {
    console.error('schema.graphql is out of date with the Pothos schema: run npm run schema');
    process.exit(1);
  }
  console.log('schema.graphql is up to date');
} else {
  writeFileSync(file, printed);
  console.log(`wrote ${file}`);
}
