import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fixOddParity, hasOddParity } from '../../../main/crypto/parity';
import { kcv } from '../../../main/crypto/kcv';
import { combineComponents } from '../../../main/crypto/key-components';
import { CryptoError } from '../../../main/crypto/errors';

const h = (s: string) => Buffer.from(s, 'hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('odd parity', () => {
  it('checks and fixes parity', () => {
    // every byte of this classic test key already has odd parity
    expect(hasOddParity(h('0123456789ABCDEFFEDCBA9876543210'))).toBe(true);
    expect(hasOddParity(h('0101010101010101'))).toBe(true);
    expect(hasOddParity(h('0000000000000000'))).toBe(false);
    expect(hex(fixOddParity(h('0000000000000000')))).toBe('0101010101010101');
  });
  it('fixOddParity always yields odd parity and only touches the low bit (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 24 }), (k) => {
        const f = fixOddParity(k);
        expect(hasOddParity(f)).toBe(true);
        f.forEach((b, i) => expect(b & 0xfe).toBe((k[i] ?? 0) & 0xfe));
      }),
    );
  });
});

describe('KCV', () => {
  // TR-31:2018 A.7 (via openemv/tr31 test/tr31_decrypt_test.c): TDES key 3F419E1CB7079442AA37474C2EFBF8B8 has
  // KCV 57C409; the same bytes as an AES key have the CMAC-based KCV 08793E; AES-256 key BE19..CC -> 0A00E3.
  it('TDES and AES (CMAC) KCVs', () => {
    expect(hex(kcv(h('3F419E1CB7079442AA37474C2EFBF8B8'), 'tdes'))).toBe('57C409');
    expect(hex(kcv(h('3F419E1CB7079442AA37474C2EFBF8B8'), 'aes'))).toBe('08793E');
    expect(hex(kcv(h('BE19E6A07A760F10EF8E83A226B63AAD141F463FDDD4F47DB244B4023EC3CACC'), 'aes'))).toBe('0A00E3');
    expect(hex(kcv(h('3F419E1CB7079442AA37474C2EFBF8B8'), 'aes', 5))).toMatch(/^08793E[0-9A-F]{4}$/);
    expect(() => kcv(h('3F419E1CB7079442AA37474C2EFBF8B8'), 'tdes', 9)).toThrow(CryptoError);
  });
});

describe('dual-control components', () => {
  it('XOR of two components, parity forced, each KCV checked', () => {
    const c1 = fixOddParity(h('0123456789ABCDEF0123456789ABCDEF'));
    const c2 = fixOddParity(h('FEDCBA9876543210FEDCBA9876543210'));
    const key = combineComponents([{ value: c1, kcv: kcv(c1, 'tdes') }, { value: c2, kcv: kcv(c2, 'tdes') }], { alg: 'tdes' });
    expect(hasOddParity(key)).toBe(true);
    expect(hex(key)).toBe(hex(fixOddParity(Buffer.from(c1.map((b, i) => b ^ (c2[i] ?? 0))))));
    expect(() => combineComponents([{ value: c1 }, { value: h('00'.repeat(16)) }], { alg: 'tdes' })).toThrow(
      expect.objectContaining({ code: 'BAD_PARITY' }),
    );
    expect(() => combineComponents([{ value: c1 }, { value: c2 }], { alg: 'tdes', expectedKcv: h('000000') })).toThrow(
      expect.objectContaining({ code: 'KCV_MISMATCH' }),
    );
    expect(() => combineComponents([{ value: c1 }, { value: c2.subarray(0, 8) }], { alg: 'tdes' })).toThrow(CryptoError);
    expect(() => combineComponents([c1, c1, c1, c1].map((value) => ({ value })), { alg: 'tdes' })).toThrow(CryptoError);
  });
});
