/**
 * The simulated issuer's network-private services, after the card and PIN checks passed: mini statement
 * (ledger lines in the private field), PIN change (new PIN block in the private field -> new offset / PVV),
 * and the cardless status inquiry (QR reference / one-time code -> PAN and amount confirmed in the wallet).
 */
import { amount12, balanceBlock, formatStatement, parseCardlessReference, type StatementEntry } from '../host/messages';
import type { HostProfile } from '../host/profile';
import type { IsoMessage } from '../host/iso8583';
import type { Account, BankStore } from './bank-store';
import type { CardlessRegistry } from './cardless-registry';
import { decryptPinBlock, pinReference, type IssuerKeys } from './pin-check';

export interface ServiceResult {
  rc: string;
  extra?: Record<number, string | Buffer>;
}

const DESCRIPTIONS: Record<string, string> = {
  withdrawal: 'ATM CASH',
  cardless: 'CARDLESS ATM',
  reversal: 'REVERSAL',
  opening: 'OPENING BAL',
  adjustment: 'ADJUSTMENT',
  transfer: 'TRANSFER',
  'transfer-reversal': 'TRF REVERSAL',
};

/** Field 54: ledger (01) and available (02) balance of the account type in the processing code. */
export function balances(processingCode: string, currency: string, balance: number): string {
  const type = processingCode.slice(2, 4) || '00';
  return balanceBlock(type, '01', currency, balance) + balanceBlock(type, '02', currency, balance);
}

export function statement(bank: BankStore, acct: Account, max = 10): string {
  const entries: StatementEntry[] = bank.recentLedger(acct.id, max).map((l) => {
    const d = new Date(l.at);
    const date = `${String(d.getUTCFullYear() % 100).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
    return { date, sign: l.delta < 0 ? 'D' : 'C', amount: Math.abs(l.delta), description: DESCRIPTIONS[l.reason] ?? l.reason.toUpperCase() };
  });
  return formatStatement(entries, max);
}

/** PIN change: the old PIN was verified by the caller; decrypts the new block and stores its reference. */
export function changePin(bank: BankStore, keys: IssuerKeys, profile: HostProfile, req: IsoMessage, acct: Account, pan: string): ServiceResult {
  const value = req.fields[profile.privateFields.newPinBlock];
  const tag = profile.tags.newPinBlock;
  if (typeof value !== 'string' || !value.startsWith(tag)) return { rc: '30' };
  const hex = value.slice(tag.length);
  if (!/^[0-9A-F]{16}$/.test(hex)) return { rc: '30' };
  const pin = decryptPinBlock(keys, Buffer.from(hex, 'hex'), pan);
  if (pin === null) return { rc: '30' };
  bank.setPinReference(acct.id, acct.pinMethod, pinReference(acct.pinMethod, keys, pan, pin, acct.pvki));
  return { rc: '00' };
}

/** Cardless status: 00 with field 2 (PAN) and 4 (amount) once confirmed, 09 while a QR is pending, 14 unknown/used/expired. */
export function cardlessStatus(cardless: CardlessRegistry, profile: HostProfile, req: IsoMessage): ServiceResult {
  const ref = parseCardlessReference(profile, req.fields[profile.privateFields.cardlessReference]);
  if (!ref) return { rc: '30' };
  const entry = ref.kind === 'qr' ? cardless.pollQr(ref.reference) : /^\d{6,8}$/.test(ref.reference) ? cardless.get('code', ref.reference) : null;
  if (!entry || entry.state === 'used') return { rc: '14' };
  if (entry.state === 'pending' || entry.pan === undefined || entry.amount === undefined) return { rc: '09' };
  return { rc: '00', extra: { 2: entry.pan, 4: amount12(entry.amount) } };
}
