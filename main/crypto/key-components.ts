/**
 * Dual-control key components: a key is the XOR of 2 or 3 components, each entered by a different
 * custodian with its own KCV. Each component's KCV is checked before combination, and the
 * combined key's KCV may be checked too. TDES components must have odd parity; the combined key
 * is parity-adjusted (XOR of an odd number of odd-parity bytes is odd; of two, even: fixed here).
 */
import { equalBytes, xor } from './bytes';
import { CryptoError } from './errors';
import { kcv, type KcvAlg } from './kcv';
import { fixOddParity, hasOddParity } from './parity';

export interface KeyComponent {
  value: Uint8Array;
  /** Expected KCV of this component (hex or bytes); checked when present. */
  kcv?: Uint8Array;
}

export interface CombineOptions {
  alg: Extract<KcvAlg, 'tdes' | 'aes' | 'sm4'>;
  /** Expected KCV of the combined key. */
  expectedKcv?: Uint8Array;
  /** Require odd parity on TDES components (default true). */
  requireParity?: boolean;
}

export function combineComponents(components: readonly KeyComponent[], opts: CombineOptions): Buffer {
  if (components.length < 2 || components.length > 3) throw new CryptoError('BAD_INPUT', 'a key needs 2 or 3 components');
  const len = components[0]?.value.length ?? 0;
  components.forEach((c, i) => {
    if (c.value.length !== len) throw new CryptoError('BAD_KEY_LENGTH', `component ${i + 1} length differs`);
    if (opts.alg === 'tdes' && (opts.requireParity ?? true) && !hasOddParity(c.value)) {
      throw new CryptoError('BAD_PARITY', `component ${i + 1} does not have odd parity`);
    }
    if (c.kcv && !equalBytes(kcv(c.value, opts.alg, c.kcv.length), c.kcv)) {
      throw new CryptoError('KCV_MISMATCH', `component ${i + 1} KCV does not match`);
    }
  });
  let key: Buffer = Buffer.from(components[0]?.value ?? []);
  for (const c of components.slice(1)) key = xor(key, c.value);
  if (opts.alg === 'tdes') key = fixOddParity(key);
  if (opts.expectedKcv && !equalBytes(kcv(key, opts.alg, opts.expectedKcv.length), opts.expectedKcv)) {
    key.fill(0);
    throw new CryptoError('KCV_MISMATCH', 'combined key KCV does not match');
  }
  return key;
}
