/**
 * The customer's phone, simulated on the host side: the wallet scans the ATM's dynamic EMVCo QR and confirms
 * it with one of the fascia's test cards, or the banking app issues a one-time code. Plain functions over the
 * bank and the cardless registry, so the fascia, a script and tests can drive them.
 */
import { parseEmvQr } from '../cardless/emvco-qr';
import { TEST_CARDS } from '../../devices/card-reader/test-cards';
import type { BankStore } from './bank-store';
import type { CardlessRegistry } from './cardless-registry';
import { numericCurrencyDigits, parseDecimalAmount } from '../common/money';

export interface WalletHost {
  bank: BankStore;
  cardless: CardlessRegistry;
}

export type ConfirmQrResult = { ok: true; reference: string; amount: number } | { ok: false; error: string };

function accountOfCard(host: WalletHost, cardId: string): { ok: true; pan: string; accountId: number } | { ok: false; error: string } {
  const card = TEST_CARDS.find((c) => c.id === cardId);
  if (!card) return { ok: false, error: 'unknown test card' };
  const acct = host.bank.findByPan(card.pan);
  if (!acct) return { ok: false, error: 'no account for this card' };
  if (acct.status !== 'active') return { ok: false, error: 'card cannot be used' };
  return { ok: true, pan: card.pan, accountId: acct.id };
}

/** The wallet scans `payload` (checks format and CRC, reads amount 54 and reference 62/05) and confirms it. */
export function confirmQr(host: WalletHost, payload: string, cardId: string): ConfirmQrResult {
  const qr = parseEmvQr(payload);
  if (!qr.valid) return { ok: false, error: `not a valid payment QR: ${qr.reason}` };
  const amountText = qr.objects['54'];
  const extra = qr.objects['62'];
  const reference = typeof extra === 'object' ? extra['05'] : undefined;
  if (typeof amountText !== 'string') return { ok: false, error: 'the QR has no amount' };
  // Tag 53 (ISO 4217 numeric) says how many decimals the amount has: "40.00" USD, "4000" JPY.
  const currency = qr.objects['53'];
  const amount = parseDecimalAmount(amountText, numericCurrencyDigits(typeof currency === 'string' ? currency : ''));
  if (amount === null) return { ok: false, error: 'the QR amount is not valid' };
  if (!reference) return { ok: false, error: 'the QR has no reference' };
  const acct = accountOfCard(host, cardId);
  if (!acct.ok) return acct;
  const r = host.cardless.confirmQr(reference, { pan: acct.pan, accountId: acct.accountId, amount });
  return r.ok ? { ok: true, reference, amount } : r;
}

/** The banking app issues a one-time code for `amount` (minor units). Throws on an unknown card or bad amount. */
export function issueOneTimeCode(host: WalletHost, cardId: string, amount: number, ttlMs?: number): string {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError('amount must be a positive whole number of minor units');
  const acct = accountOfCard(host, cardId);
  if (!acct.ok) throw new Error(acct.error);
  return host.cardless.issueCode({ pan: acct.pan, accountId: acct.accountId, amount }, ttlMs);
}
