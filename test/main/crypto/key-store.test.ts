import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyStore } from '../../../main/crypto/key-store';
import { CryptoError, KeyUsageError } from '../../../main/crypto/errors';
import { wrapTr31 } from '../../../main/crypto/tr31';
import { decryptPin } from '../../../main/crypto/pin-block-crypto';
import { kcv } from '../../../main/crypto/kcv';
import { tdesDukptKeys } from '../../../main/crypto/dukpt-tdes';
import { tdesEcbDecrypt } from '../../../main/crypto/block-cipher';
import { fixOddParity } from '../../../main/crypto/parity';

const h = (s: string) => Buffer.from(s, 'hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const pek = fixOddParity(h('0123456789ABCDEFFEDCBA9876543210'));
const mak = h('41414141414141414242424242424242'); // not odd parity: imported with requireParity false

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'keystore-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (extra: Partial<Parameters<typeof KeyStore.open>[0]> = {}) =>
  KeyStore.open({ path: join(dir, 'keys.json'), secret: 'correct horse', allowClearImport: true, ...extra });

describe('KeyStore', () => {
  it('encrypts PIN blocks under a P0 key and lists only metadata', () => {
    const ks = open();
    const info = ks.importClear('pek', { usage: 'P0', algorithm: 'tdes', key: pek });
    expect(info).toEqual({ name: 'pek', usage: 'P0', algorithm: 'tdes', modeOfUse: 'E', kcv: hex(kcv(pek, 'tdes')) });
    const enc = ks.encryptPinBlock('pek', h('041274EDCBA9876F'));
    expect(hex(tdesEcbDecrypt(pek, enc))).toBe('041274EDCBA9876F');
    const enc2 = ks.encryptPin('pek', { format: 0, pin: '1234', pan: '4012345678909' });
    expect(hex(enc2)).toBe(hex(enc));
    expect(JSON.stringify(ks.list())).not.toContain(hex(pek).slice(0, 8));
    expect(Object.keys(ks)).toEqual([]);
  });

  it('format 4 under an AES P0 key', () => {
    const ks = open();
    const k = h('000102030405060708090A0B0C0D0E0F');
    ks.importClear('pek-aes', { usage: 'P0', algorithm: 'aes', key: k });
    const enc = ks.encryptPin('pek-aes', { format: 4, pin: '98765', pan: '4111111111111111' });
    expect(decryptPin(4, enc, { alg: 'aes', key: k }, '4111111111111111')).toBe('98765');
  });

  it('enforces key usage with a typed error', () => {
    const ks = open();
    ks.importClear('mac', { usage: 'M3', algorithm: 'tdes', key: mak, requireParity: false });
    ks.importClear('pek', { usage: 'P0', algorithm: 'tdes', key: pek });
    expect(() => ks.encryptPinBlock('mac', h('041274EDCBA9876F'))).toThrow(KeyUsageError);
    expect(() => ks.generateMac('pek', Buffer.from('x'), 'x919')).toThrow(KeyUsageError);
    expect(() => ks.generateMac('mac', Buffer.from('x'), 'aes-cmac')).toThrow(KeyUsageError);
    expect(() => ks.importTr31('x', 'pek', 'B0016P0TE00N0000')).toThrow(KeyUsageError);
  });

  it('generates and verifies X9.19 MACs (psec test_generate_retail_mac vector)', () => {
    const ks = open();
    ks.importClear('mac', { usage: 'M3', algorithm: 'tdes', key: mak, requireParity: false });
    const mac = ks.generateMac('mac', Buffer.from('hello world'), 'x919', { padding: 2 });
    expect(hex(mac)).toBe('E16941032C3BC7D4');
    expect(ks.verifyMac('mac', Buffer.from('hello world'), mac, 'x919', { padding: 2 })).toBe(true);
    expect(ks.verifyMac('mac', Buffer.from('hello world!'), mac, 'x919', { padding: 2 })).toBe(false);
  });

  it('persists encrypted, reopens with the secret, refuses the wrong secret and a corrupted file', () => {
    const ks = open();
    ks.importClear('pek', { usage: 'P0', algorithm: 'tdes', key: pek });
    const file = readFileSync(join(dir, 'keys.json'), 'utf8');
    expect(file).not.toContain(pek.toString('hex'));
    expect(file.toUpperCase()).not.toContain(hex(pek));
    expect(open().list().map((k) => k.name)).toEqual(['pek']);
    expect(() => open({ secret: 'wrong' })).toThrow(expect.objectContaining({ code: 'KEY_STORE_CORRUPT' }));
    const rec = JSON.parse(file) as { ct: string };
    const ct = Buffer.from(rec.ct, 'base64');
    ct[0] = (ct[0] ?? 0) ^ 1;
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ ...rec, ct: ct.toString('base64') }));
    expect(() => open()).toThrow(expect.objectContaining({ code: 'KEY_STORE_CORRUPT' }));
    writeFileSync(join(dir, 'keys.json'), 'garbage');
    expect(() => open()).toThrow(CryptoError);
  });

  it('refuses clear import unless enabled, and bad parity', () => {
    expect(() => open({ allowClearImport: false }).importClear('k', { usage: 'P0', algorithm: 'tdes', key: pek })).toThrow(/disabled/);
    expect(() => open().importClear('k', { usage: 'P0', algorithm: 'tdes', key: h('00'.repeat(16)) })).toThrow(
      expect.objectContaining({ code: 'BAD_PARITY' }),
    );
    expect(() => open().importClear('k', { usage: 'P0', algorithm: 'aes', key: h('00'.repeat(10)) })).toThrow(CryptoError);
  });

  it('imports by dual-control components with KCVs', () => {
    const c1 = fixOddParity(h('1111111111111111AAAAAAAAAAAAAAAA'));
    const c2 = fixOddParity(h('2323232323232323BCBCBCBCBCBCBCBC'));
    const c3 = fixOddParity(h('4545454545454545CDCDCDCDCDCDCDCD'));
    const ks = open({ allowClearImport: false });
    const info = ks.importComponents('kek', {
      usage: 'K1',
      algorithm: 'tdes',
      components: [c1, c2, c3].map((value) => ({ value, kcv: kcv(value, 'tdes') })),
    });
    const combined = fixOddParity(Buffer.from(c1.map((b, i) => b ^ (c2[i] ?? 0) ^ (c3[i] ?? 0))));
    expect(info.kcv).toBe(hex(kcv(combined, 'tdes')));
    expect(() =>
      ks.importComponents('kek2', { usage: 'K1', algorithm: 'tdes', components: [{ value: c1, kcv: h('000000') }, { value: c2 }] }),
    ).toThrow(expect.objectContaining({ code: 'KCV_MISMATCH' }));
    expect(() => ks.importComponents('kek3', { usage: 'K1', algorithm: 'tdes', components: [{ value: c1 }] })).toThrow(CryptoError);
  });

  it('imports TR-31 blocks under a stored KBPK and rejects tampered blocks', () => {
    const ks = open();
    const kbpk = h('DD7515F2BFC17F85CE48F3CA25CB21F6');
    ks.importClear('kbpk', { usage: 'K1', algorithm: 'tdes', key: kbpk, requireParity: false });
    // TR-31:2018 A.7.2.2 (via openemv/tr31): P0 TDES key 3F419E1CB7079442AA37474C2EFBF8B8, KCV 57C409.
    const info = ks.importTr31('pek', 'kbpk', 'B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E');
    expect(info).toMatchObject({ usage: 'P0', algorithm: 'tdes', modeOfUse: 'E', kcv: '57C409' });
    const block = wrapTr31(kbpk, { versionId: 'B', keyUsage: 'M3', algorithm: 'T', modeOfUse: 'C', keyVersionNumber: '00', exportability: 'N' }, mak);
    expect(ks.importTr31('mac', 'kbpk', block).usage).toBe('M3');
    const tampered = block.slice(0, 20) + (block[20] === 'A' ? 'B' : 'A') + block.slice(21);
    expect(() => ks.importTr31('mac2', 'kbpk', tampered)).toThrow(expect.objectContaining({ code: 'MAC_MISMATCH' }));
    expect(ks.has('mac2')).toBe(false);
  });

  it('DUKPT PIN pad mode advances and persists the KSN (X9.24-1 Annex A first PIN block)', () => {
    const ks = open();
    ks.loadDukpt('dukpt', { scheme: 'tdes', initialKey: h('6AC292FAA1315B4D858AB3A3D7D5933A'), ksn: h('FFFF9876543210E00000') });
    const r1 = ks.dukptEncryptPin('dukpt', { format: 0, pin: '1234', pan: '4012345678909' });
    expect(r1).toEqual({ ksn: 'FFFF9876543210E00001', pinBlock: h('1B9C1845EB993A7A') });
    const reopened = open();
    expect(reopened.list()[0]?.dukpt?.ksn).toBe('FFFF9876543210E00001');
    const r2 = reopened.dukptEncryptPin('dukpt', { format: 0, pin: '1234', pan: '4012345678909' });
    expect(r2.ksn).toBe('FFFF9876543210E00002');
    expect(hex(r2.pinBlock)).toBe('10A01C8D02C69107');
    // host side recovers the PIN
    const host = tdesDukptKeys(h('0123456789ABCDEFFEDCBA9876543210'), h(r2.ksn));
    expect(decryptPin(0, r2.pinBlock, { alg: 'tdes', key: host.pinKey }, '4012345678909')).toBe('1234');
  });

  it('DUKPT PIN pad mode reports exhaustion', () => {
    const ks = open();
    ks.loadDukpt('dukpt', { scheme: 'tdes', initialKey: h('6AC292FAA1315B4D858AB3A3D7D5933A'), ksn: h('FFFF9876543210FFF800') });
    expect(() => ks.dukptEncryptPin('dukpt', { format: 0, pin: '1234', pan: '4012345678909' })).toThrow(
      expect.objectContaining({ code: 'KSN_EXHAUSTED' }),
    );
  });

  it('AES DUKPT PIN pad mode produces format 4 blocks', () => {
    const ks = open();
    ks.loadDukpt('dukpt-aes', { scheme: 'aes', initialKey: h('1273671EA26AC29AFA4D1084127652A1'), ksn: h('123456789012345600000000') });
    const r = ks.dukptEncryptPin('dukpt-aes', { format: 4, pin: '1234', pan: '4111111111111111' });
    expect(r.ksn).toBe('123456789012345600000001');
    expect(r.pinBlock.length).toBe(16);
  });

  it('zeroize wipes memory and file', () => {
    const ks = open();
    ks.importClear('pek', { usage: 'P0', algorithm: 'tdes', key: pek });
    ks.zeroize();
    expect(existsSync(join(dir, 'keys.json'))).toBe(false);
    expect(ks.zeroized).toBe(true);
    expect(() => ks.encryptPinBlock('pek', h('041274EDCBA9876F'))).toThrow(CryptoError);
    expect(() => ks.list()).toThrow(CryptoError);
    expect(open().list()).toEqual([]);
  });

  it('error messages carry no key or PIN material', () => {
    const ks = open();
    ks.importClear('pek', { usage: 'P0', algorithm: 'tdes', key: pek });
    const msgs: string[] = [];
    for (const f of [
      () => ks.encryptPin('pek', { format: 0, pin: '12a4', pan: '4012345678909' }),
      () => ks.encryptPinBlock('pek', h('0412')),
      () => ks.generateMac('pek', h('00'), 'x919'),
    ]) {
      try {
        f();
      } catch (e) {
        msgs.push((e as Error).message);
      }
    }
    expect(msgs).toHaveLength(3);
    for (const m of msgs) {
      expect(m).not.toMatch(/12a4|0123456789|041274/i);
    }
  });
});
