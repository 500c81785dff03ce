/**
 * config.schema.json, generated from the zod schema (the input side: every key with a default is optional).
 * `npm run config:schema` writes it; test/main/config/json-schema.test.ts fails when it is out of date.
 */
import { z } from 'zod';
import { configSchema } from './config';

export const SCHEMA_ID = 'https://open-atm.example/config.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: SCHEMA_ID,
    title: 'Open ATM kiosk configuration',
    description: 'atm.config.json: every key is optional; the defaults run the simulator. Profiles: simulator (default), hardware.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

/** The file's text: stable key order, two-space indent, trailing newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
