/** The simulated issuer's cardless references: code generation (length, uniqueness), states, expiry, validation. */
import { describe, expect, it } from 'vitest';
import { CardlessRegistry } from '../../../main/host-sim/cardless-registry';

const who = { pan: '4761739001010010', accountId: 1, amount: 2000 };

describe('CardlessRegistry', () => {
  it('codes are zero-padded to the configured length (6-8) and never collide with a live code', () => {
    const draws = [42, 42, 42, 7];
    const reg = new CardlessRegistry({ now: () => 0, codeDigits: 6, randomInt: () => draws.shift()! });
    expect(reg.issueCode(who)).toBe('000042');
    expect(reg.issueCode(who)).toBe('000007');
    expect(new CardlessRegistry({ now: () => 0, codeDigits: 12, randomInt: () => 5 }).issueCode(who)).toBe('00000005');
    expect(new CardlessRegistry({ now: () => 0, codeDigits: 2, randomInt: () => 5 }).issueCode(who)).toBe('000005');
  });

  it('QR references: pending on the first poll, confirmed once, used once; expired entries read as unknown', () => {
    let t = 1000;
    const reg = new CardlessRegistry({ now: () => t, ttlMs: 100 });
    expect(reg.pollQr('REF1')).toMatchObject({ state: 'pending', expiresAt: 1100 });
    expect(reg.confirmQr('REF1', who)).toEqual({ ok: true });
    expect(reg.pollQr('REF1')).toMatchObject({ state: 'confirmed', pan: who.pan, amount: 2000, expiresAt: 1100 });
    reg.markUsed('qr', 'REF1');
    expect(reg.get('qr', 'REF1')!.state).toBe('used');
    expect(reg.confirmQr('REF1', who)).toEqual({ ok: false, error: 'reference already used' });
    t = 1100;
    expect(reg.get('qr', 'REF1')).toBeNull();
    expect(reg.pollQr('REF1')).toBeNull();
  });

  it('refuses references that are not printable EMVCo text of 1-25 characters', () => {
    const reg = new CardlessRegistry({ now: () => 0 });
    for (const bad of ['', 'x'.repeat(26), 'A;B', 'é']) {
      expect(reg.pollQr(bad)).toBeNull();
      expect(reg.confirmQr(bad, who)).toEqual({ ok: false, error: 'invalid reference' });
    }
  });
});
