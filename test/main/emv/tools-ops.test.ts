import { describe, expect, it } from 'vitest';
import { runBatchLine } from '../../../main/tools/atm-tools';

const run = (o: object): Promise<Record<string, unknown>> => runBatchLine(JSON.stringify(o));

describe('atm-tools tlv.decode', () => {
  it('decodes nested TLV to JSON with names', async () => {
    const r = await run({ op: 'tlv.decode', hex: '770E8202198094040801010057021234' });
    expect(r).toEqual({
      tlv: [
        {
          tag: '77',
          name: 'Response Message Template Format 2',
          length: 14,
          children: [
            { tag: '82', name: 'Application Interchange Profile', length: 2, value: '1980' },
            { tag: '94', name: 'Application File Locator (AFL)', length: 4, value: '08010100' },
            { tag: '57', name: 'Track 2 Equivalent Data', length: 2, masked: true },
          ],
        },
      ],
    });
  });
  it('reports malformed data with the offset', async () => {
    expect(await run({ op: 'tlv.decode', hex: '9F3605' })).toEqual({ error: expect.stringContaining('exceeds'), offset: 2 });
    expect(await run({ op: 'tlv.decode', hex: 'ABC' })).toEqual({ error: expect.stringContaining('hex') });
  });
});

describe('atm-tools emv.arqc (vectors: pyemv test_cvn_hsm.py, jPOS JCESecurityModuleTest)', () => {
  const pyemvCdol1 = '000000004000' + '000000000000' + '0124' + '8000048000' + '0124' + '191105' + '01' + '52BF4585';
  const base = { op: 'emv.arqc', imk: '0123456789ABCDEFFEDCBA9876543210', pan: '1234567890123456', psn: '00', atc: '001C', cdol1: pyemvCdol1, aip: '1800' };
  it('Visa CVN 10', async () => {
    expect(await run({ ...base, cvn: '10', iad: '06010A03A06010' })).toEqual({ arqc: '29CCA15AE665FA2E', cvn: 'visa-10' });
  });
  it('Visa CVN 18', async () => {
    expect(await run({ ...base, cvn: 'visa-18', iad: '06011203A0B800' })).toEqual({ arqc: '7A788EA6B8A3E733', cvn: 'visa-18' });
  });
  it('Mastercard CVN 16 with UN given separately', async () => {
    const r = await run({
      op: 'emv.arqc', cvn: '16', imk: '12345678123456781234567812345678', pan: '1234567890123456', psn: '00', atc: '3456', un: '11111111',
      cdol1: '000000010000' + '000000001000' + '0840' + '0000001080' + '0840' + '980704' + '00' + '00000000', aip: '5800', iad: '0110A08003242000B6A400000000000000FF',
    });
    expect(r).toEqual({ arqc: 'AC8074C9E62EE6EF', cvn: 'mastercard-16' });
  });
  it('errors without echoing keys', async () => {
    const r = await run({ ...base, cvn: '99' });
    expect(r.error).toMatch(/unknown CVN/);
    expect(JSON.stringify(await run({ ...base, cvn: '10', cdol1: '00' }))).not.toContain('0123456789ABCDEF');
  });
});
