/**
 * Typed errors for payment cryptography. Messages never carry key, PIN or PIN block material:
 * only the kind of problem (lengths, names, codes).
 */
export type CryptoErrorCode =
  | 'BAD_KEY_LENGTH'
  | 'BAD_PARITY'
  | 'BAD_INPUT'
  | 'BAD_PIN'
  | 'BAD_PAN'
  | 'BAD_PIN_BLOCK'
  | 'KSN_EXHAUSTED'
  | 'BAD_KSN'
  | 'KEY_USAGE'
  | 'KEY_NOT_FOUND'
  | 'KEY_EXISTS'
  | 'MAC_MISMATCH'
  | 'KEY_BLOCK'
  | 'KEY_STORE_CORRUPT'
  | 'KCV_MISMATCH'
  | 'UNSUPPORTED';

export class CryptoError extends Error {
  override name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class KeyUsageError extends CryptoError {
  override name = 'KeyUsageError';
  constructor(message: string) {
    super('KEY_USAGE', message);
  }
}
