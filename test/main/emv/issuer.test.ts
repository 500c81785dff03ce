/** Issuer-side checks against pyemv tests/test_cvn_hsm.py (test_visa_cvn10, test_visa_cvn18). */
import { describe, expect, it } from 'vitest';
import { buildArpc, buildScriptCommand, verifyArqc } from '../../../main/emv/issuer';
import { encodeTlv, tlv } from '../../../main/emv/tlv-codec';
import { fromHex as h, toHex } from '../../../main/emv/tdes';

const keys = { ac: h('0123456789ABCDEFFEDCBA9876543210'), smi: h('FEDCBA98765432100123456789ABCDEF'), smc: h('89ABCDEF0123456776543210FEDCBA98') };
const card = { pan: '1234567890123456', psn: '00' };

function field55(arqc: string, iad: string): Uint8Array {
  const t: Array<[string, string]> = [
    ['9F26', arqc], ['9F27', '80'], ['9F10', iad], ['9F37', '52BF4585'], ['9F36', '001C'], ['95', '8000048000'], ['9A', '191105'], ['9C', '01'],
    ['9F02', '000000004000'], ['5F2A', '0124'], ['82', '1800'], ['9F1A', '0124'], ['9F03', '000000000000'], ['84', 'A0000000031010'],
  ];
  return encodeTlv(t.map(([k, v]) => tlv(k, v)));
}

describe('issuer: verifyArqc / buildArpc', () => {
  it('Visa CVN 10 ARQC 29CCA15AE665FA2E verifies; ARPC method 1 with ARC "00" (3030) = 28993816AFAE4AEB', () => {
    const v = verifyArqc(field55('29CCA15AE665FA2E', '06010A03A06010'), keys, card);
    expect(v).toMatchObject({ ok: true, cvn: 'visa-10' });
    if (!v.ok) return;
    expect(toHex(buildArpc(1, v.context, { arc: '00' }))).toBe('28993816AFAE4AEB' + '3030');
    // pyemv: application unblock command MAC for CVN 10 = DB56BA60087CEFD3
    expect(toHex(buildScriptCommand(v.context, 'application-unblock'))).toBe('8418000008' + 'DB56BA60087CEFD3');
  });

  it('Visa CVN 18 ARQC 7A788EA6B8A3E733 verifies; ARPC method 2 with CSU 00000000 = 9AF514C1', () => {
    const v = verifyArqc(field55('7A788EA6B8A3E733', '06011203A0B800'), keys, card);
    expect(v).toMatchObject({ ok: true, cvn: 'visa-18' });
    if (!v.ok) return;
    expect(toHex(buildArpc(2, v.context, { csu: h('00000000') }))).toBe('9AF514C1' + '00000000');
    expect(toHex(buildScriptCommand(v.context, 'application-unblock'))).toBe('8418000008' + '04EDE90BC24CC35E');
  });

  it('fails cleanly', () => {
    expect(verifyArqc(field55('29CCA15AE665FA2F', '06010A03A06010'), keys, card)).toEqual({ ok: false, reason: 'ARQC mismatch' });
    expect(verifyArqc(field55('29CCA15AE665FA2E', '06016303A06010'), keys, card)).toEqual({ ok: false, reason: 'unsupported visa CVN 63' });
    expect(verifyArqc(h('9F26'), keys, card)).toMatchObject({ ok: false });
    expect(verifyArqc(encodeTlv(tlv('9F26', '0000000000000000')), keys, card)).toMatchObject({ ok: false, reason: expect.stringContaining('AID') });
  });
});
