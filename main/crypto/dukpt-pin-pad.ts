/**
 * DUKPT on the PIN pad side: given the stored initial key and the last KSN used, advance the KSN
 * (skipping counters with too many one-bits; KSN_EXHAUSTED at the end), derive the PIN key and
 * encrypt the PIN block. The caller persists the new KSN before releasing the PIN block, so a
 * transaction counter is never reused, even across a crash.
 * (A certified device keeps future keys and erases the initial key; the simulator keeps the IPEK.)
 */
import { aesDukptTransactionKey, aesDukptWorkingKey, type AesDukptKeyType, nextAesKsn } from './dukpt-aes';
import { nextTdesKsn, tdesDukptTransactionKey, tdesDukptVariantKey } from './dukpt-tdes';
import { CryptoError } from './errors';
import { encryptPin } from './pin-block-crypto';
import type { PinBlockFormat } from './pin-block';
import type { RandomSource } from './bytes';

export type DukptScheme = 'tdes' | 'aes';

export interface DukptState {
  scheme: DukptScheme;
  /** Last KSN used (or the initial KSN with counter 0), hex. */
  ksn: string;
  /** AES DUKPT only: the working key type of the PIN key. */
  workingKeyType?: AesDukptKeyType;
}

export interface DukptPinRequest {
  format: PinBlockFormat;
  pin: string;
  pan?: string;
  fill?: string;
  random?: RandomSource;
}

export function nextDukptKsn(state: DukptState): string {
  const ksn = Buffer.from(state.ksn, 'hex');
  return (state.scheme === 'tdes' ? nextTdesKsn(ksn) : nextAesKsn(ksn)).toString('hex').toUpperCase();
}

/** Encrypts a PIN under the DUKPT PIN key of `ksnHex` (already advanced and persisted by the caller). */
export function dukptEncryptPinAt(state: DukptState, initialKey: Uint8Array, ksnHex: string, req: DukptPinRequest): Buffer {
  const ksn = Buffer.from(ksnHex, 'hex');
  if (state.scheme === 'tdes') {
    if (req.format === 4) throw new CryptoError('UNSUPPORTED', 'TDES DUKPT encrypts 8-byte PIN blocks (formats 0, 1, 3)');
    const tk = tdesDukptTransactionKey(initialKey, ksn);
    const pinKey = tdesDukptVariantKey(tk, 'pin');
    tk.fill(0);
    try {
      return encryptPin({ ...req, key: { alg: 'tdes', key: pinKey } });
    } finally {
      pinKey.fill(0);
    }
  }
  const type = state.workingKeyType ?? 'AES128';
  const tk = aesDukptTransactionKey(initialKey, ksn);
  const pinKey = aesDukptWorkingKey(tk, ksn, 'pin', type);
  tk.fill(0);
  try {
    if (type === 'TDES2' || type === 'TDES3') {
      if (req.format === 4) throw new CryptoError('UNSUPPORTED', 'a TDES working key encrypts formats 0, 1, 3');
      return encryptPin({ ...req, key: { alg: 'tdes', key: pinKey } });
    }
    if (req.format !== 4) throw new CryptoError('UNSUPPORTED', 'an AES working key encrypts format 4 PIN blocks');
    return encryptPin({ ...req, key: { alg: 'aes', key: pinKey } });
  } finally {
    pinKey.fill(0);
  }
}
