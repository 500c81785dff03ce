import { describe, expect, it } from 'vitest';
import {
  ibm3624NaturalPin,
  ibm3624Offset,
  ibm3624PinFromOffset,
  ibm3624Verify,
  validationDataFromPan,
  visaPvv,
  visaPvvVerify,
} from '../../../main/crypto/pin-verification';
import { CryptoError } from '../../../main/crypto/errors';

const pvk = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const params = (pan: string, off: number, len: number, pad: string) => ({
  pvk,
  decimalizationTable: '1234567890123456',
  validationData: validationDataFromPan(pan, off, len),
  padChar: pad,
});

// Vectors: psec (knovichikhin/psec) tests/test_pin.py, test_generate_ibm3624_offset / _pin,
// PVK 0123456789ABCDEFFEDCBA9876543210, conversion table 1234567890123456.
describe('IBM 3624 PIN offset', () => {
  it.each([
    ['4524', '1122334455667788', 0, 16, 'F', '0000'],
    ['4524', '1122334455667788', 0, 16, 'f', '0000'],
    ['5635', '1122334455667788', 0, 16, 'F', '1111'],
    ['0000', '1122334455667788', 0, 16, 'F', '6586'],
    ['1111', '1122334455667788', 0, 16, 'F', '7697'],
    ['1234', '1122334455667788', 0, 16, 'F', '7710'],
    ['5518', '1122334455667788', 0, 14, 'F', '0000'],
    ['3675', '1122334455667788', 1, 14, '1', '0000'],
    ['5550', '1122334455667788', 2, 14, '1', '0000'],
  ] as const)('PIN %s PAN %s [%i,+%i) pad %s -> offset %s', (pin, pan, off, len, pad, offset) => {
    const p = params(pan, off, len, pad);
    expect(ibm3624Offset(p, pin)).toBe(offset);
    expect(ibm3624PinFromOffset(p, offset)).toBe(pin);
    expect(ibm3624Verify(p, pin, offset)).toBe(true);
    expect(ibm3624Verify(p, pin === '0000' ? '0001' : '0000', offset)).toBe(false);
  });
  it('natural PIN is the offset-0000 PIN', () => {
    expect(ibm3624NaturalPin(params('1122334455667788', 0, 16, 'F'), 4)).toBe('4524');
  });
  it('rejects bad parameters (psec exception cases)', () => {
    const good = params('1122334455667788', 0, 16, 'F');
    expect(() => ibm3624Offset({ ...good, pvk: Buffer.from('1234') }, '1234')).toThrow(CryptoError);
    expect(() => ibm3624Offset({ ...good, decimalizationTable: '123456789012345' }, '1234')).toThrow(CryptoError);
    expect(() => ibm3624Offset({ ...good, decimalizationTable: '123456789012345A' }, '1234')).toThrow(CryptoError);
    expect(() => ibm3624Offset({ ...good, padChar: 'FF' }, '1234')).toThrow(CryptoError);
    expect(() => ibm3624Offset({ ...good, padChar: 'X' }, '1234')).toThrow(CryptoError);
    expect(() => ibm3624Offset(good, '123')).toThrow(CryptoError);
    expect(() => ibm3624PinFromOffset(good, '000A')).toThrow(CryptoError);
    expect(() => validationDataFromPan('1122334455667788', 1, 16)).toThrow(CryptoError);
    expect(() => validationDataFromPan('1122334455667788', 0, 17)).toThrow(CryptoError);
  });
});

// Vectors: psec tests/test_pin.py test_generate_visa_pvv, PVK 0123456789ABCDEFFEDCBA9876543210.
describe('Visa PVV', () => {
  it.each([
    ['1', '4524', '1122334455667788', '8523'],
    ['2', '1912', '1122334455667788', '3244'],
    ['1', '0570', '1122334455667718', '3144'],
    ['1', '8299', '1122334455667708', '4422'],
  ])('PVKI %s PIN %s PAN %s -> %s', (pvki, pin, pan, pvv) => {
    expect(visaPvv({ pvk, pvki, pan }, pin)).toBe(pvv);
    expect(visaPvvVerify({ pvk, pvki, pan }, pin, pvv)).toBe(true);
    expect(visaPvvVerify({ pvk, pvki, pan }, pin, pvv === '0000' ? '0001' : '0000')).toBe(false);
  });
  it('rejects bad PVKI, PIN, PAN and key length', () => {
    expect(() => visaPvv({ pvk, pvki: 'A', pan: '1122334455667788' }, '1234')).toThrow(CryptoError);
    expect(() => visaPvv({ pvk, pvki: '11', pan: '1122334455667788' }, '1234')).toThrow(CryptoError);
    expect(() => visaPvv({ pvk, pvki: '1', pan: '11223344556' }, '1234')).toThrow(CryptoError);
    expect(() => visaPvv({ pvk, pvki: '1', pan: '1122334455667788' }, '123')).toThrow(CryptoError);
    expect(() => visaPvv({ pvk: Buffer.alloc(4), pvki: '1', pan: '1122334455667788' }, '1234')).toThrow(CryptoError);
  });
});
