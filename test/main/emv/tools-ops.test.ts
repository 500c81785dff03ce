import { describe, expect, it, vi } from 'vitest';
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

describe('atm-tools human subcommands', () => {
  async function capture(args: string[]): Promise<{ code: number; out: string }> {
    const { main } = await import('../../../main/tools/atm-tools');
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      return { code: await main(args), out: lines.join('\n') };
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
  }
  it('tlv decode masks the PAN', async () => {
    const r = await capture(['tlv', 'decode', '70105A0847617390010100105F2403301231']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('5A Application Primary Account Number (PAN) (8) [masked]');
    expect(r.out).not.toContain('4761739001010010');
  });
  it('qr make / qr parse', async () => {
    const made = await capture(['qr', 'make', '--amount', '100.00', '--currency', '156', '--name', 'OPEN ATM', '--city', 'BEIJING', '--ref', 'R1', '--unionpay', '6200000000000001']);
    expect(made.code).toBe(0);
    const parsed = await capture(['qr', 'parse', made.out.trim()]);
    expect(parsed.code).toBe(0);
    expect(JSON.parse(parsed.out)).toMatchObject({ valid: true, objects: { '15': '6200000000000001', '54': '100.00' } });
    expect((await capture(['qr', 'parse', '0002016304FFFF'])).code).toBe(1);
  });
  it('emv arqc', async () => {
    const r = await capture(['emv', 'arqc', '--cvn', '18', '--imk', '0123456789ABCDEFFEDCBA9876543210', '--pan', '1234567890123456', '--atc', '001C', '--aip', '1800', '--iad', '06011203A0B800',
      '--cdol1', '0000000040000000000000000124800004800001241911050152BF4585']);
    expect(r).toEqual({ code: 0, out: '7A788EA6B8A3E733' });
    expect((await capture(['emv', 'arqc', '--cvn', '18'])).code).toBe(1);
  });
});
