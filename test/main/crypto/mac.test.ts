import { describe, expect, it } from 'vitest';
import { cmac } from '../../../main/crypto/cmac';
import { isoMacAlg1, isoMacAlg3, padIso9797, retailMacKeys } from '../../../main/crypto/mac-iso9797';
import { CryptoError } from '../../../main/crypto/errors';

const h = (s: string) => Buffer.from(s, 'hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const hello = Buffer.from('hello world');

// ISO 9797-1 padding examples: psec tests/test_mac.py (test_pad_iso_1/2/3).
describe('ISO 9797-1 padding', () => {
  it.each([
    [1, '1234', 8, '1234000000000000'],
    [1, '1234567890123456', 8, '1234567890123456'],
    [1, '', 4, '00000000'],
    [2, '1234', 8, '1234800000000000'],
    [2, '12345678901234', 8, '1234567890123480'],
    [2, '1234567890123456', 8, '12345678901234568000000000000000'],
    [2, '', 4, '80000000'],
    [3, '1234', 8, '00000000000000101234000000000000'],
    [3, '1234567890123456', 8, '00000000000000401234567890123456'],
    [3, '12345678', 4, '0000002012345678'],
    [3, '', 4, '0000000000000000'],
  ] as const)('method %i of %s (block %i)', (m, d, bs, out) => {
    expect(hex(padIso9797(h(d), m, bs))).toBe(out);
  });
});

describe('ISO 9797-1 MAC algorithms 1 and 3', () => {
  // psec tests/test_mac.py test_generate_cbc_mac: key AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB, data "hello world".
  it.each([
    [1, '68D9038F23360DF3'],
    [2, '32DC341271ACCD00'],
    [3, 'CDACA53E2DAA5412'],
  ] as const)('algorithm 1 (TDES CBC-MAC), padding %i', (p, mac) => {
    expect(hex(isoMacAlg1(h('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB'), hello, p))).toBe(mac);
    expect(hex(isoMacAlg1(h('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB'), hello, p, 4))).toBe(mac.slice(0, 8));
  });
  // psec mac.py docstring: generate_cbc_mac(0123456789ABCDEFFEDCBA9876543210, 1234567890ABCDEF, padding=2).
  it('algorithm 1 psec docstring example', () => {
    expect(hex(isoMacAlg1(h('0123456789ABCDEFFEDCBA9876543210'), h('1234567890ABCDEF'), 2))).toBe('925B1737EF681AD3');
  });
  // psec test_generate_retail_mac: key1 = ASCII "AAAAAAAAAAAAAAAA" (0x41 x16, a TDES key with K1=K2, i.e.
  // single DES 4141414141414141), key2 = ASCII "BBBBBBBBBBBBBBBB"; so the X9.19 key is 4141..41 4242..42.
  it.each([
    [1, '3DDE5C5511661CBF'],
    [2, 'E16941032C3BC7D4'],
    [3, 'BA90F750EF43F668'],
  ] as const)('algorithm 3 / X9.19 retail MAC, padding %i', (p, mac) => {
    expect(hex(isoMacAlg3(h('41414141414141414242424242424242'), hello, p))).toBe(mac);
    expect(hex(retailMacKeys(Buffer.from('AAAAAAAAAAAAAAAA'), Buffer.from('BBBBBBBBBBBBBBBB'), hello, p))).toBe(mac);
  });
  // psec mac.py docstring: generate_retail_mac(0123456789ABCDEFFEDCBA9876543210, FEDCBA98765432100123456789ABCDEF,
  // 1234567890ABCDEF, padding=2) -> 644AA5C915DBDAF8 (independent double-length keys).
  it('retail MAC with independent keys, psec docstring example', () => {
    expect(hex(retailMacKeys(h('0123456789ABCDEFFEDCBA9876543210'), h('FEDCBA98765432100123456789ABCDEF'), h('1234567890ABCDEF'), 2))).toBe(
      '644AA5C915DBDAF8',
    );
  });
  it('rejects bad key lengths, MAC lengths and padding methods', () => {
    expect(() => isoMacAlg3(Buffer.alloc(8), hello)).toThrow(CryptoError);
    expect(() => isoMacAlg1(Buffer.alloc(16), hello, 1, 9)).toThrow(CryptoError);
    expect(() => padIso9797(hello, 4 as 1)).toThrow(CryptoError);
  });
});

describe('CMAC', () => {
  const k128 = h('2B7E151628AED2A6ABF7158809CF4F3C');
  const m64 = h(
    '6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710',
  );
  // RFC 4493 section 4 examples 1-4 (AES-128).
  it.each([
    [0, 'BB1D6929E95937287FA37D129B756746'],
    [16, '070A16B46B4D4144F79BDD9DD04A287C'],
    [40, 'DFA66747DE9AE63030CA32611497C827'],
    [64, '51F0BEBF7E3B9D92FC49741779363CFE'],
  ])('RFC 4493 AES-128 Mlen=%i', (len, tag) => {
    expect(hex(cmac('aes', k128, m64.subarray(0, len)))).toBe(tag);
  });
  // NIST SP 800-38B examples (CSRC AES_CMAC.pdf), AES-256 Example with 64-byte message, as in nettle's cmac-test.c.
  it('SP 800-38B AES-256 Mlen=64', () => {
    const k256 = h('603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4');
    expect(hex(cmac('aes', k256, m64))).toBe('E1992190549F6ED5696A2C056C315410');
  });
  // NIST SP 800-38B examples (CSRC TDES_CMAC.pdf), three-key TDEA, as in nettle's cmac-test.c.
  it.each([
    [0, '7DB0D37DF936C550'],
    [16, '30239CF1F52E6609'],
    [20, '6C9F3EE4923F6BE2'],
    [32, '99429BD0BF7904E5'],
  ])('SP 800-38B TDES-CMAC Mlen=%i', (len, tag) => {
    const k = h('0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123');
    expect(hex(cmac('tdes', k, m64.subarray(0, len)))).toBe(tag);
  });
  it('truncates and validates the tag length', () => {
    expect(hex(cmac('aes', k128, Buffer.alloc(0), 8))).toBe('BB1D6929E9593728');
    expect(() => cmac('aes', k128, Buffer.alloc(0), 17)).toThrow(CryptoError);
  });
});
