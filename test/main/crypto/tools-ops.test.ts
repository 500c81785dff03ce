// Tests of the atm-tools crypto batch ops (main/tools/ops/crypto.ts); kept here because test/main/crypto
// is this area's test folder. Vectors as cited in the module tests (ISO 9564 example, X9.24-1 Annex A,
// X9.24-3 supplement via openemv/dukpt, psec, RFC 4493, TR-31:2018 A.7 via openemv/tr31).
import { describe, expect, it } from 'vitest';
import { runBatchLine } from '../../../main/tools/atm-tools';

const run = (req: object) => runBatchLine(JSON.stringify(req));

describe('atm-tools crypto ops', () => {
  it('pinblock.encode / decode', async () => {
    expect(await run({ op: 'pinblock.encode', format: 0, pin: '1234', pan: '4012345678909' })).toEqual({ clear: '041274EDCBA9876F' });
    const enc = await run({ op: 'pinblock.encode', format: 0, pin: '1234', pan: '4012345678909', key: '0123456789ABCDEFFEDCBA9876543210' });
    expect(enc.encrypted).toMatch(/^[0-9A-F]{16}$/);
    expect(await run({ op: 'pinblock.decode', format: 0, pan: '4012345678909', clear: '041274EDCBA9876F' })).toEqual({ pin: '1234' });
    const dec = await run({ op: 'pinblock.decode', format: 0, pan: '4012345678909', encrypted: enc.encrypted, key: '0123456789ABCDEFFEDCBA9876543210' });
    expect(dec.pin).toBe('1234');
    const f4 = await run({ op: 'pinblock.encode', format: 4, pin: '1234', pan: '4111111111111111', key: '000102030405060708090A0B0C0D0E0F', fill: '0011223344556677' });
    expect(f4.clear).toBe('441234AAAAAAAAAA0011223344556677');
    expect((await run({ op: 'pinblock.decode', format: 4, pan: '4111111111111111', encrypted: f4.encrypted, key: '000102030405060708090A0B0C0D0E0F' })).pin).toBe('1234');
    expect((await run({ op: 'pinblock.encode', format: 3, pin: '1234', pan: '4012345678909', fill: 'ABCDEFABCD' })).clear).toBe('341274B9F9B9D35D');
  });
  it('dukpt.tdes (X9.24-1 Annex A) and dukpt.aes (X9.24-3)', async () => {
    const t = await run({ op: 'dukpt.tdes', bdk: '0123456789ABCDEFFEDCBA9876543210', ksn: 'FFFF9876543210E00001' });
    expect(t).toMatchObject({ ipek: '6AC292FAA1315B4D858AB3A3D7D5933A', transactionKey: '042666B49184CFA368DE9628D0397BC9', pinKey: '042666B49184CF5C68DE9628D0397B36' });
    expect(Object.keys(t).sort()).toEqual(['dataKey', 'ipek', 'macKey', 'pinKey', 'transactionKey']);
    const a = await run({ op: 'dukpt.aes', bdk: 'FEDCBA9876543210F1F1F1F1F1F1F1F1', ksn: '123456789012345600000001', keyType: 'AES128' });
    expect(a).toMatchObject({ initialKey: '1273671EA26AC29AFA4D1084127652A1', transactionKey: '4F21B565BAD9835E112B6465635EAE44' });
    expect(a.pinKey).toMatch(/^[0-9A-F]{32}$/);
    expect((await run({ op: 'dukpt.tdes', bdk: '0123456789ABCDEFFEDCBA9876543210', ksn: 'FFFF9876543210E007FF' })).error).toMatch(/10 one-bits/);
  });
  it('mac', async () => {
    expect(await run({ op: 'mac', alg: 'x919', key: '41414141414141414242424242424242', data: Buffer.from('hello world').toString('hex'), padding: 2 })).toEqual({ mac: 'E16941032C3BC7D4' });
    expect(await run({ op: 'mac', alg: 'iso9797-1-alg1', key: 'AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB', data: Buffer.from('hello world').toString('hex') })).toEqual({ mac: '68D9038F23360DF3' });
    expect(await run({ op: 'mac', alg: 'aes-cmac', key: '2B7E151628AED2A6ABF7158809CF4F3C', data: '6BC1BEE22E409F96E93D7E117393172A' })).toEqual({ mac: '070A16B46B4D4144' });
    expect(await run({ op: 'mac', alg: 'tdes-cmac', key: '0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123', data: '' })).toEqual({ mac: '7DB0D37DF936C550' });
    expect((await run({ op: 'mac', alg: 'md5', key: '00', data: '' })).error).toBeDefined();
  });
  it('tr31.unwrap / wrap and kcv', async () => {
    const u = await run({ op: 'tr31.unwrap', kbpk: 'DD7515F2BFC17F85CE48F3CA25CB21F6', block: 'B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E' });
    expect(u).toMatchObject({ key: '3F419E1CB7079442AA37474C2EFBF8B8', kcv: '57C409', header: { versionId: 'B', keyUsage: 'P0', algorithm: 'T', modeOfUse: 'E', keyVersionNumber: '00', exportability: 'E' } });
    const w = await run({ op: 'tr31.wrap', kbpk: '88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6', header: 'D0000P0AE00E0000', key: '3F419E1CB7079442AA37474C2EFBF8B8' });
    const back = await run({ op: 'tr31.unwrap', kbpk: '88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6', block: w.block });
    expect(back).toMatchObject({ key: '3F419E1CB7079442AA37474C2EFBF8B8', kcv: '08793E' });
    expect((await run({ op: 'tr31.unwrap', kbpk: '00000000000000000000000000000000', block: 'B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E' })).error).toMatch(/MAC/);
    // KCVs from TR-31:2018 A.7 (openemv/tr31): TDES 57C409, AES (CMAC KCV) 08793E.
    expect(await run({ op: 'kcv', key: '3F419E1CB7079442AA37474C2EFBF8B8', alg: 'tdes' })).toEqual({ kcv: '57C409' });
    expect(await run({ op: 'kcv', key: '3F419E1CB7079442AA37474C2EFBF8B8', alg: 'aes' })).toEqual({ kcv: '08793E' });
  });
});
