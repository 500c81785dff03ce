import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodePinBlock, encodePinBlock, panField128, type PinBlockFormat } from '../../../main/crypto/pin-block';
import { decryptPin, encryptPin } from '../../../main/crypto/pin-block-crypto';
import { CryptoError } from '../../../main/crypto/errors';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('ISO 9564-1 format 0', () => {
  // Worked example used throughout the payments literature (and in the issue): PIN 1234, PAN 4012345678909.
  it('encodes PIN 1234 / PAN 4012345678909 as 041274EDCBA9876F', () => {
    expect(hex(encodePinBlock({ format: 0, pin: '1234', pan: '4012345678909' }))).toBe('041274EDCBA9876F');
    expect(decodePinBlock({ format: 0, block: Buffer.from('041274EDCBA9876F', 'hex'), pan: '4012345678909' })).toBe('1234');
  });
  // psec (knovichikhin/psec) tests/test_pinblock.py test_encode_pinblock_iso_0 / test_decode_pinblock_iso_0
  it.each([
    ['1234', '5555555551234567', '041261AAAAEDCBA9'],
    ['123456789', '5555555551234567', '091261032D8DCBA9'],
    ['1234567890', '5555555551234567', '0A1261032D82CBA9'],
    ['123456789012', '5555555551234567', '0C1261032D8226A9'],
  ])('psec vector PIN %s', (pin, pan, block) => {
    expect(hex(encodePinBlock({ format: 0, pin, pan }))).toBe(block);
    expect(decodePinBlock({ format: 0, block: Buffer.from(block, 'hex'), pan })).toBe(pin);
  });
  it('rejects bad PINs, PANs, lengths and fillers without echoing them', () => {
    for (const pin of ['123', '1234567890123', '123A']) {
      expect(() => encodePinBlock({ format: 0, pin, pan: '5555555551234567' })).toThrow(CryptoError);
    }
    expect(() => encodePinBlock({ format: 0, pin: '1234' })).toThrow(/needs the PAN/);
    expect(() => encodePinBlock({ format: 0, pin: '1234', pan: '55555A5551234567' })).toThrow(CryptoError);
    const pan = '5555555551234567';
    // psec decode exception vectors: wrong control, short block, bad length, bad filler, non-numeric PIN
    for (const b of ['241261AAAAEDCBA9', '041261AAAAEDCB', '0F1261AAAAEDCBA9', '021261AAAAEDCBA9', '041261AAAAEDCBAA', '051261AAAAEDCBA9']) {
      let msg = '';
      try {
        decodePinBlock({ format: 0, block: Buffer.from(b, 'hex'), pan });
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).not.toBe('');
      expect(msg).not.toMatch(/1234|5555|AAAA/);
    }
  });
});

describe('formats 1, 3 and 4', () => {
  it('format 1 uses the injected fill and needs no PAN', () => {
    expect(hex(encodePinBlock({ format: 1, pin: '1234', fill: '0123456789AB' }))).toBe('141234' + '0123456789');
    expect(decodePinBlock({ format: 1, block: Buffer.from('1412340123456789', 'hex') })).toBe('1234');
  });
  it('format 3 fill must be A-F and XORs the PAN field', () => {
    const b = encodePinBlock({ format: 3, pin: '1234', pan: '4012345678909', fill: 'ABCDEFABCD' });
    // PIN field 341234ABCDEFABCD XOR PAN field 0000401234567890
    expect(hex(b)).toBe('341274B9F9B9D35D'); // 341234ABCDEFABCD XOR 0000401234567890
    expect(decodePinBlock({ format: 3, block: b, pan: '4012345678909' })).toBe('1234');
    expect(() => encodePinBlock({ format: 3, pin: '1234', pan: '4012345678909', fill: '0123456789' })).toThrow(/A-F/);
  });
  it('format 3 random fill only yields A-F digits (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{4,12}$/), fc.uint8Array({ minLength: 64, maxLength: 64 }), (pin, seed) => {
        const b = encodePinBlock({ format: 3, pin, pan: '4012345678909', random: (n) => seed.subarray(0, n) });
        expect(decodePinBlock({ format: 3, block: b, pan: '4012345678909' })).toBe(pin);
      }),
    );
  });
  it('format 4 PIN field and PAN field layout (ISO 9564-1:2017)', () => {
    expect(hex(encodePinBlock({ format: 4, pin: '1234', fill: '0011223344556677' }))).toBe('441234AAAAAAAAAA0011223344556677');
    expect(hex(panField128('4111111111111111'))).toBe('44111111111111111000000000000000');
    expect(hex(panField128('12345678901'))).toBe('00123456789010000000000000000000');
  });
  it('round-trips every format through encryption (property)', () => {
    const tdes = { alg: 'tdes' as const, key: Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex') };
    const aes = { alg: 'aes' as const, key: Buffer.alloc(16, 7) };
    const sm4 = { alg: 'sm4' as const, key: Buffer.alloc(16, 9) };
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{4,12}$/),
        fc.stringMatching(/^[0-9]{12,19}$/),
        fc.constantFrom<PinBlockFormat>(0, 1, 3, 4),
        (pin, pan, format) => {
          const key = format === 4 ? (pin.length % 2 ? aes : sm4) : tdes;
          const enc = encryptPin({ format, pin, pan, key });
          expect(enc.length).toBe(format === 4 ? 16 : 8);
          expect(decryptPin(format, enc, key, pan)).toBe(pin);
        },
      ),
      { numRuns: 200 },
    );
  });
  it('refuses format 4 under TDES and format 0 under AES', () => {
    expect(() => encryptPin({ format: 4, pin: '1234', pan: '4111111111111111', key: { alg: 'tdes', key: Buffer.alloc(16) } })).toThrow(CryptoError);
    expect(() => encryptPin({ format: 0, pin: '1234', pan: '4111111111111111', key: { alg: 'aes', key: Buffer.alloc(16) } })).toThrow(CryptoError);
  });
});
