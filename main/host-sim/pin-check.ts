/**
 * The simulated issuer's PIN checks: ISO 9564 format 0 blocks under the zone PIN key, verified per account by
 * IBM 3624 offset or Visa PVV, with a tries counter (55 wrong PIN, 75 tries exceeded). Also computes the PIN
 * reference (offset / PVV) for a new PIN (PIN change, seeding). PINs never leave this module.
 */
import { decryptPin } from '../crypto/pin-block-crypto';
import { ibm3624Offset, ibm3624Verify, validationDataFromPan, visaPvv, visaPvvVerify, type Ibm3624Params } from '../crypto/pin-verification';
import type { Account, BankStore, PinMethod } from './bank-store';

export interface IssuerKeys {
  /** Zone PIN key shared with the ATM's PIN pad (TDES). */
  zpk: Uint8Array;
  /** PIN verification key (IBM 3624), also the Visa PVK pair. */
  pvk: Uint8Array;
  decimalizationTable: string;
}

export function pinParams(keys: IssuerKeys, pan: string): Ibm3624Params {
  return { pvk: keys.pvk, decimalizationTable: keys.decimalizationTable, validationData: validationDataFromPan(pan, 0, Math.min(16, pan.length - 1)), padChar: 'F' };
}

/** The stored reference for a PIN: IBM 3624 offset or Visa PVV. */
export function pinReference(method: PinMethod, keys: IssuerKeys, pan: string, pin: string, pvki = '1'): string {
  return method === 'visa-pvv' ? visaPvv({ pvk: keys.pvk, pvki, pan }, pin) : ibm3624Offset(pinParams(keys, pan), pin);
}

function pinMatches(acct: Account, keys: IssuerKeys, pan: string, pin: string): boolean {
  if (acct.pinMethod === 'visa-pvv') return visaPvvVerify({ pvk: keys.pvk, pvki: acct.pvki, pan }, pin, acct.pinOffset);
  return ibm3624Verify(pinParams(keys, pan), pin, acct.pinOffset);
}

/** Decrypts a format 0 block under the ZPK; null when it is not a valid block. */
export function decryptPinBlock(keys: IssuerKeys, block: unknown, pan: string): string | null {
  if (!(block instanceof Buffer) || block.length !== 8) return null;
  try {
    return decryptPin(0, block, { alg: 'tdes', key: keys.zpk }, pan);
  } catch {
    return null;
  }
}

/**
 * Verifies the PIN block in field 52. Returns null when correct (tries reset), else the response code:
 * 75 once the tries are used up (also before checking), 55 for a wrong or missing PIN.
 */
export function checkPin(bank: BankStore, keys: IssuerKeys, maxTries: number, acct: Account, pan: string, block: unknown): '55' | '75' | null {
  if (acct.pinTries >= maxTries) return '75';
  const pin = decryptPinBlock(keys, block, pan);
  if (pin !== null && pinMatches(acct, keys, pan, pin)) {
    if (acct.pinTries) bank.setPinTries(acct.id, 0);
    return null;
  }
  const tries = acct.pinTries + 1;
  bank.setPinTries(acct.id, tries);
  return tries >= maxTries ? '75' : '55';
}
