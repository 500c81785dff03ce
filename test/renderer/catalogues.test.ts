/**
 * The catalogues: every language has exactly the English keys and the same placeholders, and every key the core
 * can send (the 'screen.*', 'msg.*', 'opt.*', 'lang.*', 'sup.*' literals in main/, plus lang.<id> for every
 * configurable language) and every key the renderer uses is present. Adding a language = adding a catalogue.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { catalogues } from '../../renderer/i18n/translate';
import { en } from '../../renderer/i18n/en';
import { configSchema } from '../../main/config/config';
import { tableCellKeys } from '../../main/supervisor/cells';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function literals(dir: string, prefixes: string): Set<string> {
  const re = new RegExp(`['"\`]((?:${prefixes})(?:\\.[A-Za-z][A-Za-z0-9_]*)+)['"\`]`, 'g');
  const keys = new Set<string>();
  for (const f of sources(dir)) for (const m of readFileSync(f, 'utf8').matchAll(re)) keys.add(m[1]!);
  return keys;
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n catalogues', () => {
  const langs = Object.keys(catalogues);

  it('has English and Simplified Chinese', () => {
    expect(langs).toEqual(expect.arrayContaining(['en', 'zh']));
  });

  for (const lang of langs.filter((l) => l !== 'en')) {
    it(`${lang} has exactly the English keys with the same placeholders`, () => {
      const cat = catalogues[lang]!;
      expect(Object.keys(cat).filter((k) => !(k in en)), 'keys only in ' + lang).toEqual([]);
      expect(Object.keys(en).filter((k) => !(k in cat)), 'keys missing in ' + lang).toEqual([]);
      for (const k of Object.keys(en)) expect(placeholders(cat[k]!), k).toEqual(placeholders(en[k]!));
      for (const [k, v] of Object.entries(cat)) expect(v.trim(), k).not.toBe('');
    });
  }

  it('every key the core can send is in every catalogue', () => {
    const sent = literals('main', 'screen|msg|opt|lang|sup');
    // screens.ts builds `lang.${l}` for each configured language.
    const languages = configSchema.shape.terminal.unwrap().shape.languages.unwrap().element.options;
    for (const l of languages) sent.add(`lang.${l}`);
    expect(sent.size).toBeGreaterThan(60);
    for (const lang of langs) {
      const cat = catalogues[lang]!;
      expect([...sent].filter((k) => !(k in cat)), `missing in ${lang}`).toEqual([]);
    }
  });

  it('every word a supervisor table cell can carry is in every catalogue', () => {
    const keys = tableCellKeys();
    expect(keys).toEqual(expect.arrayContaining(['sup.deviceState.hardwareError', 'sup.unitState.low', 'sup.total.withdrawal.approved']));
    for (const lang of langs) expect(keys.filter((k) => !(k in catalogues[lang]!)), `missing in ${lang}`).toEqual([]);
  });

  it('every configurable language has a catalogue', () => {
    const languages = configSchema.shape.terminal.unwrap().shape.languages.unwrap().element.options;
    for (const l of languages) expect(catalogues[l], l).toBeDefined();
  });

  it('every key the renderer uses is in the catalogues', () => {
    const used = literals('renderer', 'screen|msg|opt|lang|label|step|audio');
    for (const s of ['card', 'pin', 'amount', 'cash']) used.add(`step.${s}`);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });
});
