/**
 * Key check values.
 *  - TDES (and DES): encrypt a block of eight 0x00 bytes, keep the leftmost bytes (3 by convention).
 *  - AES (X9.24-1:2017 / X9.143 "CMAC KCV"): AES-CMAC of a 16-byte block of 0x00 under the key,
 *    leftmost bytes (X9.24 specifies 5; payment tools commonly display 3, the default here).
 *  - 'aes-ecb': the legacy AES KCV (encrypt a zero block), for systems that still use it.
 */
import { ecbEncrypt } from './block-cipher';
import { cmac } from './cmac';
import { CryptoError } from './errors';

export type KcvAlg = 'tdes' | 'aes' | 'aes-ecb' | 'sm4';

export function kcv(key: Uint8Array, alg: KcvAlg, length = 3): Buffer {
  if (!Number.isInteger(length) || length < 2 || length > 8) throw new CryptoError('BAD_INPUT', 'KCV length must be 2 to 8 bytes');
  switch (alg) {
    case 'tdes':
      return ecbEncrypt('tdes', key, Buffer.alloc(8)).subarray(0, length);
    case 'aes':
      return cmac('aes', key, Buffer.alloc(16)).subarray(0, length);
    case 'aes-ecb':
      return ecbEncrypt('aes', key, Buffer.alloc(16)).subarray(0, length);
    case 'sm4':
      return ecbEncrypt('sm4', key, Buffer.alloc(16)).subarray(0, length);
    default:
      throw new CryptoError('UNSUPPORTED', 'unknown KCV algorithm');
  }
}
