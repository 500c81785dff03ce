import { describe, expect, it } from 'vitest';
import { runBatchLine } from '../../../main/tools/atm-tools';

const run = (o: object): Promise<Record<string, unknown>> => runBatchLine(JSON.stringify(o));

describe('atm-tools qr ops', () => {
  it('qr.make then qr.parse', async () => {
    const made = await run({ op: 'qr.make', objects: { '01': '12', '53': '156', '54': '100.00', '58': 'CN', '59': 'OPEN ATM', '60': 'BEIJING', '62': { '05': 'REF1' } } });
    expect(typeof made.payload).toBe('string');
    const parsed = await run({ op: 'qr.parse', payload: made.payload as string });
    expect(parsed).toMatchObject({ valid: true, crc: expect.stringMatching(/^[0-9A-F]{4}$/), objects: { '54': '100.00', '62': { '05': 'REF1' } } });
  });
  it('qr.make ATM withdrawal form', async () => {
    const made = await run({ op: 'qr.make', amount: '100.00', currency: '156', country: 'CN', merchantName: 'OPEN ATM', city: 'BEIJING', reference: 'R1' });
    expect(made.payload).toMatch(/^000201010212.*6304[0-9A-F]{4}$/);
  });
  it('invalid payloads', async () => {
    expect(await run({ op: 'qr.parse', payload: '0002016304FFFF' })).toMatchObject({ valid: false, reason: expect.stringContaining('CRC') });
    expect(await run({ op: 'qr.parse', payload: '000201' })).toMatchObject({ valid: false, reason: expect.stringContaining('63') });
    expect(await run({ op: 'qr.parse', payload: '00X201' })).toMatchObject({ valid: false, reason: expect.stringContaining('length') });
    expect(await run({ op: 'qr.make', objects: { '5': 'x' } })).toEqual({ error: expect.stringContaining('two digits') });
    expect(await run({ op: 'qr.make' })).toEqual({ error: expect.any(String) });
  });
});
