/**
 * Known-answer tests. Sources (public test suites; values copied, never invented):
 *  - pyemv (knovichikhin/pyemv): pyemv/kd.py, pyemv/ac.py, pyemv/sm.py docstring examples;
 *    tests/test_cvn_hsm.py test_visa_cvn10, test_visa_cvn18, test_interac_cvn133.
 *  - jPOS (jpos/jPOS): jpos/src/test/java/org/jpos/security/jceadapter/JCESecurityModuleTest.java
 *    (clear IMK-AC "4 times 12345678", PAN 1234567890123456, PSN 00, EMVTxnData: ATC 3456,
 *    UN 11111111, CVR A08003242000): testVerifyARQCImpl_{VSDC,MCHIP,CSKD}_{P00,P80},
 *    testGenerateARPCImpl_{VSDC,MCHIP,CSKD}_M1/M2.
 */
import { describe, expect, it } from 'vitest';
import { deriveAcSessionKeyEmv, deriveAcSessionKeyMastercard, deriveCommonSessionKey, deriveIccMasterKeyA, deriveIccMasterKeyB, deriveVisaSmSessionKey } from '../../../main/emv/key-derivation';
import { macIso9797Alg3 } from '../../../main/emv/retail-mac';
import { fromHex as h, keyCheckValue, tdesEcbEncrypt, toHex } from '../../../main/emv/tdes';
import { arpcKey, arpcMethod1, arpcMethod2, CVN_PROFILES, deriveIccKeys, generateAc, profileFromIad, scriptCommandMac, smSessionKey } from '../../../main/emv/cryptogram';

const kcv2 = (k: Uint8Array): string => keyCheckValue(k, 2);

describe('key derivation (pyemv kd.py examples)', () => {
  const imk = h('0123456789ABCDEFFEDCBA9876543210');
  it('option A', () => expect(toHex(deriveIccMasterKeyA(imk, '12345678901234567', '01'))).toBe('73AD54688CEF2934B0979857E3C719F1'));
  it('option B', () => expect(toHex(deriveIccMasterKeyB(imk, '12345678901234567', '01'))).toBe('AD406D7F6D7570916D75E5DCAB8CF737'));
  it('EMV common session key (Book 2 A1.3)', () => expect(toHex(deriveCommonSessionKey(imk, h('001C000000000000')))).toBe('E9FB384AF807B940FEDCEA613461B0C4'));
  it('Visa SM session key', () => expect(toHex(deriveVisaSmSessionKey(imk, h('001C')))).toBe('0123456789ABCDF2FEDCBA987654CDF2'));
  it('rejects bad inputs', () => {
    expect(() => deriveIccMasterKeyA(imk, '12AB', '00')).toThrow(RangeError);
    expect(() => deriveCommonSessionKey(imk, h('00'))).toThrow(RangeError);
  });
});

describe('AC / ARPC primitives (pyemv ac.py, sm.py examples)', () => {
  const sk = h('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB');
  it('ISO 9797-1 alg 3, padding 2', () => {
    const data = h('000000002000' + '000000000000' + '0124' + '0000008000' + '0124' + '110309' + '00' + '3804823E' + '5800' + '0001');
    expect(toHex(macIso9797Alg3(sk, data, 2))).toBe('3B76CF10FECD8789');
  });
  it('ARPC method 1 and 2', () => {
    expect(toHex(arpcMethod1(sk, h('1234567890ABCDEF'), h('0000')))).toBe('F5E6F44147E2F1B0');
    expect(toHex(arpcMethod2(sk, h('1234567890ABCDEF'), h('00000000')))).toBe('9308BEBC');
  });
  it('script MAC', () => {
    expect(toHex(macIso9797Alg3(h('0123456789ABCDEFFEDCBA9876543210'), h('8424000008' + 'FFFF' + '1234567890123456'), 2))).toBe('E07B8DF1B4184282');
  });
});

function txn(extra: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(extra).map(([k, v]) => [k, h(v)]));
}
const issuer = { ac: h('0123456789ABCDEFFEDCBA9876543210'), smi: h('FEDCBA98765432100123456789ABCDEF'), smc: h('89ABCDEF0123456776543210FEDCBA98') };
const pyemvTxn = { '9F02': '000000004000', '9F03': '000000000000', '9F1A': '0124', '95': '8000048000', '5F2A': '0124', '9A': '191105', '9C': '01', '9F37': '52BF4585', '82': '1800', '9F36': '001C' };

describe('Visa CVN 10 (pyemv test_visa_cvn10)', () => {
  const p = CVN_PROFILES['visa-10'];
  const keys = deriveIccKeys(p, issuer, '1234567890123456', '00');
  it('ICC master keys', () => expect([kcv2(keys.ac), kcv2(keys.smi), kcv2(keys.smc)]).toEqual(['BAB0', 'F010', 'B154']));
  it('ARQC over the CVR from a VIS IAD, ARPC method 1 under the MK', () => {
    const values = txn({ ...pyemvTxn, '9F10': '06010A03A06010' });
    expect(profileFromIad('visa', values.get('9F10')!).id).toBe('visa-10');
    const arqc = generateAc(p, keys.ac, values);
    expect(toHex(arqc)).toBe('29CCA15AE665FA2E');
    expect(toHex(arpcMethod1(keys.ac, arqc, h('3030')))).toBe('28993816AFAE4AEB');
  });
});

describe('Visa CVN 18 (pyemv test_visa_cvn18)', () => {
  const p = CVN_PROFILES['visa-18'];
  const keys = deriveIccKeys(p, issuer, '1234567890123456', '00');
  it('ARQC with the whole IAD, ARPC method 2, application unblock MAC', () => {
    const values = txn({ ...pyemvTxn, '9F10': '06011203A0B800' });
    expect(profileFromIad('visa', values.get('9F10')!).id).toBe('visa-18');
    expect(kcv2(deriveAcSessionKeyEmv(keys.ac, h('001C')))).toBe('22C8');
    const arqc = generateAc(p, keys.ac, values);
    expect(toHex(arqc)).toBe('7A788EA6B8A3E733');
    expect(toHex(arpcMethod2(deriveAcSessionKeyEmv(keys.ac, h('001C')), arqc, h('00000000')))).toBe('9AF514C1');
    expect(kcv2(smSessionKey(p, keys.smi, h('001C'), arqc))).toBe('DB10');
    expect(toHex(scriptCommandMac(p, keys.smi, h('8418000008'), new Uint8Array(0), h('001C'), arqc))).toBe('04EDE90BC24CC35E');
  });
});

describe('Mastercard-style SKD and ARQC-keyed script MAC (pyemv test_interac_cvn133)', () => {
  const keys = deriveIccKeys(CVN_PROFILES['mastercard-16'], issuer, '1234567890123456', '00');
  it('session key from ATC + UN, ARPC method 1, script MAC under the ARQC-derived key', () => {
    const sk = deriveAcSessionKeyMastercard(keys.ac, h('001C'), h('ABCDEF12'));
    expect(kcv2(sk)).toBe('2FD5');
    const data = h('000000009999' + '000000000000' + '0124' + '8000000000' + '0124' + '209906' + '00' + 'ABCDEF12' + '1800' + '001C' + '1501850440B100000000B00000000000000000000000');
    const arqc = macIso9797Alg3(sk, data, 2);
    expect(toHex(arqc)).toBe('18932FECA2D84326');
    expect(toHex(arpcMethod1(sk, arqc, h('0000')))).toBe('4DF171A49396C363');
    expect(toHex(scriptCommandMac(CVN_PROFILES['mastercard-16'], keys.smi, h('8424000008'), new Uint8Array(0), h('001C'), arqc))).toBe('B574ABB0A485A330');
  });
});

describe('jPOS JCESecurityModuleTest vectors', () => {
  const imk = h('12345678123456781234567812345678');
  const mk = deriveIccMasterKeyA(imk, '1234567890123456', '00');
  const data = h('000000010000' + '000000001000' + '0840' + '0000001080' + '0840' + '980704' + '00' + '11111111' + '5800' + '3456' + 'A08003242000');
  const atc = h('3456');
  const un = h('11111111');
  it('VSDC (MK, no session key)', () => {
    expect(toHex(macIso9797Alg3(mk, data, 1))).toBe('26C8A1042D1CAF3E');
    expect(toHex(macIso9797Alg3(mk, data, 2))).toBe('2263CD868F3E0234');
    expect(toHex(arpcMethod1(mk, h('26C8A1042D1CAF3E'), h('3030')))).toBe('98DE7C7B3D80A831');
  });
  it('M/Chip SKD (ATC, UN)', () => {
    const sk = deriveAcSessionKeyMastercard(mk, atc, un);
    expect(toHex(macIso9797Alg3(sk, data, 1))).toBe('9FFD1D52AE0EC0F3');
    expect(toHex(macIso9797Alg3(sk, data, 2))).toBe('AC8074C9E62EE6EF');
    // jPOS computes the M/Chip ARPC under the ICC MK, not the session key.
    expect(toHex(arpcMethod1(arpcKey(CVN_PROFILES['mastercard-16'], mk, atc, un), h('AC8074C9E62EE6EF'), h('0012')))).toBe('5B5B712F9A644774');
    expect(toHex(arpcMethod1(mk, h('9FFD1D52AE0EC0F3'), h('0012')))).toBe('20DCD25599B060B5');
  });
  it('EMV common session key', () => {
    const sk = deriveAcSessionKeyEmv(mk, atc);
    expect(toHex(macIso9797Alg3(sk, data, 1))).toBe('36DBEE15F36B1E7F');
    expect(toHex(macIso9797Alg3(sk, data, 2))).toBe('55BE45DD2C9E0CBF');
    expect(toHex(arpcMethod1(sk, h('55BE45DD2C9E0CBF'), h('0012')))).toBe('01BAE8DE6A0DE9E0');
    expect(toHex(arpcMethod2(sk, h('55BE45DD2C9E0CBF'), h('00120000')))).toBe('B4C698B6');
  });
  it('Mastercard CVN 16 profile reproduces the M/Chip P80 ARQC from tags', () => {
    const values = new Map<string, Uint8Array>([
      ['9F02', h('000000010000')], ['9F03', h('000000001000')], ['9F1A', h('0840')], ['95', h('0000001080')], ['5F2A', h('0840')],
      ['9A', h('980704')], ['9C', h('00')], ['9F37', un], ['82', h('5800')], ['9F36', atc], ['9F10', h('0110A08003242000B6A400000000000000FF')],
    ]);
    expect(profileFromIad('mastercard', values.get('9F10')!).id).toBe('mastercard-16');
    expect(toHex(generateAc(CVN_PROFILES['mastercard-16'], mk, values))).toBe('AC8074C9E62EE6EF');
  });
  it('TDES ECB sanity (des-ede3 with K1=K2 is single DES)', () => {
    expect(tdesEcbEncrypt(imk, new Uint8Array(8))).toEqual(tdesEcbEncrypt(imk.subarray(0, 8), new Uint8Array(8)));
  });
});
