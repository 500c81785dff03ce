/**
 * ANSI X9.24-1:2009 TDES DUKPT (Annex A).
 *  - KSN: 10 bytes = 59-bit initial key serial number + 21-bit transaction counter.
 *  - IPEK: left = TDES(BDK, KSN8), right = TDES(BDK XOR C0C0C0C000000000C0C0C0C000000000, KSN8),
 *    where KSN8 is the leftmost 8 bytes of the KSN with the counter cleared.
 *  - Transaction key: from the IPEK, for each counter bit set (most significant first) set that
 *    bit in the KSN register and apply the non-reversible key generation process.
 *  - Variants XOR the transaction key: PIN, MAC request/response, data request/response; the data
 *    encryption key additionally encrypts each half of the variant key under the variant key.
 *  - Counter rules: at most 10 one-bits; the originator skips invalid counters; after counter
 *    0x1FF800 the device is exhausted (2^20 = 1,048,576 usable keys including counter 0).
 */
import { desEcbEncrypt, tdesEcbEncrypt } from './block-cipher';
import { xor } from './bytes';
import { CryptoError } from './errors';

export const TDES_KSN_LENGTH = 10;
export const TDES_DUKPT_MAX_ONE_BITS = 10;
export const TDES_COUNTER_BITS = 21;
const COUNTER_MASK = (1 << TDES_COUNTER_BITS) - 1;
const KEY_MASK = Buffer.from('C0C0C0C000000000C0C0C0C000000000', 'hex');

export type TdesDukptVariant = 'pin' | 'macRequest' | 'macResponse' | 'dataRequest' | 'dataResponse';
const VARIANTS: Record<TdesDukptVariant, string> = {
  pin: '00000000000000FF00000000000000FF',
  macRequest: '000000000000FF00000000000000FF00',
  macResponse: '00000000FF00000000000000FF000000',
  dataRequest: '0000000000FF00000000000000FF0000',
  dataResponse: '000000FF00000000000000FF00000000',
};

const popcount = (n: number): number => {
  let c = 0;
  for (let x = n; x; x &= x - 1) c++;
  return c;
};

function checkKsn(ksn: Uint8Array): void {
  if (ksn.length !== TDES_KSN_LENGTH) throw new CryptoError('BAD_KSN', `TDES DUKPT KSN must be 10 bytes, got ${ksn.length}`);
}
function checkKey16(k: Uint8Array, what: string): void {
  if (k.length !== 16) throw new CryptoError('BAD_KEY_LENGTH', `${what} must be a 16-byte double-length TDES key`);
}

export function tdesKsnCounter(ksn: Uint8Array): number {
  checkKsn(ksn);
  return (((ksn[7] ?? 0) << 16) | ((ksn[8] ?? 0) << 8) | (ksn[9] ?? 0)) & COUNTER_MASK;
}

function withCounter(ksn: Uint8Array, counter: number): Buffer {
  const out = Buffer.from(ksn);
  out[7] = ((out[7] ?? 0) & 0xe0) | ((counter >> 16) & 0x1f);
  out[8] = (counter >> 8) & 0xff;
  out[9] = counter & 0xff;
  return out;
}

/** A KSN is usable for a transaction when its counter is non-zero with at most 10 one-bits. */
export function isValidTdesKsn(ksn: Uint8Array): boolean {
  const c = tdesKsnCounter(ksn);
  return c !== 0 && popcount(c) <= TDES_DUKPT_MAX_ONE_BITS;
}

/** The next valid KSN after this one (skipping counters with more than 10 one-bits). */
export function nextTdesKsn(ksn: Uint8Array): Buffer {
  let c = tdesKsnCounter(ksn) + 1;
  while (c <= COUNTER_MASK && popcount(c) > TDES_DUKPT_MAX_ONE_BITS) c += c & -c;
  if (c > COUNTER_MASK) throw new CryptoError('KSN_EXHAUSTED', 'DUKPT transaction counter exhausted');
  return withCounter(ksn, c);
}

export function tdesDukptIpek(bdk: Uint8Array, ksn: Uint8Array): Buffer {
  checkKey16(bdk, 'BDK');
  checkKsn(ksn);
  const ksn8 = withCounter(ksn, 0).subarray(0, 8);
  const left = tdesEcbEncrypt(bdk, ksn8);
  const masked = xor(bdk, KEY_MASK);
  const right = tdesEcbEncrypt(masked, ksn8);
  masked.fill(0);
  return Buffer.concat([left, right]);
}

/** Non-reversible key generation process (X9.24-1:2009 A.2). */
function nonReversible(key: Buffer, data: Buffer): Buffer {
  const half = (k: Buffer): Buffer => {
    const kl = k.subarray(0, 8);
    const kr = k.subarray(8, 16);
    return xor(desEcbEncrypt(kl, xor(data, kr)), kr);
  };
  const right = half(key);
  const masked = xor(key, KEY_MASK);
  const left = half(masked);
  masked.fill(0);
  return Buffer.concat([left, right]);
}

/** The transaction key (future key) for this KSN, derived from the IPEK. */
export function tdesDukptTransactionKey(ipek: Uint8Array, ksn: Uint8Array): Buffer {
  checkKey16(ipek, 'IPEK');
  const counter = tdesKsnCounter(ksn);
  if (popcount(counter) > TDES_DUKPT_MAX_ONE_BITS) throw new CryptoError('BAD_KSN', 'KSN counter has more than 10 one-bits');
  const reg = withCounter(ksn, 0).subarray(2, 10);
  let key: Buffer = Buffer.from(ipek);
  for (let bit = 1 << (TDES_COUNTER_BITS - 1); bit; bit >>>= 1) {
    if (!(counter & bit)) continue;
    reg[5] = (reg[5] ?? 0) | ((bit >> 16) & 0xff);
    reg[6] = (reg[6] ?? 0) | ((bit >> 8) & 0xff);
    reg[7] = (reg[7] ?? 0) | (bit & 0xff);
    const next = nonReversible(key, reg);
    key.fill(0);
    key = next;
  }
  return key;
}

export function tdesDukptVariantKey(transactionKey: Uint8Array, variant: TdesDukptVariant): Buffer {
  checkKey16(transactionKey, 'transaction key');
  const v = xor(transactionKey, Buffer.from(VARIANTS[variant], 'hex'));
  if (variant !== 'dataRequest' && variant !== 'dataResponse') return v;
  // Data encryption key: each half of the variant key encrypted under the variant key itself.
  const out = Buffer.concat([tdesEcbEncrypt(v, v.subarray(0, 8)), tdesEcbEncrypt(v, v.subarray(8, 16))]);
  v.fill(0);
  return out;
}

export interface TdesDukptKeys {
  ipek: Buffer;
  transactionKey: Buffer;
  pinKey: Buffer;
  macKey: Buffer;
  dataKey: Buffer;
}

/** Host-side derivation of all request keys for a KSN (counter must be non-zero). */
export function tdesDukptKeys(bdk: Uint8Array, ksn: Uint8Array): TdesDukptKeys {
  if (!isValidTdesKsn(ksn)) throw new CryptoError('BAD_KSN', 'KSN counter must be non-zero with at most 10 one-bits');
  const ipek = tdesDukptIpek(bdk, ksn);
  const transactionKey = tdesDukptTransactionKey(ipek, ksn);
  return {
    ipek,
    transactionKey,
    pinKey: tdesDukptVariantKey(transactionKey, 'pin'),
    macKey: tdesDukptVariantKey(transactionKey, 'macRequest'),
    dataKey: tdesDukptVariantKey(transactionKey, 'dataRequest'),
  };
}
