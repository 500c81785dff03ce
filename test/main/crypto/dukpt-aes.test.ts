import { describe, expect, it } from 'vitest';
import {
  aesDukptInitialKey,
  aesDukptKeys,
  aesDukptTransactionKey,
  aesDukptWorkingKey,
  isValidAesKsn,
  nextAesKsn,
} from '../../../main/crypto/dukpt-aes';
import { aesEcbEncrypt } from '../../../main/crypto/block-cipher';
import { CryptoError } from '../../../main/crypto/errors';

const h = (s: string) => Buffer.from(s, 'hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const ikid = h('1234567890123456');
const bdk128 = h('FEDCBA9876543210F1F1F1F1F1F1F1F1');
const bdk256 = Buffer.concat([bdk128, bdk128]);

// ANSI X9.24-3:2017 supplement test vectors, as transcribed in openemv/dukpt
// test/dukpt_aes128_test.c and test/dukpt_aes256_test.c: [KSN, transaction (derivation) key].
const aes128: [string, string][] = [
  ['123456789012345600000001', '4F21B565BAD9835E112B6465635EAE44'],
  ['123456789012345600000002', '2F34D68DE10F68D38091A73B9E7C437C'],
  ['123456789012345600000003', '031504E530365CF81264238540518318'],
  ['123456789012345600000004', '0EEFC7ADA628BA68878DA9165A8A1887'],
  ['123456789012345600000005', 'C2A7AC328A5DA2D6002D62465BFC028B'],
  ['123456789012345600000006', 'D30F7D9351DA58448A2F5E92B4EE3B7D'],
  ['123456789012345600000007', 'A8253CEED9AC042C54F75D35C8352278'],
  ['123456789012345600000008', '718EE6CF0B27E53D5F7AF99C4D8146A2'],
  ['12345678901234560001FFFE', 'E21E8C8D347F8561A2BE752DAA85A111'],
  ['123456789012345600020000', 'F7AE9025468A25D37B7249CFFED224C8'],
  ['123456789012345600020001', '692C8EA4013645135B36497131DF9D2C'],
  ['1234567890123456FFFE2000', '48E585B694EB0B18D5C35443E163C0BA'],
  ['1234567890123456FFFE4000', '396C2C7CA1EA701C03B86B7D41F0C562'],
  ['1234567890123456FFFE8000', '0387625F189B58AE03EF0E8CCA41105E'],
  ['1234567890123456FFFF0000', 'F6BA59389BD14A9855BE9727E7C52E3C'],
];
const aes256: [string, string][] = [
  ['123456789012345600000001', '54AC2B32B145EA4A554CB8BC44B17467063A799856B1CCC2A138D36E8DBF78B3'],
  ['123456789012345600000002', '5DD5A0253842BBBE1D7C0DA27021412C6F1FAB53FB928DEAE56DA06090A9DE97'],
  ['123456789012345600000008', '20A796D5077D51B8E7613893A4F095B134E02917DC84BD391F3661D0873FF308'],
  ['123456789012345600020001', '44110A1102748D4A3AC326F53D8CAC650212590CA7126D54546DDE0F20E89CEE'],
  ['1234567890123456FFFF0000', '6D6DB7AAAE8B3EA90E57A39E4BBA71E173B21B446B30A78D64BFC6A8806C55EE'],
];

describe('AES DUKPT (X9.24-3:2017)', () => {
  it('derives the AES-128 initial key', () => {
    expect(hex(aesDukptInitialKey(bdk128, ikid))).toBe('1273671EA26AC29AFA4D1084127652A1');
  });
  it('derives the AES-256 initial key', () => {
    expect(hex(aesDukptInitialKey(bdk256, ikid))).toBe('CE9CE0C101D1138F97FB6CAD4DF045A7083D4EAE2D35A31789D01CCF0949550F');
  });
  it.each(aes128)('AES-128 KSN %s transaction key', (ksn, key) => {
    expect(hex(aesDukptTransactionKey(aesDukptInitialKey(bdk128, ikid), h(ksn)))).toBe(key);
  });
  it.each(aes256)('AES-256 KSN %s transaction key', (ksn, key) => {
    expect(hex(aesDukptTransactionKey(aesDukptInitialKey(bdk256, ikid), h(ksn)))).toBe(key);
  });
  // No published working-key vector was found in the stored sources; check the X9.24-3 6.3.2
  // derivation-data layout directly instead (version 01, block counter, usage, algorithm, length, ID+counter).
  it('derives working keys with the X9.24-3 derivation data layout', () => {
    const ksn = h('123456789012345600000001');
    const tk = h('4F21B565BAD9835E112B6465635EAE44');
    expect(hex(aesDukptWorkingKey(tk, ksn, 'pin', 'AES128'))).toBe(hex(aesEcbEncrypt(tk, h('0101100000020080' + '9012345600000001'))));
    expect(hex(aesDukptWorkingKey(tk, ksn, 'macGenerate', 'AES128'))).toBe(hex(aesEcbEncrypt(tk, h('0101200000020080' + '9012345600000001'))));
    expect(hex(aesDukptWorkingKey(tk, ksn, 'dataBoth', 'TDES2'))).toBe(hex(aesEcbEncrypt(tk, h('0101300200000080' + '9012345600000001'))));
    const keys = aesDukptKeys(bdk128, ksn, 'AES128');
    expect(hex(keys.transactionKey)).toBe(hex(tk));
    expect(new Set([hex(keys.pinKey), hex(keys.macKey), hex(keys.dataKey)]).size).toBe(3);
    // a working key may not be stronger than its derivation key
    expect(() => aesDukptWorkingKey(tk, ksn, 'pin', 'AES256')).toThrow(CryptoError);
    const k256 = aesDukptKeys(bdk256, ksn, 'AES256');
    expect(k256.pinKey.length).toBe(32);
  });
  it('advances the KSN, skipping counters with more than 16 one-bits, and exhausts after FFFF0000', () => {
    expect(hex(nextAesKsn(h('12345678901234560001FFFE')))).toBe('123456789012345600020000');
    expect(isValidAesKsn(h('12345678901234560001FFFF'))).toBe(false);
    expect(() => aesDukptKeys(bdk128, h('12345678901234560001FFFF'), 'AES128')).toThrow(CryptoError);
    expect(() => nextAesKsn(h('1234567890123456FFFF0000'))).toThrow(expect.objectContaining({ code: 'KSN_EXHAUSTED' }));
    let ksn: Buffer = h('123456789012345600000000');
    for (const [k] of aes128.slice(0, 8)) {
      ksn = nextAesKsn(ksn);
      expect(hex(ksn)).toBe(k);
    }
  });
  it('rejects bad lengths', () => {
    expect(() => aesDukptInitialKey(h('00'.repeat(20)), ikid)).toThrow(CryptoError);
    expect(() => aesDukptInitialKey(bdk128, h('1234'))).toThrow(CryptoError);
    expect(() => aesDukptTransactionKey(bdk128, h('12345678901234560001'))).toThrow(CryptoError);
  });
});
