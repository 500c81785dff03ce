import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { configJsonSchema, configJsonSchemaText } from '../../../main/config/json-schema';

describe('config.schema.json', () => {
  it('is up to date with the zod schema (npm run config:schema)', () => {
    expect(readFileSync('config.schema.json', 'utf8'), 'config.schema.json is stale: run npm run config:schema').toBe(configJsonSchemaText());
  });

  it('describes the input: strict objects, defaults, profiles', () => {
    const s = configJsonSchema() as { additionalProperties: boolean; required?: string[]; properties: Record<string, { enum?: string[]; default?: unknown; properties?: Record<string, { maximum?: number; additionalProperties?: boolean }>; additionalProperties?: boolean }> };
    expect(s.additionalProperties).toBe(false);
    expect(s.required ?? []).toEqual([]);
    expect(s.properties.profile!.enum).toEqual(['simulator', 'hardware']);
    expect(s.properties.host!.additionalProperties).toBe(false);
    expect(s.properties.host!.properties!.port!.maximum).toBe(65535);
    expect(s.properties.ops!.properties!.watchdog!.additionalProperties).toBe(false);
  });
});
