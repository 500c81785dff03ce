import { describe, expect, it } from 'vitest';
import {
  isValidTdesKsn,
  nextTdesKsn,
  tdesDukptIpek,
  tdesDukptKeys,
  tdesDukptTransactionKey,
  tdesDukptVariantKey,
  tdesKsnCounter,
} from '../../../main/crypto/dukpt-tdes';
import { cbcDecrypt, tdesEcbDecrypt, tdesEcbEncrypt } from '../../../main/crypto/block-cipher';
import { CryptoError } from '../../../main/crypto/errors';

const h = (s: string) => Buffer.from(s, 'hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const bdk = h('0123456789ABCDEFFEDCBA9876543210');
const iksn = h('FFFF9876543210E00000');
const pinBlock = h('041274EDCBA9876F');

// ANSI X9.24-1:2009 Annex A.4 test data, as transcribed in openemv/dukpt test/dukpt_tdes_test.c:
// [KSN, transaction key (before the PIN variant), PIN block 041274EDCBA9876F encrypted under the PIN key].
const initialSequence: [string, string, string][] = [
  ['FFFF9876543210E00001', '042666B49184CFA368DE9628D0397BC9', '1B9C1845EB993A7A'],
  ['FFFF9876543210E00002', 'C46551CEF9FD24B0AA9AD834130D3BC7', '10A01C8D02C69107'],
  ['FFFF9876543210E00003', '0DF3D9422ACA56E547676D07AD6BADFA', '18DC07B94797B466'],
  ['FFFF9876543210E00004', '279C0F6AEED0BE652B2C733E1383AE91', '0BC79509D5645DF7'],
  ['FFFF9876543210E00005', '5F8DC6D2C845C125508DDC048093B83F', '5BC0AF22AD87B327'],
  ['FFFF9876543210E00006', '5E415CB0BAF9F03CD0C14B63FB62FF43', 'A16DF70AE36158D8'],
  ['FFFF9876543210E00007', '0C8F780B7C8B49D0AE84A9EB2A6CE660', '27711C16CB257F8E'],
  ['FFFF9876543210E00008', '27F66D5244FF62E1AA6F6120EDEB4280', '50E55547A5027551'],
  ['FFFF9876543210E00009', '27E31064FDC565698900E2057F658E7E', '536CF7F678ACFC8D'],
  ['FFFF9876543210E0000A', '6CF2500A22507C7CC776CEADC1E33014', 'EDABBA23221833FE'],
  ['FFFF9876543210E0000B', '3E8260BA04B2D620C01482B3819A18B7', '2328981C57B4BDBA'],
  ['FFFF9876543210E0000C', 'B716E1E11CF53D80726CAEE75C3A624F', '038D03CC926CF286'],
  ['FFFF9876543210E0000D', 'E072EDF95340535FB6C581C58FBF2533', '6C8AA97088B62C68'],
  ['FFFF9876543210E0000E', 'A80046087F5B8F245AAD95E18429084F', 'F17C9E1D72CD4950'],
  ['FFFF9876543210E0000F', '93DD5B956C4878472E453AAEFD32A5AA', 'B170F6E7F7F2F64A'],
  ['FFFF9876543210E00010', '59598DCBD9BD94C094165CE453585F57', 'D5D9638559EF53D6'],
  ['FFFF9876543210E00011', '2B5F01F4F0CC05EA639D523231BF1BA2', 'D544F8CDD292C863'],
  ['FFFF9876543210E00012', '9CF640F279C2AEE615F725EEEAC2CBAF', '7A21BD10F36DC41D'],
  ['FFFF9876543210E00013', 'C3DF489FDF1153B4F03DE97C27DC4C2F', '78649BD17D0DFA60'],
  ['FFFF9876543210E00014', '658488507721B3F14737FA93F923CBD2', '7E7E16EA0C31AD56'],
  ['FFFF9876543210E00015', 'E161D1956A61F6D2F37AFD7F9CC3699A', '72105C22EBC791E6'],
];

// X9.24-1:2009 A.4.3 rollover sequence (same source).
const rollover: [string, string, string][] = [
  ['FFFF9876543210EFF800', 'F9CDFEBF4F5B1D9EB3EC12454527E176', '33365F5CC6F23C35'],
  ['FFFF9876543210EFF801', '5BEE92627E97825C911BF619DF72CA3B', '3A86BF003F835C9D'],
  ['FFFF9876543210EFF802', '64CA2F8AB93F61B01620B00BF77C7301', '3DB977D05C36DF3F'],
  ['FFFF9876543210EFF804', '35A168695B3BA83307E871C42021DD37', 'BA83243305712099'],
  ['FFFF9876543210EFF808', '12C380FCB72ED3C26FC6079AF63F4787', 'B0DA04AC90A36D85'],
  ['FFFF9876543210EFF810', 'D8007C833A1E3C49C6889B97A68C54FF', '2CF02BD9C309EEDA'],
  ['FFFF9876543210EFF820', 'A9C9FF9B735FDD49591F296B0BF0FD70', '9D1E2F77AEEE81C6'],
  ['FFFF9876543210EFF840', '0E3E221062CB5E03A384602783A004FA', '40870B0F8BA2011C'],
  ['FFFF9876543210EFF880', 'CA8225C587124DFBB87F279C0BE29727', '22E340D6ABB40981'],
  ['FFFF9876543210EFF900', '906AAC1751D4971A144D52C76C6E1F97', '1A4C10AFBA03A430'],
  ['FFFF9876543210EFFA00', '2B9E2CE7C2750337E10B54D2989EA6AF', '849763B43E5F9CFF'],
  ['FFFF9876543210EFFC00', 'F9430DF975082491C77BE4EF4FDB91EE', 'DEFC6F09F8927B71'],
  ['FFFF9876543210F00000', 'AA4D58DB653EC74A48C75F2F047DD2B5', '73EC88AD0AC5830E'],
];

describe('TDES DUKPT (X9.24-1:2009)', () => {
  it('derives the Annex A IPEK 6AC292FAA1315B4D858AB3A3D7D5933A', () => {
    expect(hex(tdesDukptIpek(bdk, iksn))).toBe('6AC292FAA1315B4D858AB3A3D7D5933A');
  });
  // SoftwareVerde/java-dukpt DukptTests.testGetIpek: KSN 629949012C0000000003.
  it('derives the java-dukpt IPEK example', () => {
    expect(hex(tdesDukptIpek(bdk, h('629949012C0000000003')))).toBe('D2943CCF80F42E88E23C12D1162FD547');
  });
  it.each([...initialSequence, ...rollover])('KSN %s: transaction key and encrypted PIN block', (ksn, key, epb) => {
    const ipek = tdesDukptIpek(bdk, h(ksn));
    const tk = tdesDukptTransactionKey(ipek, h(ksn));
    expect(hex(tk)).toBe(key);
    const pinKey = tdesDukptVariantKey(tk, 'pin');
    expect(hex(tdesEcbEncrypt(pinKey, pinBlock))).toBe(epb);
    expect(hex(tdesEcbDecrypt(pinKey, h(epb)))).toBe(hex(pinBlock));
  });
  it('advances through the published KSN sequences with nextTdesKsn', () => {
    let ksn = nextTdesKsn(iksn);
    for (const [k] of initialSequence) {
      expect(hex(ksn)).toBe(k);
      ksn = nextTdesKsn(ksn);
    }
    ksn = h(rollover[0]![0]);
    for (const [k] of rollover) {
      expect(hex(ksn)).toBe(k);
      if (k !== 'FFFF9876543210F00000') ksn = nextTdesKsn(ksn);
    }
  });
  // SoftwareVerde/java-dukpt DukptTests: testToDataKey (data variant + one-way function) and
  // testTransactionCounterMsb (PIN variant at KSN ...F00000); testDecryptValidData (IDTech-style track
  // data, TDES-CBC under the PIN-variant key).
  it('derives the java-dukpt data key and PIN key examples', () => {
    const ksn = h('FFFF9876543210E00008');
    const keys = tdesDukptKeys(bdk, ksn);
    expect(hex(keys.dataKey)).toBe('C39B2778B058AC376FB18DC906F75CBA');
    expect(hex(tdesDukptKeys(bdk, h('FFFF9876543210F00000')).pinKey)).toBe('AA4D58DB653EC7B548C75F2F047DD24A');
    const ct = h(
      'C25C1D1197D31CAA87285D59A892047426D9182EC11353C051ADD6D0F072A6CB3436560B3071FC1FD11D9F7E74886742D9BEE0CFD1EA1064C213BB55278B2F12',
    );
    expect(cbcDecrypt('tdes', keys.pinKey, ct).toString('latin1')).toBe('%B5452300551227189^HOGAN/PAUL      ^08043210000000725000000?\0\0\0\0');
  });
  it('MAC request variant is the transaction key XOR 000000000000FF00000000000000FF00', () => {
    const tk = h('042666B49184CFA368DE9628D0397BC9');
    // 042666B49184CFA368DE9628D0397BC9 XOR 000000000000FF00000000000000FF00
    expect(hex(tdesDukptVariantKey(tk, 'macRequest'))).toBe('042666B4918430A368DE9628D03984C9');
  });
});

describe('KSN counter rules', () => {
  it('rejects counters with more than 10 one-bits and counter zero', () => {
    expect(isValidTdesKsn(h('FFFF9876543210E00000'))).toBe(false);
    expect(isValidTdesKsn(h('FFFF9876543210E003FF'))).toBe(true); // 10 bits
    expect(isValidTdesKsn(h('FFFF9876543210E007FF'))).toBe(false); // 11 bits
    expect(() => tdesDukptKeys(bdk, h('FFFF9876543210E007FF'))).toThrow(CryptoError);
    expect(() => tdesDukptTransactionKey(h('6AC292FAA1315B4D858AB3A3D7D5933A'), h('FFFF9876543210E007FF'))).toThrow(/10 one-bits/);
  });
  it('skips invalid counters when advancing', () => {
    expect(hex(nextTdesKsn(h('FFFF9876543210E003FF')))).toBe('FFFF9876543210E00400');
  });
  it('is exhausted after counter 1FF800, after exactly 2^20 - 1 transaction KSNs', () => {
    expect(() => nextTdesKsn(h('FFFF9876543210FFF800'))).toThrow(expect.objectContaining({ code: 'KSN_EXHAUSTED' }));
    let ksn: Buffer = Buffer.from(iksn);
    let n = 0;
    for (;;) {
      try {
        ksn = nextTdesKsn(ksn);
      } catch (e) {
        expect((e as CryptoError).code).toBe('KSN_EXHAUSTED');
        break;
      }
      n++;
    }
    expect(n).toBe(2 ** 20 - 1);
    expect(tdesKsnCounter(ksn)).toBe(0x1ff800);
  });
  it('rejects bad lengths', () => {
    expect(() => tdesDukptIpek(Buffer.alloc(8), iksn)).toThrow(CryptoError);
    expect(() => tdesDukptIpek(bdk, Buffer.alloc(9))).toThrow(CryptoError);
  });
});
