/**
 * The transport layer of the PC/SC adapter (EMV Book 1 Annex A) with a fake raw transmit: scripted answers for
 * each rule, then a whole EMV transaction over a T=0 card emulation of SimChipCard with the issuer checking
 * the ARQC (no pcscd needed).
 */
import { describe, expect, it } from 'vitest';
import { exchangeApdu, type RawTransmit } from '../../../../devices/adapters/pcsc/apdu-exchange';
import { PcscError } from '../../../../devices/adapters/pcsc/pcsc-errors';
import { ApduFormatError } from '../../../../devices/card-reader/chip/apdu';
import { SimChipCard } from '../../../../devices/card-reader/chip/sim-chip-card';
import { TEST_CHIP_CARDS, TEST_ISSUER_KEYS } from '../../../../devices/card-reader/chip/test-chip-cards';
import { EmvTransaction } from '../../../../main/emv/kernel';
import { buildArpc, verifyArqc } from '../../../../main/emv/issuer';
import { terminalConfig } from '../../../../main/emv/terminal-config';
import { fromHex } from '../../../../main/emv/tdes';
import { T0CardEmulation } from './helpers/t0-card';

const h = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

/** A raw transmit answering from a script (hex TPDU -> hex answer), recording what was sent. */
function scripted(script: Array<[string, string]>): RawTransmit & { sent: string[] } {
  const sent: string[] = [];
  const fn = (async (tpdu: Uint8Array) => {
    const cmd = hex(tpdu);
    sent.push(cmd);
    const step = script.shift();
    if (!step) throw new Error(`unexpected TPDU ${cmd}`);
    expect(cmd).toBe(step[0].replace(/\s/g, '').toUpperCase());
    return h(step[1]);
  }) as RawTransmit & { sent: string[] };
  fn.sent = sent;
  return fn;
}

describe('exchangeApdu: T=0', () => {
  it('case 4: sent without Le, 61xx fetched with GET RESPONSE Le=xx', async () => {
    const raw = scripted([
      ['00A4040007 A0000000031010', '6105'],
      ['00C0000005', '6F03840100 9000'],
    ]);
    expect(hex(await exchangeApdu(raw, h('00A4040007A000000003101000'), 'T0'))).toBe('6F038401009000');
  });

  it('61xx in several rounds: the data is concatenated', async () => {
    const raw = scripted([
      ['80CA9F1700', '6104'],
      ['00C0000004', '0102 6102'],
      ['00C0000002', '0304 9000'],
    ]);
    expect(hex(await exchangeApdu(raw, h('80CA9F1700'), 'T0'))).toBe('010203049000');
  });

  it('case 2 with the wrong Le: 6Cxx, sent again once with Le=xx', async () => {
    const raw = scripted([
      ['00B2010C00', '6C1A'],
      ['00B2010C1A', `${'AB'.repeat(0x1a)}9000`],
    ]);
    expect(hex(await exchangeApdu(raw, h('00B2010C00'), 'T0'))).toBe(`${'AB'.repeat(0x1a)}9000`);
  });

  it('case 4 with a warning and no data: GET RESPONSE Le=00, 6Cxx, then the data returned with the warning', async () => {
    const raw = scripted([
      ['00A4040007 A0000000031010', '6283'],
      ['00C0000000', '6C04'],
      ['00C0000004', '6F020000 9000'],
    ]);
    expect(hex(await exchangeApdu(raw, h('00A4040007A000000003101000'), 'T0'))).toBe('6F0200006283');
  });

  it('case 4 with a warning the card has no data for: the warning alone', async () => {
    const raw = scripted([
      ['00A4040007 A0000000031010', '6283'],
      ['00C0000000', '6985'],
    ]);
    expect(hex(await exchangeApdu(raw, h('00A4040007A000000003101000'), 'T0'))).toBe('6283');
  });

  it('errors pass through unchanged', async () => {
    const raw = scripted([['00A4040007 A0000000031010', '6A82']]);
    expect(hex(await exchangeApdu(raw, h('00A4040007A000000003101000'), 'T0'))).toBe('6A82');
  });

  it('a card that never stops announcing data is a protocol error, not an endless loop', async () => {
    let n = 0;
    const raw: RawTransmit = async () => {
      n++;
      return h('01 6101');
    };
    await expect(exchangeApdu(raw, h('80CA9F1700'), 'T0')).rejects.toMatchObject({ name: 'PcscError', kind: 'protocol' });
    expect(n).toBe(33);
  });
});

describe('exchangeApdu: T=1 and malformed input', () => {
  it('case 4 goes with its Le; 6Cxx replaces the Le (not the last data byte)', async () => {
    const raw = scripted([
      ['80AE800002 1234 00', '6C0B'],
      ['80AE800002 1234 0B', '770901020304050607080990 00'],
    ]);
    expect(hex(await exchangeApdu(raw, h('80AE800002123400'), 'T1'))).toBe('77090102030405060708099000');
  });

  it('61xx is answered on T=1 too', async () => {
    const raw = scripted([
      ['80CA9F3600', '6105'],
      ['00C0000005', '9F36020011 9000'],
    ]);
    expect(hex(await exchangeApdu(raw, h('80CA9F3600'), 'T1'))).toBe('9F360200119000');
  });

  it('rejects APDUs it cannot map, and answers without a status word', async () => {
    const raw = scripted([]);
    await expect(exchangeApdu(raw, h('00A4'), 'T0')).rejects.toBeInstanceOf(ApduFormatError);
    await expect(exchangeApdu(raw, h('00A4040005 0102'), 'T0')).rejects.toBeInstanceOf(ApduFormatError);
    await expect(exchangeApdu(raw, h('00A40400 00 0102'), 'T1')).rejects.toThrow(/extended/);
    await expect(exchangeApdu(async () => h('90'), h('80CA9F1700'), 'T1')).rejects.toBeInstanceOf(PcscError);
  });
});

describe('exchangeApdu over a T=0 card emulation of SimChipCard', () => {
  it('the EMV kernel reads the card, the issuer verifies the ARQC, the second GENERATE AC gives a TC', async () => {
    const profile = structuredClone(TEST_CHIP_CARDS.unionpayDual);
    const sim = new SimChipCard(profile);
    const card = new T0CardEmulation(sim.transport);
    const txn = new EmvTransaction({ transport: (apdu) => exchangeApdu(card.transport, apdu, 'T0'), config: terminalConfig(), now: () => new Date('2026-03-15T10:20:30Z'), chooseApplication: async (apps) => apps[0]!.aid });
    const first = await txn.start({ amountMinor: 500_00 });
    expect(first.kind).toBe('online');
    if (first.kind !== 'online') return;
    const keys = { ac: fromHex(TEST_ISSUER_KEYS.ac), smi: fromHex(TEST_ISSUER_KEYS.smi), smc: fromHex(TEST_ISSUER_KEYS.smc) };
    const v = verifyArqc(first.field55, keys, { pan: profile.pan, psn: profile.psn });
    expect(v).toMatchObject({ ok: true, cvn: 'unionpay-01' });
    if (!v.ok) return;
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, v.context, { arc: '00' }) });
    expect(done.result).toBe('approved');
    // The card saw T=0 TPDUs only: GET RESPONSEs, READ RECORDs re-sent with the right Le, no case 4 with Le.
    expect(card.headers.filter((x) => x.startsWith('00c00000')).length).toBeGreaterThan(3);
    expect(card.headers.some((x) => x.startsWith('00b2') && !x.endsWith('00'))).toBe(true);
  });

  it('without the transport layer the same card fails (the test card really is T=0)', async () => {
    const sim = new SimChipCard(structuredClone(TEST_CHIP_CARDS.visaCvn10));
    const card = new T0CardEmulation(sim.transport);
    const r = await card.transport(h('00A404000E315041592E5359532E444446303100'));
    expect(hex(r)).toBe('6700');
  });
});
