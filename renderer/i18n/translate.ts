/**
 * Catalogue lookup and placeholder filling. Adding a language = adding a catalogue here (the catalogue test
 * checks it has exactly the English keys and placeholders).
 */
import { en } from './en';
import { zh } from './zh';
import type { LocaleContext } from './locale';

export const catalogues: Record<string, Record<string, string>> = { en, zh };

/** Money params (amount, available, ledger) are minor units and are formatted with Intl for the currency. */
const MONEY_PARAMS = new Set(['amount', 'available', 'ledger']);

export type Params = Record<string, string | number>;
export type Translate = (key: string | undefined, params?: Params) => string;

import { formatMoney } from '../../main/common/money';

export { formatMoney, minorPerMajor } from '../../main/common/money';

export function translate(key: string | undefined, params: Params = {}, ctx: LocaleContext): string {
  if (!key) return '';
  const cat = catalogues[ctx.lang] ?? en;
  const template = cat[key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) return '';
    if (MONEY_PARAMS.has(name) && typeof v === 'number') return formatMoney(v, ctx.currency, ctx.locale);
    return String(v);
  });
}

export function translator(ctx: LocaleContext, defaults: Params = {}): Translate {
  return (key, params = defaults) => translate(key, params, ctx);
}
