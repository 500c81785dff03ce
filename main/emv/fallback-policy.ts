/**
 * Magstripe fallback policy: after a chip failure on a chip card (service code 2xx/6xx), may the ATM
 * read the stripe instead? Allowed fallbacks are sent with POS entry mode (field 22) 80x; mainland
 * China forbids fallback for UnionPay chip cards at ATMs, and a card that declined or is blocked
 * never falls back.
 */
import type { EmvFailureCode } from './card-io';
import type { TerminalConfig } from './terminal-config';

export type FallbackTrigger = EmvFailureCode | 'cardDeclined';

export interface FallbackContext {
  trigger: FallbackTrigger;
  /** Service code from track 2 (3 digits). */
  serviceCode: string;
  /** PAN from track 2; only its BIN is looked at. */
  pan: string;
  config: TerminalConfig;
  /** Terminal-wide switch (acquirer policy). Default true. */
  fallbackEnabled?: boolean;
  /** The terminal can capture PINs (field 22 third digit 1). Default true. */
  pinCapable?: boolean;
}

export type FallbackDecision =
  | { allowed: true; posEntryMode: string }
  | { allowed: false; reason: 'not-a-chip-card' | 'not-a-technical-failure' | 'disabled' | 'unionpay-china' | 'aid-forbids' };

/** Chip failures that justify fallback: the chip could not be used, not a business refusal. */
const TECHNICAL: readonly FallbackTrigger[] = ['chipIo', 'cardProtocol', 'noApplication', 'iccDataMissing'];

export function isChipCard(serviceCode: string): boolean {
  return serviceCode[0] === '2' || serviceCode[0] === '6';
}

export function isUnionPayPan(pan: string): boolean {
  return /^62/.test(pan);
}

export function fallbackPolicy(c: FallbackContext): FallbackDecision {
  if (!isChipCard(c.serviceCode)) return { allowed: false, reason: 'not-a-chip-card' };
  if (!TECHNICAL.includes(c.trigger)) return { allowed: false, reason: 'not-a-technical-failure' };
  if (c.fallbackEnabled === false) return { allowed: false, reason: 'disabled' };
  const unionpay = isUnionPayPan(c.pan);
  if (unionpay && c.config.countryCode === '0156') return { allowed: false, reason: 'unionpay-china' };
  const schemeAids = c.config.aids.filter((a) => (unionpay ? a.scheme === 'unionpay' : a.scheme !== 'unionpay'));
  if (unionpay && schemeAids.length > 0 && schemeAids.every((a) => !a.fallbackAllowed)) return { allowed: false, reason: 'aid-forbids' };
  return { allowed: true, posEntryMode: c.pinCapable === false ? '802' : '801' };
}
