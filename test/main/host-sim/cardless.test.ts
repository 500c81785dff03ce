/**
 * The host side of cardless withdrawal, over loopback TCP with the real ATM link: the ATM polls a QR reference
 * (09 pending until the wallet confirms), the simulated phone confirms the ATM's EMVCo QR with a test card, the
 * status inquiry returns the PAN and amount, the 0200 with the reference is approved once; one-time codes are
 * issued by the banking app, one use, expiring, with or without a PIN by the account's policy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeAtmWithdrawalQr, makeEmvQr } from '../../../main/cardless/emvco-qr';
import { cardlessReferenceField, readCardlessConfirmation, type CardlessKind } from '../../../main/host/messages';
import { DEFAULT_PROFILE, RC } from '../../../main/host/profile';
import { cleanup, card, startAtm, startSim, withdraw, type Atm } from './sim-fixture';

afterEach(cleanup);

const visa = card('visa-debit');
const mc = card('mc-debit');

function atmQr(reference: string, amount: string): string {
  return makeAtmWithdrawalQr({ amount, currency: '840', country: 'US', merchantName: 'OPEN ATM', city: 'SPRINGFIELD', reference, terminalId: 'ATM00042' });
}

/** The ATM's cardless status inquiry, exactly as SessionServices.cardlessStatus sends it (no card fields). */
function status(atm: Atm, kind: CardlessKind, reference: string) {
  return atm.link.authorize({
    mti: '0100',
    processingCode: DEFAULT_PROFILE.processingCodes.cardlessInquiry,
    amount: 0,
    card: { pan: '' },
    posEntryMode: kind === 'qr' ? DEFAULT_PROFILE.posEntryQr : DEFAULT_PROFILE.posEntryManual,
    extraFields: cardlessReferenceField(DEFAULT_PROFILE, kind, reference),
  });
}

/** The cardless 0200: the confirmed PAN (no expiry, no track), the reference in field 48. */
function cardlessWithdraw(atm: Atm, kind: CardlessKind, reference: string, pan: string, amount: number, pin?: string) {
  return withdraw(atm, { ...visa, pan, expiry: '' }, amount, { extra: cardlessReferenceField(DEFAULT_PROFILE, kind, reference), ...(pin === undefined ? {} : { pin }) });
}

describe('cardless QR withdrawal (host side)', () => {
  it('pending (09) until the phone confirms; then PAN and amount; one withdrawal; the reference is then used (14)', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    const ref = 'ATM00042MA1B2C3';
    expect((await status(atm, 'qr', ref)).responseCode).toBe(RC.inProgress);
    expect((await status(atm, 'qr', ref)).responseCode).toBe(RC.inProgress);
    expect(sim.confirmQr(atmQr(ref, '40.00'), 'visa-debit')).toEqual({ ok: true, reference: ref, amount: 4000 });
    const confirmed = await status(atm, 'qr', ref);
    expect(confirmed.responseCode).toBe('00');
    expect(readCardlessConfirmation(confirmed.fields)).toEqual({ pan: visa.pan, amount: 4000 });
    const r = await cardlessWithdraw(atm, 'qr', ref, visa.pan, 4000);
    expect(r.responseCode).toBe('00');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 4000);
    expect(sim.bank.recentLedger(sim.bank.findByPan(visa.pan)!.id, 1)[0]).toMatchObject({ delta: -4000, reason: 'cardless' });
    expect((await status(atm, 'qr', ref)).responseCode).toBe('14');
    expect((await cardlessWithdraw(atm, 'qr', ref, visa.pan, 4000)).responseCode).toBe('14');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 4000);
  });

  it('a QR withdrawal always needs the card PIN: wrong PIN 55, no debit, the reference stays usable', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    sim.confirmQr(atmQr('REF-PIN', '20.00'), 'visa-debit');
    expect((await cardlessWithdraw(atm, 'qr', 'REF-PIN', visa.pan, 2000, '0000')).responseCode).toBe('55');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect((await cardlessWithdraw(atm, 'qr', 'REF-PIN', visa.pan, 2000)).responseCode).toBe('00');
  });

  it('the 0200 must match what the phone confirmed: another amount is 13, another card 14, an unknown reference 14', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    sim.confirmQr(atmQr('REF-MATCH', '40.00'), 'visa-debit');
    expect((await cardlessWithdraw(atm, 'qr', 'REF-MATCH', visa.pan, 6000)).responseCode).toBe('13');
    expect((await withdraw(atm, mc, 4000, { extra: cardlessReferenceField(DEFAULT_PROFILE, 'qr', 'REF-MATCH') })).responseCode).toBe('14');
    expect((await cardlessWithdraw(atm, 'qr', 'REF-NEVER', visa.pan, 4000)).responseCode).toBe('14');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
  });

  it('the phone refuses a bad QR (CRC, no amount, no reference), an unknown card, a blocked account, a second confirmation', async () => {
    const sim = await startSim();
    const good = atmQr('REF-PHONE', '40.00');
    const badCrc = good.slice(0, -4) + (good.endsWith('0000') ? '1111' : '0000');
    expect(sim.confirmQr(badCrc, 'visa-debit')).toMatchObject({ ok: false, error: expect.stringMatching(/not a valid payment QR/) });
    expect(sim.confirmQr(makeEmvQr({ '01': '12', '53': '840', '58': 'US', '59': 'X', '60': 'Y', '62': { '05': 'R1' } }), 'visa-debit')).toEqual({ ok: false, error: 'the QR has no amount' });
    expect(sim.confirmQr(makeEmvQr({ '01': '12', '53': '840', '54': '10.00', '58': 'US', '59': 'X', '60': 'Y' }), 'visa-debit')).toEqual({ ok: false, error: 'the QR has no reference' });
    expect(sim.confirmQr(good, 'no-such-card')).toEqual({ ok: false, error: 'unknown test card' });
    expect(sim.confirmQr(good, 'stolen')).toEqual({ ok: false, error: 'card cannot be used' });
    expect(sim.confirmQr(good, 'visa-debit').ok).toBe(true);
    expect(sim.confirmQr(good, 'mc-debit')).toEqual({ ok: false, error: 'reference already confirmed' });
  });

  it('an unconfirmed QR reference expires (14) after its time to live', async () => {
    const clock = { t: Date.parse('2026-05-01T09:00:00Z') };
    const sim = await startSim({ now: () => new Date(clock.t), cardless: { ttlMs: 60_000 } });
    const atm = await startAtm(sim.port);
    expect((await status(atm, 'qr', 'REF-OLD')).responseCode).toBe('09');
    clock.t += 60_001;
    expect((await status(atm, 'qr', 'REF-OLD')).responseCode).toBe('14');
    expect(sim.confirmQr(atmQr('REF-OLD', '40.00'), 'visa-debit')).toEqual({ ok: false, error: 'reference expired' });
  });
});

describe('one-time codes (host side)', () => {
  it('issued for a card and amount, redeemed once without a PIN under the "optional" policy', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    const code = sim.issueOneTimeCode('visa-debit', 2000);
    expect(code).toMatch(/^\d{8}$/);
    const s = await status(atm, 'code', code);
    expect(s.responseCode).toBe('00');
    expect(readCardlessConfirmation(s.fields)).toEqual({ pan: visa.pan, amount: 2000 });
    const r = await withdraw(atm, { ...visa, expiry: '' }, 2000, { noPin: true, extra: cardlessReferenceField(DEFAULT_PROFILE, 'code', code) });
    expect(r.responseCode).toBe('00');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 2000);
    expect((await status(atm, 'code', code)).responseCode).toBe('14');
  });

  it('the "required" policy needs the PIN (55 without it); a PIN sent is always checked', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    sim.setCardlessPin('visa-debit', 'required');
    const code = sim.issueOneTimeCode('visa-debit', 2000);
    const ref = cardlessReferenceField(DEFAULT_PROFILE, 'code', code);
    expect((await withdraw(atm, visa, 2000, { noPin: true, extra: ref })).responseCode).toBe('55');
    expect((await withdraw(atm, visa, 2000, { pin: '0000', extra: ref })).responseCode).toBe('55');
    expect((await withdraw(atm, visa, 2000, { extra: ref })).responseCode).toBe('00');
  });

  it('a code expires after its time to live, and a code never issued is 14', async () => {
    const clock = { t: Date.parse('2026-05-01T09:00:00Z') };
    const sim = await startSim({ now: () => new Date(clock.t) });
    const atm = await startAtm(sim.port);
    const code = sim.issueOneTimeCode('mc-debit', 2000, 30 * 60_000);
    expect((await status(atm, 'code', code)).responseCode).toBe('00');
    clock.t += 30 * 60_000;
    expect((await status(atm, 'code', code)).responseCode).toBe('14');
    expect((await withdraw(atm, mc, 2000, { noPin: true, extra: cardlessReferenceField(DEFAULT_PROFILE, 'code', code) })).responseCode).toBe('14');
    expect((await status(atm, 'code', '12345678')).responseCode).toBe('14');
    expect(sim.bank.balanceOfPan(mc.pan)).toBe(mc.balance);
  });

  it('refuses to issue a code for an unknown card or a bad amount; the usual limits still apply at redemption', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    expect(() => sim.issueOneTimeCode('no-such-card', 2000)).toThrow('unknown test card');
    expect(() => sim.issueOneTimeCode('visa-debit', 0)).toThrow(RangeError);
    expect(() => sim.issueOneTimeCode('visa-debit', 12.5)).toThrow(RangeError);
    const code = sim.issueOneTimeCode('mc-debit', 10000);
    expect((await withdraw(atm, mc, 10000, { noPin: true, extra: cardlessReferenceField(DEFAULT_PROFILE, 'code', code) })).responseCode).toBe('51');
  });
});
