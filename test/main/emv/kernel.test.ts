import { describe, expect, it } from 'vitest';
import { TEST_CHIP_CARDS } from '../../../devices/card-reader/chip/test-chip-cards';
import { buildArpc, buildScriptCommand, buildScriptTemplate, verifyArqc, type ArqcContext } from '../../../main/emv/issuer';
import { decodeTlv, findTag, tlvToMap } from '../../../main/emv/tlv-codec';
import { describeTlv } from '../../../main/emv/tlv';
import { fallbackPolicy } from '../../../main/emv/fallback-policy';
import { terminalConfig } from '../../../main/emv/terminal-config';
import { tvrBitNames } from '../../../main/emv/tvr';
import { fromHex } from '../../../main/emv/tdes';
import { clone, issuerKeys, setup } from './emv-harness';

async function goOnline(profile = TEST_CHIP_CARDS.visaCvn10, amount = 100_00) {
  const h = setup(profile);
  const first = await h.txn.start({ amountMinor: amount });
  if (first.kind !== 'online') throw new Error(`expected online, got ${JSON.stringify(first)}`);
  const v = verifyArqc(first.field55, issuerKeys, { pan: profile.pan, psn: profile.psn });
  if (!v.ok) throw new Error(v.reason);
  return { ...h, first, ctx: v.context, cvn: v.cvn };
}

describe('EMV kernel: approved withdrawals with real cryptograms', () => {
  it('Visa CVN 10: PSE selection, ARQC verified by the issuer, ARPC method 1 via EXTERNAL AUTHENTICATE, TC', async () => {
    const { txn, card, first, ctx, cvn } = await goOnline();
    expect(cvn).toBe('visa-10');
    expect(first.aid).toBe('A0000000031010');
    expect(card.atcOf('A0000000031010')).toBe(0x11);
    const f55 = tlvToMap(decodeTlv(first.field55));
    expect(Buffer.from(f55.get('9F02')!).toString('hex')).toBe('000000010000');
    expect(Buffer.from(f55.get('9F35')!).toString('hex')).toBe('14');
    expect(Buffer.from(f55.get('9F34')!).toString('hex')).toBe('420300');
    expect(Buffer.from(f55.get('9F27')!).toString('hex')).toBe('80');
    expect(f55.has('5A')).toBe(false);
    expect(f55.has('57')).toBe(false);
    expect(tvrBitNames(f55.get('95')!)).toEqual(['ODA_NOT_PERFORMED', 'ONLINE_PIN_ENTERED', 'EXCEEDS_FLOOR_LIMIT']);
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, ctx, { arc: '00' }) });
    expect(done).toMatchObject({ result: 'approved', dispense: true, reverse: false, issuerAuthentication: 'ok' });
    expect(findTag(decodeTlv(done.field55), '9F27')!.value[0]).toBe(0x40);
    expect(done.tsi).toBe('7800'); // CVM, card risk management, issuer authentication, TRM performed; no ODA
  });

  it('Visa CVN 18: AID list selection (no PSE), ARPC method 2 checked in the second GENERATE AC', async () => {
    const { txn, ctx, cvn, log } = await goOnline(TEST_CHIP_CARDS.visaCvn18);
    expect(cvn).toBe('visa-18');
    expect(log[0]).toBe('00a4:6a82'); // PSE not found, then the AID list
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(2, ctx, { csu: fromHex('00000000') }) });
    expect(done).toMatchObject({ result: 'approved', dispense: true, issuerAuthentication: 'ok' });
  });

  it('Mastercard CVN 16: format 2 responses, Mastercard SKD, ARPC method 1 in CDOL2', async () => {
    const { txn, ctx, cvn } = await goOnline(TEST_CHIP_CARDS.mastercard);
    expect(cvn).toBe('mastercard-16');
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, ctx, { arc: '00' }) });
    expect(done.result).toBe('approved');
  });

  it('the issuer rejects a tampered field 55', async () => {
    const { first } = await goOnline();
    const f55 = Uint8Array.from(first.field55);
    const i = Buffer.from(f55).indexOf(Buffer.from('9F0206', 'hex'));
    f55[i + 8]! ^= 0x01; // change the amount
    expect(verifyArqc(f55, issuerKeys, { pan: '4761739001010010', psn: '01' })).toEqual({ ok: false, reason: 'ARQC mismatch' });
    expect(verifyArqc(first.field55, issuerKeys, { pan: '4761739001010028', psn: '01' })).toMatchObject({ ok: false });
  });

  it('never exposes the PAN in field 55 or its description', async () => {
    const { first, txn } = await goOnline();
    expect(describeTlv(first.field55)).not.toContain('4761739001010010');
    expect(Buffer.from(first.field55).toString('hex').toUpperCase()).not.toContain('4761739001010010');
    expect(txn.cardData()).toMatchObject({ pan: '4761739001010010', expiry: '3012', panSequence: '001' });
  });
});

describe('application selection', () => {
  it('two UnionPay AIDs: highest priority (credit) without a chooser', async () => {
    const { txn } = setup(TEST_CHIP_CARDS.unionpayDual);
    const r = await txn.start({ amountMinor: 500_00 });
    expect(r).toMatchObject({ kind: 'online', aid: 'A000000333010102', scheme: 'unionpay', label: 'UnionPay Credit' });
  });

  it('two UnionPay AIDs: the cardholder chooses debit on screen', async () => {
    const seen: string[][] = [];
    const { txn } = setup(TEST_CHIP_CARDS.unionpayDual, {
      chooseApplication: async (list) => {
        seen.push(list.map((c) => c.label));
        return 'A000000333010101';
      },
    });
    const r = await txn.start({ amountMinor: 500_00 });
    expect(seen).toEqual([['UnionPay Credit', 'UnionPay Debit']]);
    expect(r).toMatchObject({ kind: 'online', aid: 'A000000333010101' });
    if (r.kind !== 'online') return;
    const v = verifyArqc(r.field55, issuerKeys, { pan: '6250946000000016', psn: '01' });
    expect(v).toMatchObject({ ok: true, cvn: 'unionpay-01' });
  });

  it('cardholder cancel -> failed(cancelled)', async () => {
    const { txn } = setup(TEST_CHIP_CARDS.unionpayDual, { chooseApplication: async () => undefined });
    expect(await txn.start({ amountMinor: 1 })).toMatchObject({ kind: 'failed', code: 'cancelled' });
  });

  it('no mutually supported application', async () => {
    const p = clone(TEST_CHIP_CARDS.visaCvn10);
    p.apps[0]!.aid = 'A0000000999999';
    const { txn } = setup(p);
    expect(await txn.start({ amountMinor: 1 })).toMatchObject({ kind: 'failed', code: 'noApplication' });
  });
});

describe('restrictions and action analysis', () => {
  it('AUC not valid at ATMs -> service not allowed -> TAC denial -> AAC', async () => {
    const p = clone(TEST_CHIP_CARDS.visaCvn10);
    p.apps[0]!.auc = 'FD00';
    const { txn } = setup(p);
    const r = await txn.start({ amountMinor: 100_00 });
    expect(r).toMatchObject({ kind: 'declined', reason: 'terminal-denial' });
    if (r.kind === 'declined') expect(tvrBitNames(fromHex(r.tvr))).toContain('SERVICE_NOT_ALLOWED');
  });

  it('AUC without international cash for a foreign card -> AAC', async () => {
    const p = clone(TEST_CHIP_CARDS.visaCvn10);
    p.apps[0]!.auc = 'BF00'; // domestic cash only; issuer 0840 vs terminal 0156
    const r = await setup(p).txn.start({ amountMinor: 100_00 });
    expect(r).toMatchObject({ kind: 'declined', reason: 'terminal-denial' });
  });

  it('IAC-denial matching the TVR (expired card) -> AAC even with an all-zero TAC-denial', async () => {
    const p = clone(TEST_CHIP_CARDS.mastercard);
    p.expiry = '251231';
    p.apps[0]!.iac = { denial: '0040000000', online: '0000000000', default: '0000000000' };
    const r = await setup(p).txn.start({ amountMinor: 100_00 });
    expect(r).toMatchObject({ kind: 'declined', reason: 'terminal-denial' });
    if (r.kind === 'declined') expect(tvrBitNames(fromHex(r.tvr))).toContain('EXPIRED_APPLICATION');
  });

  it('different application versions are flagged but do not decline by themselves', async () => {
    const p = clone(TEST_CHIP_CARDS.visaCvn10);
    p.apps[0]!.appVersion = '0084';
    const r = await setup(p).txn.start({ amountMinor: 100_00 });
    expect(r.kind).toBe('online');
    if (r.kind === 'online') expect(tvrBitNames(fromHex(r.tvr))).toContain('APP_VERSIONS_DIFFER');
  });
});

describe('completion', () => {
  it('ARPC failure: EXTERNAL AUTHENTICATE fails, TVR flags it, card AAC -> reverse', async () => {
    const { txn, ctx } = await goOnline();
    const arpc = buildArpc(1, ctx, { arc: '00' });
    arpc[0]! ^= 0xff;
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc });
    expect(done).toMatchObject({ result: 'declinedByCardAfterApproval', reverse: true, dispense: false, issuerAuthentication: 'failed' });
    expect(tvrBitNames(fromHex(done.tvr))).toContain('ISSUER_AUTH_FAILED');
  });

  it('card AAC after host approval -> the caller is told to reverse and not dispense', async () => {
    const p = clone(TEST_CHIP_CARDS.mastercard);
    p.faults = { declineSecondGenAc: true };
    const { txn, ctx } = await goOnline(p);
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, ctx, { arc: '00' }) });
    expect(done).toMatchObject({ result: 'declinedByCardAfterApproval', reverse: true, dispense: false });
    expect(findTag(decodeTlv(done.field55), '9F27')!.value[0]).toBe(0x00);
  });

  it('UnionPay card requiring issuer authentication declines an approval without ARPC', async () => {
    const { txn } = await goOnline(TEST_CHIP_CARDS.unionpayDual);
    const done = await txn.completeOnline({ hostReached: true, arc: '00' });
    expect(done).toMatchObject({ result: 'declinedByCardAfterApproval', reverse: true });
  });

  it('host decline -> AAC, no reversal', async () => {
    const { txn, ctx } = await goOnline();
    const done = await txn.completeOnline({ hostReached: true, arc: '51', arpc: buildArpc(1, ctx, { arc: '51' }) });
    expect(done).toMatchObject({ result: 'declined', reverse: false, dispense: false });
  });

  it('host unreachable -> default action (TAC-default covers ODA not performed) -> AAC', async () => {
    const { txn } = await goOnline();
    const done = await txn.completeOnline({ hostReached: false });
    expect(done).toMatchObject({ result: 'declinedOffline', reverse: false, dispense: false });
  });

  it('chip lost during completion after approval -> reverse', async () => {
    const p = clone(TEST_CHIP_CARDS.visaCvn10);
    const { txn, ctx, card } = await goOnline(p);
    card.profile.faults = { mute: true };
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, ctx, { arc: '00' }) });
    expect(done).toMatchObject({ result: 'declinedByCardAfterApproval', reverse: true, failure: { code: 'chipIo' } });
  });
});

describe('issuer scripts', () => {
  const script = (ctx: ArqcContext, tag: '71' | '72', cmd: Parameters<typeof buildScriptCommand>[1], id = '00000001') => buildScriptTemplate(tag, [buildScriptCommand(ctx, cmd)], fromHex(id));

  it('PIN UNBLOCK in template 72 resets the PIN try counter (Visa SM keys)', async () => {
    const { txn, ctx, card } = await goOnline();
    card.setPinTryCounter(0);
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, ctx, { arc: '00' }), scripts72: script(ctx, '72', 'pin-unblock') });
    expect(done.result).toBe('approved');
    expect(card.pinTryCounter()).toBe(3);
    expect(done.scriptResults).toBe('2000000001');
    expect(findTag(decodeTlv(done.field55), '9F5B')).toBeDefined();
  });

  it('PIN UNBLOCK on a Mastercard (SM key from the ARQC) in template 71', async () => {
    const { txn, ctx, card } = await goOnline(TEST_CHIP_CARDS.mastercard);
    card.setPinTryCounter(1);
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, ctx, { arc: '00' }), scripts71: script(ctx, '71', 'pin-unblock') });
    expect(card.pinTryCounter()).toBe(3);
    expect(done.scriptResults).toBe('2000000001');
  });

  it('a script with a bad MAC fails, is reported in 9F5B and the TVR, and changes nothing', async () => {
    const { txn, ctx, card } = await goOnline();
    card.setPinTryCounter(0);
    const cmd = buildScriptCommand(ctx, 'pin-unblock');
    cmd[cmd.length - 1]! ^= 1;
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, ctx, { arc: '00' }), scripts71: buildScriptTemplate('71', [cmd], fromHex('00000002')) });
    expect(card.pinTryCounter()).toBe(0);
    expect(done.scriptResults).toBe('1100000002');
    expect(tvrBitNames(fromHex(done.tvr))).toContain('SCRIPT_FAILED_BEFORE_FINAL_AC');
    expect(done.result).toBe('approved');
  });

  it('APPLICATION BLOCK: the next transaction finds no usable application, and fallback is refused', async () => {
    const { txn, ctx, card } = await goOnline();
    await txn.completeOnline({ hostReached: true, arc: '05', arpc: buildArpc(1, ctx, { arc: '05' }), scripts72: script(ctx, '72', 'application-block') });
    expect(card.isBlocked('A0000000031010')).toBe(true);
    card.reset();
    const { EmvTransaction } = await import('../../../main/emv/kernel');
    const again = new EmvTransaction({ transport: card.transport, config: terminalConfig() });
    expect(await again.start({ amountMinor: 1 })).toMatchObject({ kind: 'failed', code: 'noApplication' });
  });
});

describe('chip failure and the fallback policy', () => {
  it('mute chip -> failed(chipIo) -> Visa fallback allowed with POS entry mode 801', async () => {
    const p = clone(TEST_CHIP_CARDS.visaCvn10);
    p.faults = { mute: true };
    const r = await setup(p).txn.start({ amountMinor: 100_00 });
    expect(r).toMatchObject({ kind: 'failed', code: 'chipIo' });
    if (r.kind !== 'failed') return;
    expect(fallbackPolicy({ trigger: r.code, serviceCode: '201', pan: p.pan, config: terminalConfig() })).toEqual({ allowed: true, posEntryMode: '801' });
  });

  it('chip fails at READ RECORD -> UnionPay card in mainland China: fallback forbidden', async () => {
    const p = clone(TEST_CHIP_CARDS.unionpayDual);
    p.faults = { muteAtIns: 0xb2 };
    const r = await setup(p).txn.start({ amountMinor: 100_00 });
    expect(r).toMatchObject({ kind: 'failed', code: 'chipIo' });
    if (r.kind !== 'failed') return;
    expect(fallbackPolicy({ trigger: r.code, serviceCode: '220', pan: p.pan, config: terminalConfig() })).toEqual({ allowed: false, reason: 'unionpay-china' });
  });

  it('other policy branches', () => {
    const cfg = terminalConfig();
    const abroad = terminalConfig({ countryCode: '0344' });
    expect(fallbackPolicy({ trigger: 'chipIo', serviceCode: '220', pan: '6250946000000016', config: abroad })).toEqual({ allowed: false, reason: 'aid-forbids' });
    expect(fallbackPolicy({ trigger: 'cardDeclined', serviceCode: '201', pan: '4761739001010010', config: cfg })).toEqual({ allowed: false, reason: 'not-a-technical-failure' });
    expect(fallbackPolicy({ trigger: 'chipIo', serviceCode: '101', pan: '4761739001010010', config: cfg })).toEqual({ allowed: false, reason: 'not-a-chip-card' });
    expect(fallbackPolicy({ trigger: 'chipIo', serviceCode: '201', pan: '4761739001010010', config: cfg, fallbackEnabled: false })).toEqual({ allowed: false, reason: 'disabled' });
    expect(fallbackPolicy({ trigger: 'cardProtocol', serviceCode: '201', pan: '5413330089010434', config: cfg, pinCapable: false })).toEqual({ allowed: true, posEntryMode: '802' });
  });
});

describe('API misuse', () => {
  it('start once, completeOnline once and only after an ARQC', async () => {
    const { txn, ctx } = await goOnline();
    await expect(txn.start({ amountMinor: 1 })).rejects.toThrow(/once/);
    await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, ctx, { arc: '00' }) });
    await expect(txn.completeOnline({ hostReached: true, arc: '00' })).rejects.toThrow(/twice/);
    const p = clone(TEST_CHIP_CARDS.visaCvn10);
    p.apps[0]!.auc = 'FD00';
    const declined = setup(p).txn;
    await declined.start({ amountMinor: 1 });
    await expect(declined.completeOnline({ hostReached: true, arc: '00' })).rejects.toThrow(/ARQC/);
  });
});
