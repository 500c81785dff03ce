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

export function formatMoney(minor: number, currency: string, locale: string): string {
  const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
  return fmt.format(minor / 10 ** digits);
}

/** Minor units per major unit of a currency (100 for USD/CNY, 1 for JPY). */
export function minorPerMajor(currency: string): number {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return 10 ** digits;
}

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
