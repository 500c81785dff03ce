/**
 * ANSI X9.24-3:2017 AES DUKPT.
 *  - KSN: 12 bytes = initial key ID (4-byte BDK ID + 4-byte derivation ID) + 32-bit counter.
 *  - Every key is AES-ECB(derivation key, derivation data), one 16-byte block per 128 bits of output:
 *      version 01 | block counter | key usage (2) | algorithm (2) | length in bits (2) | 8 bytes
 *    where the 8 bytes are the initial key ID (initial key) or the derivation ID + counter.
 *  - Transaction (derivation) key: from the initial key, for each counter bit set (MSB first) set it
 *    in a working counter and derive with usage 8000 (key derivation).
 *  - Working keys derive from the transaction key with usage 1000 PIN, 2000/2001/2002 MAC gen/verify/both,
 *    3000/3001/3002 data encrypt/decrypt/both, 0002 key encryption key.
 *  - Counter rules: at most 16 one-bits; exhausted after 0xFFFF0000.
 */
import { aesEcbEncrypt } from './block-cipher';
import { CryptoError } from './errors';

export const AES_KSN_LENGTH = 12;
export const AES_DUKPT_MAX_ONE_BITS = 16;
export const AES_DUKPT_MAX_COUNTER = 0xffff0000;

export type AesDukptKeyType = 'TDES2' | 'TDES3' | 'AES128' | 'AES192' | 'AES256';
const ALGORITHM: Record<AesDukptKeyType, [number, number]> = {
  TDES2: [0x0000, 128],
  TDES3: [0x0001, 192],
  AES128: [0x0002, 128],
  AES192: [0x0003, 192],
  AES256: [0x0004, 256],
};

export type AesDukptUsage = 'kek' | 'pin' | 'macGenerate' | 'macVerify' | 'macBoth' | 'dataEncrypt' | 'dataDecrypt' | 'dataBoth';
const USAGE: Record<AesDukptUsage | 'derivation' | 'initialKey', number> = {
  kek: 0x0002,
  pin: 0x1000,
  macGenerate: 0x2000,
  macVerify: 0x2001,
  macBoth: 0x2002,
  dataEncrypt: 0x3000,
  dataDecrypt: 0x3001,
  dataBoth: 0x3002,
  derivation: 0x8000,
  initialKey: 0x8001,
};

export const isAesDukptKeyType = (s: string): s is AesDukptKeyType => Object.prototype.hasOwnProperty.call(ALGORITHM, s);

const popcount = (n: number): number => {
  let c = 0;
  for (let x = n >>> 0; x; x = (x & (x - 1)) >>> 0) c++;
  return c;
};

function keyTypeOfLength(len: number): AesDukptKeyType {
  if (len === 16) return 'AES128';
  if (len === 24) return 'AES192';
  if (len === 32) return 'AES256';
  throw new CryptoError('BAD_KEY_LENGTH', 'AES DUKPT derivation keys must be 16, 24 or 32 bytes');
}

function checkKsn(ksn: Uint8Array): void {
  if (ksn.length !== AES_KSN_LENGTH) throw new CryptoError('BAD_KSN', `AES DUKPT KSN must be 12 bytes, got ${ksn.length}`);
}

export function aesKsnCounter(ksn: Uint8Array): number {
  checkKsn(ksn);
  return Buffer.from(ksn).readUInt32BE(8);
}

export function isValidAesKsn(ksn: Uint8Array): boolean {
  const c = aesKsnCounter(ksn);
  return c !== 0 && popcount(c) <= AES_DUKPT_MAX_ONE_BITS;
}

export function nextAesKsn(ksn: Uint8Array): Buffer {
  let c = aesKsnCounter(ksn) + 1;
  while (c <= AES_DUKPT_MAX_COUNTER && popcount(c) > AES_DUKPT_MAX_ONE_BITS) c += c & -c;
  if (c > AES_DUKPT_MAX_COUNTER) throw new CryptoError('KSN_EXHAUSTED', 'DUKPT transaction counter exhausted');
  const out = Buffer.from(ksn);
  out.writeUInt32BE(c >>> 0, 8);
  return out;
}

function derive(key: Uint8Array, usage: number, type: AesDukptKeyType, tail: Uint8Array): Buffer {
  const [alg, bits] = ALGORITHM[type];
  const data = Buffer.alloc(16);
  data[0] = 0x01;
  data.writeUInt16BE(usage, 2);
  data.writeUInt16BE(alg, 4);
  data.writeUInt16BE(bits, 6);
  Buffer.from(tail).copy(data, 8);
  const blocks: Buffer[] = [];
  for (let i = 1; i <= Math.ceil(bits / 128); i++) {
    data[1] = i;
    blocks.push(aesEcbEncrypt(key, data));
  }
  const out = Buffer.concat(blocks);
  const key2 = Buffer.from(out.subarray(0, bits / 8));
  out.fill(0);
  return key2;
}

function tail(ksn: Uint8Array, counter: number): Buffer {
  const t = Buffer.alloc(8);
  Buffer.from(ksn.subarray(4, 8)).copy(t, 0);
  t.writeUInt32BE(counter >>> 0, 4);
  return t;
}

/** Initial key from the BDK and the 8-byte initial key ID (or a full KSN: its first 8 bytes). */
export function aesDukptInitialKey(bdk: Uint8Array, initialKeyId: Uint8Array): Buffer {
  if (initialKeyId.length !== 8 && initialKeyId.length !== AES_KSN_LENGTH) {
    throw new CryptoError('BAD_KSN', 'initial key ID must be 8 bytes (or a 12-byte KSN)');
  }
  return derive(bdk, USAGE.initialKey, keyTypeOfLength(bdk.length), initialKeyId.subarray(0, 8));
}

/** The transaction derivation key for the KSN's counter. */
export function aesDukptTransactionKey(initialKey: Uint8Array, ksn: Uint8Array): Buffer {
  const type = keyTypeOfLength(initialKey.length);
  const counter = aesKsnCounter(ksn);
  if (popcount(counter) > AES_DUKPT_MAX_ONE_BITS) throw new CryptoError('BAD_KSN', 'KSN counter has more than 16 one-bits');
  let key: Buffer = Buffer.from(initialKey);
  let working = 0;
  for (let bit = 0x80000000; bit >= 1; bit /= 2) {
    if (!(Math.floor(counter / bit) % 2)) continue;
    working += bit;
    const next = derive(key, USAGE.derivation, type, tail(ksn, working));
    key.fill(0);
    key = next;
  }
  return key;
}

/** A working key of the given usage and type (no stronger than the transaction key). */
export function aesDukptWorkingKey(transactionKey: Uint8Array, ksn: Uint8Array, usage: AesDukptUsage, type: AesDukptKeyType): Buffer {
  keyTypeOfLength(transactionKey.length);
  if (ALGORITHM[type][1] / 8 > transactionKey.length) {
    throw new CryptoError('BAD_KEY_LENGTH', 'a working key may not be stronger than its derivation key');
  }
  return derive(transactionKey, USAGE[usage], type, tail(ksn, aesKsnCounter(ksn)));
}

export interface AesDukptKeys {
  initialKey: Buffer;
  transactionKey: Buffer;
  pinKey: Buffer;
  macKey: Buffer;
  dataKey: Buffer;
}

/** Host-side derivation: initial key, transaction key, and PIN / MAC-generation / data (both ways) keys. */
export function aesDukptKeys(bdk: Uint8Array, ksn: Uint8Array, workingKeyType: AesDukptKeyType): AesDukptKeys {
  if (!isValidAesKsn(ksn)) throw new CryptoError('BAD_KSN', 'KSN counter must be non-zero with at most 16 one-bits');
  const initialKey = aesDukptInitialKey(bdk, ksn);
  const transactionKey = aesDukptTransactionKey(initialKey, ksn);
  return {
    initialKey,
    transactionKey,
    pinKey: aesDukptWorkingKey(transactionKey, ksn, 'pin', workingKeyType),
    macKey: aesDukptWorkingKey(transactionKey, ksn, 'macGenerate', workingKeyType),
    dataKey: aesDukptWorkingKey(transactionKey, ksn, 'dataBoth', workingKeyType),
  };
}
