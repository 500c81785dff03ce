import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimChipCard } from '../../../../devices/card-reader/chip/sim-chip-card';
import { ApduFormatError, ChipIoError, encodeApdu, parseApdu, splitResponse, SW } from '../../../../devices/card-reader/chip/apdu';
import { TEST_CHIP_CARDS } from '../../../../devices/card-reader/chip/test-chip-cards';
import { decodeTlv, findTag } from '../../../../main/emv/tlv-codec';
import { fromHex as h, toHex } from '../../../../main/emv/tdes';

const send = async (card: SimChipCard, hex: string) => splitResponse(await card.transport(h(hex)));
const PSE = Buffer.from('1PAY.SYS.DDF01').toString('hex');
const CDOL1_DATA = '000000010000' + '000000000000' + '0156' + '0000000000' + '0156' + '260315' + '01' + '11223344' + '14' + '420300';

describe('APDU codec', () => {
  it('encodes and parses cases 1-4', () => {
    for (const c of [
      { cla: 0, ins: 0xb2, p1: 1, p2: 0x0c },
      { cla: 0, ins: 0xb2, p1: 1, p2: 0x0c, le: 0 },
      { cla: 0, ins: 0x82, p1: 0, p2: 0, data: h('0102') },
      { cla: 0, ins: 0xa4, p1: 4, p2: 0, data: h('A0000000031010'), le: 0 },
    ]) expect(parseApdu(encodeApdu(c))).toEqual(c);
    expect(() => parseApdu(h('00A4'))).toThrow(ApduFormatError);
    expect(() => parseApdu(h('00A4040005A000'))).toThrow(ApduFormatError);
  });
});

describe('SimChipCard', () => {
  it('answers PSE, the directory and SELECT by AID with an FCI', async () => {
    const card = new SimChipCard(TEST_CHIP_CARDS.unionpayDual);
    const pse = await send(card, `00A404000E${PSE}00`);
    expect(pse.sw).toBe(SW.OK);
    expect(toHex(findTag(decodeTlv(pse.data), '88')!.value)).toBe('01');
    const dir = await send(card, '00B2010C00');
    const aids = decodeTlv(dir.data)[0]!.children!.map((e) => toHex(findTag([e], '4F')!.value));
    expect(aids).toEqual(['A000000333010101', 'A000000333010102']);
    expect((await send(card, '00B2020C00')).sw).toBe(SW.RECORD_NOT_FOUND);
    // partial selection: first and next occurrence
    const first = await send(card, '00A4040007A000000333010100');
    expect(toHex(findTag(decodeTlv(first.data), '84')!.value)).toBe('A000000333010101');
    const next = await send(card, '00A4040207A000000333010100');
    expect(toHex(findTag(decodeTlv(next.data), '84')!.value)).toBe('A000000333010102');
    expect((await send(card, '00A4040207A000000333010100')).sw).toBe(SW.FILE_NOT_FOUND);
    expect(toHex(findTag(decodeTlv(next.data), '9F38')!.value)).toBe('9F7A019F02065F2A02');
  });

  it('GPO checks the PDOL data length and increments the ATC; READ RECORD per AFL; GET DATA', async () => {
    const card = new SimChipCard(TEST_CHIP_CARDS.visaCvn10);
    await send(card, '00A4040007A000000003101000');
    expect((await send(card, '00B2010C00')).sw).toBe(SW.CONDITIONS_NOT_SATISFIED); // before GPO
    expect((await send(card, '80A8000003830100' + '00')).sw).toBe(SW.WRONG_LENGTH);
    const gpo = await send(card, '80A80000028300' + '00');
    expect(gpo.sw).toBe(SW.OK);
    expect(toHex(gpo.data)).toBe('800A1C000801010010010100');
    expect(card.atcOf('A0000000031010')).toBe(0x11);
    const rec = await send(card, '00B2010C00');
    expect(findTag(decodeTlv(rec.data), '57')).toBeDefined();
    const rec2 = await send(card, '00B2011400');
    expect(toHex(findTag(decodeTlv(rec2.data), '9F07')!.value)).toBe('FF00');
    expect((await send(card, '00B2031400')).sw).toBe(SW.RECORD_NOT_FOUND);
    expect(toHex((await send(card, '80CA9F3600')).data)).toBe('9F36020011');
    expect(toHex((await send(card, '80CA9F1700')).data)).toBe('9F170103');
    expect((await send(card, '80CA9F4F00')).sw).toBe(SW.REFERENCED_DATA_NOT_FOUND);
  });

  it('GENERATE AC: ARQC first, then AAC when the terminal asks for TC without host approval', async () => {
    const card = new SimChipCard(TEST_CHIP_CARDS.visaCvn10);
    await send(card, '00A4040007A000000003101000');
    await send(card, '80A8000002830000');
    const ac1 = await send(card, `80AE800021${CDOL1_DATA}00`);
    expect(ac1.sw).toBe(SW.OK);
    const f1 = decodeTlv(ac1.data)[0]!.value;
    expect(f1[0]).toBe(0x80);
    expect(toHex(f1.subarray(1, 3))).toBe('0011');
    expect((await send(card, `80AE800021${CDOL1_DATA}00`)).sw).toBe(SW.CONDITIONS_NOT_SATISFIED); // no ARQC at the 2nd GEN AC
    const arc = Buffer.from('Z3').toString('hex');
    const ac2 = await send(card, `80AE40000B${arc}0000000000${'11223344'}00`);
    expect(decodeTlv(ac2.data)[0]!.value[0]).toBe(0x00);
    expect((await send(card, '0082000002AABB')).sw).toBe(SW.CONDITIONS_NOT_SATISFIED); // after completion
  });

  it('blocked application: SELECT answers 6283 and GPO is refused', async () => {
    const p = structuredClone(TEST_CHIP_CARDS.visaCvn10);
    p.apps[0]!.blocked = true;
    const card = new SimChipCard(p);
    expect((await send(card, '00A4040007A000000003101000')).sw).toBe(SW.SELECTED_FILE_INVALIDATED);
    expect((await send(card, '80A8000002830000')).sw).toBe(SW.CONDITIONS_NOT_SATISFIED);
  });

  it('scripts need an ARQC and a valid MAC', async () => {
    const card = new SimChipCard(TEST_CHIP_CARDS.visaCvn10);
    await send(card, '00A4040007A000000003101000');
    expect((await send(card, '8424000008' + '00'.repeat(8))).sw).toBe(SW.CONDITIONS_NOT_SATISFIED);
    await send(card, '80A8000002830000');
    await send(card, `80AE800021${CDOL1_DATA}00`);
    expect((await send(card, '8424000008' + '00'.repeat(8))).sw).toBe(SW.SM_DATA_INCORRECT);
  });

  it('faults: a mute card rejects with ChipIoError; unknown instructions get 6D00', async () => {
    const card = new SimChipCard({ ...TEST_CHIP_CARDS.visaCvn10, faults: { mute: true } });
    await expect(card.transport(h('00A4040007A000000003101000'))).rejects.toBeInstanceOf(ChipIoError);
    const ok = new SimChipCard(TEST_CHIP_CARDS.visaCvn10);
    expect((await send(ok, '00FF000000')).sw).toBe(SW.INS_NOT_SUPPORTED);
    expect((await send(ok, 'A0A4000000')).sw).toBe(SW.CLA_NOT_SUPPORTED);
  });

  it('random APDUs always get a response with a status word', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 4, maxLength: 40 }), async (apdu) => {
        const card = new SimChipCard(TEST_CHIP_CARDS.mastercard);
        const r = await card.transport(apdu);
        expect(r.length).toBeGreaterThanOrEqual(2);
      }),
      { numRuns: 500 },
    );
  });
});
