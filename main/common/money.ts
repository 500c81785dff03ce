/**
 * Money in minor units for any ISO 4217 currency: how many decimals it has (USD/CNY 2, JPY/KRW 0, KWD/BHD 3),
 * formatting with Intl, and the decimal text used in QR payloads. No Node imports (the renderer bundle uses it).
 */

/** Decimals of an alphabetic currency code (Intl knows ISO 4217). */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Minor units per major unit: 100 for USD/EUR/CNY, 1 for JPY, 1000 for KWD. */
export function minorPerMajor(currency: string): number {
  return 10 ** currencyDigits(currency);
}

export function formatMoney(minor: number, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / minorPerMajor(currency));
}

/**
 * ISO 4217 numeric codes of the currencies in use whose minor unit is not 2 decimals (the EMVCo QR carries the
 * numeric code in tag 53, and Intl only knows alphabetic codes).
 */
const NUMERIC_DIGITS: Record<string, number> = {
  // 0 decimals
  '108': 0, '152': 0, '262': 0, '324': 0, '352': 0, '392': 0, '410': 0, '548': 0, '600': 0, '646': 0, '704': 0, '800': 0, '950': 0, '952': 0, '953': 0,
  // 3 decimals
  '048': 3, '368': 3, '400': 3, '414': 3, '434': 3, '512': 3, '788': 3,
};

export function numericCurrencyDigits(numeric: string): number {
  return NUMERIC_DIGITS[numeric] ?? 2;
}

/** Minor units as the decimal text of an EMVCo QR amount (tag 54): 4000 USD -> "40.00", 4000 JPY -> "4000". */
export function decimalAmount(minor: number, digits: number): string {
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}

/** Decimal text ("40.00", "4000") to minor units for a currency with `digits` decimals; null when malformed or zero. */
export function parseDecimalAmount(text: string, digits: number): number | null {
  const m = /^(\d{1,10})(?:\.(\d+))?$/.exec(text);
  if (!m || (m[2] !== undefined && (digits === 0 || m[2].length > digits))) return null;
  const minor = Number(m[1]) * 10 ** digits + Number((m[2] ?? '').padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) && minor > 0 ? minor : null;
}
