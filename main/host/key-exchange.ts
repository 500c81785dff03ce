/**
 * Working-key exchange (ATM side): the host answers an 0800 (field 70 = profile.networkCodes.keyExchange,
 * default 161) with an 0810 carrying the new working key as a TR-31 key block under the KBPK both sides
 * hold, in the private field profile.privateFields.keyBlock (default 48: an LLLVAR ans..999 field; field 96
 * is b16 in ISO 8583:1987 and cannot hold a key block). The block is imported with KeyStore.importTr31 under a
 * staging name first; the working key is replaced only when its usage fits the role (MAC: M3 for X9.19,
 * M5/M6 for AES-CMAC). The key block's own CMAC authenticates it, so 0800/0810 are not MACed.
 */
import { CryptoError } from '../crypto/errors';
import type { KeyInfo, KeyStore } from '../crypto/key-store';
import type { KeyUsageCode } from '../crypto/key-usage';
import type { MessageMacAlg } from './message-mac';

export type KeyExchangeResult =
  | { ok: true; keyName: string; usage: KeyUsageCode; kcv: string }
  | { ok: false; reason: 'declined' | 'noKeyBlock' | 'rejected' | 'wrongUsage' | 'timeout' | 'offline' | 'protocol'; responseCode?: string };

export const MAC_USAGES: Record<MessageMacAlg, readonly KeyUsageCode[]> = { x919: ['M3'], 'aes-cmac': ['M5', 'M6'] };

/** Imports `block` as `keyName` if its usage is one of `usages` (any usage when omitted). Never throws. */
export function importWorkingKey(
  store: KeyStore,
  kbpkName: string,
  keyName: string,
  block: string,
  usages?: readonly KeyUsageCode[],
): { ok: true; info: KeyInfo } | { ok: false; reason: 'rejected' | 'wrongUsage'; code?: string } {
  const staging = `${keyName}.next`.slice(0, 64);
  try {
    const staged = store.importTr31(staging, kbpkName, block);
    store.delete(staging);
    if (usages && !usages.includes(staged.usage)) return { ok: false, reason: 'wrongUsage' };
    return { ok: true, info: store.importTr31(keyName, kbpkName, block) };
  } catch (e) {
    if (store.has(staging)) store.delete(staging);
    return { ok: false, reason: 'rejected', ...(e instanceof CryptoError ? { code: e.code } : {}) };
  }
}
