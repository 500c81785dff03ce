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
