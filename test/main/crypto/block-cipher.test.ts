import { describe, expect, it } from 'vitest';
import { aesEcbEncrypt, desEcbEncrypt, sm4EcbDecrypt, sm4EcbEncrypt, tdesEcbDecrypt, tdesEcbEncrypt } from '../../../main/crypto/block-cipher';
import { CryptoError } from '../../../main/crypto/errors';

const h = (s: string) => Buffer.from(s, 'hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('block ciphers on node:crypto', () => {
  // GB/T 32907-2016 (SM4) Appendix A example 1: key = plaintext = 0123456789ABCDEFFEDCBA9876543210.
  it('SM4 GB/T 32907 example', () => {
    const k = h('0123456789ABCDEFFEDCBA9876543210');
    expect(hex(sm4EcbEncrypt(k, k))).toBe('681EDF34D206965E86B3E94F536E4246');
    expect(hex(sm4EcbDecrypt(k, h('681EDF34D206965E86B3E94F536E4246')))).toBe(hex(k));
  });
  // FIPS 197 Appendix C.1: AES-128 key 000102..0F, plaintext 00112233..FF.
  it('AES-128 FIPS 197 C.1', () => {
    expect(hex(aesEcbEncrypt(h('000102030405060708090A0B0C0D0E0F'), h('00112233445566778899AABBCCDDEEFF')))).toBe(
      '69C4E0D86A7B0430D8CDB78070B4C55A',
    );
  });
  // Single DES, the classic example (e.g. Grabbe, "The DES Algorithm Illustrated"):
  // key 133457799BBCDFF1, plaintext 0123456789ABCDEF -> 85E813540F0AB405.
  it('single DES as TDES with K1=K2=K3', () => {
    expect(hex(desEcbEncrypt(h('133457799BBCDFF1'), h('0123456789ABCDEF')))).toBe('85E813540F0AB405');
  });
  it('TDES 2-key equals 3-key K1K2K1 and round-trips', () => {
    const k2 = h('0123456789ABCDEFFEDCBA9876543210');
    const k3 = Buffer.concat([k2, k2.subarray(0, 8)]);
    const d = h('1122334455667788');
    expect(hex(tdesEcbEncrypt(k2, d))).toBe(hex(tdesEcbEncrypt(k3, d)));
    expect(hex(tdesEcbDecrypt(k2, tdesEcbEncrypt(k2, d)))).toBe(hex(d));
  });
  it('rejects bad key and data lengths', () => {
    expect(() => tdesEcbEncrypt(Buffer.alloc(10), Buffer.alloc(8))).toThrow(CryptoError);
    expect(() => tdesEcbEncrypt(Buffer.alloc(16), Buffer.alloc(7))).toThrow(CryptoError);
    expect(() => aesEcbEncrypt(Buffer.alloc(15), Buffer.alloc(16))).toThrow(CryptoError);
    expect(() => sm4EcbEncrypt(Buffer.alloc(32), Buffer.alloc(16))).toThrow(CryptoError);
  });
});
