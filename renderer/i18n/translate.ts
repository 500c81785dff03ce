import { en } from './en';
import { zh } from './zh';

export const catalogues: Record<string, Record<string, string>> = { en, zh };

/** Money params (amount, available, ledger) are minor units and are formatted with Intl for the currency. */
const MONEY_PARAMS = new Set(['amount', 'available', 'ledger']);

export function formatMoney(minor: number, currency: string, locale: string): string {
  const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
  return fmt.format(minor / 10 ** digits);
}

export function translate(key: string | undefined, params: Record<string, string | number> = {}, ctx: { lang: string; locale: string; currency: string }): string {
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
