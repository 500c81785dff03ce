import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareEmvDates, processingRestrictions, type RestrictionInput } from '../../../main/emv/processing-restrictions';
import { processCvm } from '../../../main/emv/cvm';
import { defaultActionDecision, firstAcDecision } from '../../../main/emv/action-analysis';
import { BitField, TVR, tvrBitNames } from '../../../main/emv/tvr';
import { EmvTransaction } from '../../../main/emv/kernel';
import { terminalConfig } from '../../../main/emv/terminal-config';
import { orderCandidates, type AppCandidate } from '../../../main/emv/app-selection';
import { fromHex as h } from '../../../main/emv/tdes';

const base: RestrictionInput = {
  cardAppVersion: h('008C'), terminalAppVersion: h('008C'), effective: h('200101'), expiry: h('301231'), today: h('260315'),
  auc: h('FF00'), issuerCountry: h('0156'), terminalCountry: h('0156'), isAtm: true, transactionType: 0x01,
};
const names = (bits: ReturnType<typeof processingRestrictions>): string[] => {
  const f = new BitField(5);
  bits.forEach((b) => f.set(b));
  return tvrBitNames(f.bytes);
};

describe('processing restrictions', () => {
  it('dates use the YY<50 century rule', () => {
    expect(compareEmvDates(h('491231'), h('500101'))).toBeGreaterThan(0);
    expect(compareEmvDates(h('260315'), h('260315'))).toBe(0);
  });
  it.each([
    [{}, []],
    [{ cardAppVersion: h('0084') }, ['APP_VERSIONS_DIFFER']],
    [{ expiry: h('260314') }, ['EXPIRED_APPLICATION']],
    [{ effective: h('260316') }, ['APP_NOT_YET_EFFECTIVE']],
    [{ auc: h('FD00') }, ['SERVICE_NOT_ALLOWED']],
    [{ auc: h('7F00') }, ['SERVICE_NOT_ALLOWED']], // no domestic cash
    [{ auc: h('BF00'), issuerCountry: h('0840') }, ['SERVICE_NOT_ALLOWED']], // no international cash
    [{ auc: h('4300'), issuerCountry: h('0840') }, []],
    [{ auc: h('FE00'), isAtm: false }, ['SERVICE_NOT_ALLOWED']],
  ] as Array<[Partial<RestrictionInput>, string[]]>)('%o -> %o', (over, want) => {
    expect(names(processingRestrictions({ ...base, ...over }))).toEqual(want);
  });
});

describe('CVM for an online-PIN-only ATM', () => {
  it('picks online PIN', () => {
    const r = processCvm(h('000000000000000042031E031F00'), true, 100, true, true);
    expect(Buffer.from(r.results).toString('hex')).toBe('420300');
    expect(r.onlinePin).toBe(true);
  });
  it('signature only -> cardholder verification not successful', () => {
    const r = processCvm(h('00000000000000001E03'), true, 100, true, true);
    expect(Buffer.from(r.results).toString('hex')).toBe('3f0001');
    expect(r.tvr).toContain(TVR.CV_NOT_SUCCESSFUL);
  });
  it('PIN not entered', () => {
    const r = processCvm(h('00000000000000000203'), true, 100, true, false);
    expect(r.tvr).toEqual([TVR.PIN_NOT_ENTERED, TVR.CV_NOT_SUCCESSFUL]);
  });
  it('amount condition over X', () => {
    const list = h('000003E800000000' + '4207' + '0203');
    expect(Buffer.from(processCvm(list, true, 5000, true, true).results).toString('hex')).toBe('420700');
    expect(Buffer.from(processCvm(list, true, 500, true, true).results).toString('hex')).toBe('020300');
  });
  it('no CVM list but CV supported -> ICC data missing', () => {
    expect(processCvm(undefined, true, 1, true, true).tvr).toEqual([TVR.ICC_DATA_MISSING]);
    expect(processCvm(undefined, false, 1, true, true).tvr).toEqual([]);
  });
});

describe('terminal action analysis', () => {
  const codes = { tacDenial: h('0010000000'), tacOnline: h('DC4004F800'), tacDefault: h('DC4000A800') };
  it('denial by TAC or IAC, otherwise ARQC', () => {
    expect(firstAcDecision(h('8000000000'), codes).type).toBe('ARQC');
    expect(firstAcDecision(h('0010000000'), codes).type).toBe('AAC');
    expect(firstAcDecision(h('0040000000'), { ...codes, iacDenial: h('0040000000') }).type).toBe('AAC');
  });
  it('default: absent IAC-default means FF..FF', () => {
    expect(defaultActionDecision(h('0000000000'), codes)).toBe('TC');
    expect(defaultActionDecision(h('0000000001'), codes)).toBe('AAC');
    expect(defaultActionDecision(h('0000000001'), { ...codes, iacDefault: h('0000000000') })).toBe('TC');
  });
});

describe('candidate ordering', () => {
  it('priority 1 first, unprioritised last, stable otherwise', () => {
    const c = (aid: string, priority?: number): AppCandidate => ({ aid, label: aid, confirmationRequired: false, config: terminalConfig().aids[0]!, ...(priority ? { priority } : {}) });
    expect(orderCandidates([c('A'), c('B', 2), c('C', 1), c('D', 2)]).map((x) => x.aid)).toEqual(['C', 'B', 'D', 'A']);
  });
});

describe('kernel robustness', () => {
  it('garbage from the card never throws: it ends as a failed/declined outcome', async () => {
    const sws = [0x9000, 0x6a82, 0x6283, 0x6985, 0x6a83, 0x6100 | 0x10, 0x6c05, 0x6f00];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.uint8Array({ maxLength: 60 }), fc.constantFrom(...sws)), { minLength: 1, maxLength: 30 }), async (script) => {
        let i = 0;
        const txn = new EmvTransaction({
          transport: async () => {
            const [data, sw] = script[i++ % script.length]!;
            return Uint8Array.from([...data, sw >> 8, sw & 0xff]);
          },
          config: terminalConfig(),
          now: () => new Date('2026-03-15T00:00:00Z'),
        });
        const r = await txn.start({ amountMinor: 100 });
        expect(['online', 'declined', 'failed']).toContain(r.kind);
      }),
      { numRuns: 300 },
    );
  });
});
