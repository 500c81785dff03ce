/** `npm run config:schema`: writes config.schema.json from the zod schema (main/config/config.ts). `--check` only compares. */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { configJsonSchemaText } from '../main/config/json-schema';

const file = 'config.schema.json';
const text = configJsonSchemaText();
if (process.argv.includes('--check')) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current !== text) {
    console.error(`${file} is out of date: run npm run config:schema`);
    process.exit(1);
  }
  console.log(`${file} is up to date`);
} else {
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
