/** What audio guidance says: key positions, figures, no PIN or card digits. */
import { describe, expect, it } from 'vitest';
import type { ScreenModel } from '../../main/common/contract';
import { announcement, redact } from '../../renderer/audio/announce';
import { localeContext } from '../../renderer/i18n/locale';
import { stepOf } from '../../renderer/screen/step-indicator';

const model = (extra: Partial<ScreenModel>): ScreenModel => ({ screen: 'menu', seq: 1, params: {}, options: [], locale: 'en-US', currency: 'USD', lang: 'en', ...extra });

describe('audio announcements', () => {
  it('says title, message and every option with its key position', () => {
    const m = model({
      title: 'screen.menu',
      options: [
        { id: 'withdrawal', label: 'opt.withdrawal', fdk: 'fdk05' },
        { id: 'balance', label: 'opt.balance', fdk: 'fdk06' },
        { id: 'cancel', label: 'opt.cancel', fdk: 'fdk01' },
      ],
    });
    expect(announcement(m, localeContext(m))).toEqual([
      'Select a transaction',
      'Press the right key number 1 for Cash withdrawal.',
      'Press the right key number 2 for Balance.',
      'Press the left key number 1 for Cancel.',
      'To hear this again, press Help.',
    ]);
  });

  it('speaks Chinese in a Chinese session, amounts formatted for the session locale', () => {
    const m = model({ screen: 'amount', lang: 'zh', title: 'screen.amount', options: [{ id: 'fast:4000', label: 'opt.amount', params: { amount: 4000 }, fdk: 'fdk05' }] });
    const lines = announcement(m, localeContext(m));
    expect(lines[0]).toBe('请选择金额');
    expect(lines[1]).toBe('选择US$40.00，请按右侧第 1 个键。');
  });

  it('PIN entry: a hint about tones, never a digit count or digits', () => {
    const m = model({ screen: 'enterPin', title: 'screen.enterPin', message: 'msg.pinPrivacy', pinLength: 3 });
    const text = announcement(m, localeContext(m)).join(' ');
    expect(text).toContain('tone for each digit');
    expect(text).not.toMatch(/\d/);
  });

  it('balances and the typed amount are spoken with Intl formatting', () => {
    const b = model({ screen: 'balance', title: 'screen.balance', params: { available: 250000, ledger: 260050 } });
    expect(announcement(b, localeContext(b))).toContain('Available balance $2,500.00. Ledger balance $2,600.50.');
    const a = model({ screen: 'otherAmount', title: 'screen.otherAmount', amountEntry: '120' });
    expect(announcement(a, localeContext(a))).toContain('Amount entered: $120.00.');
  });

  it('redacts anything shaped like a card number', () => {
    expect(redact('card 4761739001010010 ok')).toBe('card … ok');
    expect(redact('card 476173******0010')).toBe('card …');
    expect(redact('4761 7390 0101 0010')).toBe('…');
    expect(redact('$2,500.00 and 10,000')).toBe('$2,500.00 and 10,000');
  });

  it('step indicator: card, PIN, amount, cash', () => {
    expect(stepOf(model({ screen: 'welcome' }))).toBe('card');
    expect(stepOf(model({ screen: 'enterPin', title: 'screen.enterPin' }))).toBe('pin');
    expect(stepOf(model({ screen: 'enterPin', title: 'screen.enterNewPin' }))).toBeNull();
    expect(stepOf(model({ screen: 'amount' }))).toBe('amount');
    expect(stepOf(model({ screen: 'takeCard', message: 'msg.cashFollows' }))).toBe('cash');
    expect(stepOf(model({ screen: 'balance' }))).toBeNull();
  });

  it('the session locale: the configured one for its language, the language default otherwise', () => {
    expect(localeContext({ lang: 'en', locale: 'en-GB', currency: 'GBP' }).locale).toBe('en-GB');
    expect(localeContext({ lang: 'zh', locale: 'en-US', currency: 'USD' }).locale).toBe('zh-CN');
  });
});
