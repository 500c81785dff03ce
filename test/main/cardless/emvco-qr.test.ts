import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc16CcittFalse, emvQrCrc } from '../../../main/cardless/crc16-ccitt';
import { makeAtmWithdrawalQr, makeEmvQr, parseEmvQr } from '../../../main/cardless/emvco-qr';

/**
 * The EMVCo MPM specification's example payload (EMV QRCPS Merchant-Presented Mode, example with a
 * Chinese alternate-language template), CRC A13A. Reproduced verbatim in public test suites, e.g.
 * ericsalim/exemvi test "official sample qr parsing is successful" (@official_sample).
 */
const EMVCO_SAMPLE =
  '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN' +
  '5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***' +
  '0708A60086670902ME91320016A0112233449988770708123456786304A13A';

describe('CRC-16/CCITT-FALSE', () => {
  it('has the catalogue check value 0x29B1 for "123456789"', () => {
    expect(crc16CcittFalse(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });
  it('matches the EMVCo sample (UTF-8 bytes, A13A)', () => {
    expect(emvQrCrc(EMVCO_SAMPLE.slice(0, -4))).toBe('A13A');
  });
});

describe('parseEmvQr', () => {
  it('parses the EMVCo sample with its templates', () => {
    const r = parseEmvQr(EMVCO_SAMPLE);
    expect(r.valid).toBe(true);
    if (!r.valid) return;
    expect(r.crc).toBe('A13A');
    expect(r.objects['01']).toBe('12');
    expect(r.objects['29']).toEqual({ '00': 'D15600000000', '05': 'A93FO3230Q' });
    expect(r.objects['31']).toEqual({ '00': 'D15600000001', '03': '12345678' });
    expect(r.objects['64']).toEqual({ '00': 'ZH', '01': '最佳运输', '02': '北京' });
    expect(r.objects['62']).toEqual({ '03': '1234', '06': '***', '07': 'A6008667', '09': 'ME' });
    expect(r.objects['91']).toEqual({ '00': 'A011223344998877', '07': '12345678' });
    expect(r.objects['54']).toBe('23.72');
    expect(r.objects['53']).toBe('156');
  });

  it.each([
    ['bad CRC', EMVCO_SAMPLE.slice(0, -4) + 'A13B', /CRC mismatch/],
    ['missing 63', EMVCO_SAMPLE.slice(0, -8), /ID 63/],
    ['63 not last', EMVCO_SAMPLE + '9902AB', /ID 63/],
    ['00 not first', '0102' + EMVCO_SAMPLE, /ID 00/],
    ['bad length', '000201010A12', /bad length/],
    ['length past end', '00020101991', /runs past the end|truncated/],
    ['PFI not 01', '000202' + '6304' + emvQrCrc('0002026304'), /must be "01"/],
    ['bad template', (() => { const b = '0002012603AAA6304'; return b + emvQrCrc(b); })(), /template 26/],
    ['empty', '', /empty/],
  ])('rejects %s', (_name, payload, reason) => {
    const r = parseEmvQr(payload);
    expect(r.valid).toBe(false);
    if (!r.valid) expect(r.reason).toMatch(reason);
  });

  it('never throws on random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => {
      expect(typeof parseEmvQr(s).valid).toBe('boolean');
    }), { numRuns: 1000 });
  });
});

describe('makeEmvQr', () => {
  it('re-creates the EMVCo sample CRC from its objects (IDs in ascending order differ from the sample order)', () => {
    const r = parseEmvQr(EMVCO_SAMPLE);
    if (!r.valid) throw new Error(r.reason);
    const made = makeEmvQr(r.objects);
    const again = parseEmvQr(made);
    expect(again.valid).toBe(true);
    const { '63': _a, ...want } = r.objects;
    if (again.valid) expect({ ...again.objects, '63': undefined }).toEqual({ ...want, '63': undefined });
  });

  it('builds a dynamic ATM cash withdrawal QR', () => {
    const payload = makeAtmWithdrawalQr({
      amount: '100.00',
      currency: '156',
      country: 'CN',
      merchantName: 'OPEN ATM',
      city: 'SHANGHAI',
      reference: 'ATM0001202501010001',
      terminalId: 'ATM00001',
      accounts: { '15': '62000000000000000001' },
    });
    expect(payload.startsWith('000201010212')).toBe(true);
    const r = parseEmvQr(payload);
    expect(r).toMatchObject({
      valid: true,
      objects: { '01': '12', '15': '62000000000000000001', '52': '6011', '53': '156', '54': '100.00', '58': 'CN', '62': { '05': 'ATM0001202501010001', '07': 'ATM00001' } },
    });
  });

  it('rejects bad inputs', () => {
    expect(() => makeEmvQr({ '5': 'x' })).toThrow(/two digits/);
    expect(() => makeEmvQr({ '59': 'x'.repeat(100) })).toThrow(/1-99/);
    expect(() => makeEmvQr({ '59': { '00': 'x' } })).toThrow(/not a template/);
    expect(() => makeAtmWithdrawalQr({ amount: '1,00', currency: '156', country: 'CN', merchantName: 'A', city: 'B', reference: 'R' })).toThrow(/amount/);
  });

  it('round-trips random objects', () => {
    const val = fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }).filter((s) => Array.from(s).length <= 20);
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('01', '15', '52', '53', '54', '58', '59', '60'), val), fc.dictionary(fc.constantFrom('01', '05', '07'), val, { minKeys: 1 }), (prims, tpl) => {
        const objs = { ...prims, '62': tpl };
        const r = parseEmvQr(makeEmvQr({ ...objs, '01': '11' }));
        expect(r.valid).toBe(true);
        if (r.valid) expect(r.objects).toEqual({ '00': '01', ...objs, '01': '11', '63': r.crc });
      }),
      { numRuns: 200 },
    );
  });
});
