/**
 * A kiosk configured for a currency without decimals (Japanese yen): amounts typed on the PIN pad, notes, host
 * balances, receipts and the cardless QR all in whole yen (minor unit = major unit).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Kiosk } from '../../../main/core/kiosk';
import type { KioskConfigInput } from '../../../main/config/config';
import { parseEmvQr } from '../../../main/cardless/emvco-qr';
import { card, select, sim, startTestKiosk, toMenu, typePin, waitForScreen } from '../../support/kiosk-harness';

let kiosk: (Kiosk & { dataDir: string }) | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

const YEN: KioskConfigInput = {
  terminal: { currency: 'JPY', currencyNumeric: '392', countryNumeric: '392', country: 'JP', city: 'Tokyo', locale: 'ja-JP', fastCash: [10000, 20000], maxWithdrawal: 200000 },
  simulator: {
    cassettes: [
      { id: 'CST1', denomination: 1000, count: 500, capacity: 2500, lowThreshold: 50 },
      { id: 'CST2', denomination: 10000, count: 300, capacity: 2500, lowThreshold: 30 },
    ],
  },
};

describe('a kiosk in yen', () => {
  it('other amount typed in yen pays those yen, debits those yen and prints them', async () => {
    const k = (kiosk = await startTestKiosk(YEN));
    const c = card('visa-debit');
    const before = k.hostSim!.bank.balanceOfPan(c.pan)!;
    await toMenu(k, c.id);
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'other');
    await waitForScreen(k, 'otherAmount');
    typePin(k, '13000');
    const next = await Promise.race([waitForScreen(k, 'denomination'), waitForScreen(k, 'receiptQuestion')]);
    if (next.screen === 'denomination') {
      expect(next.params.amount).toBe(13000);
      select(k, 'mix:auto');
      await waitForScreen(k, 'receiptQuestion');
    }
    select(k, 'receiptYes');
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.cashFollows');
    sim(k, { type: 'takeCard' });
    const cash = await waitForScreen(k, 'takeCash');
    expect(cash.params.amount).toBe(13000);
    expect(k.sims.dispenser.presentedNotes()).toEqual({ CST1: 3, CST2: 1 });
    sim(k, { type: 'takeCash' });
    await waitForScreen(k, 'takeReceipt');
    expect(k.sims.printer.receiptAtSlot()!.lines.join('\n')).toMatch(/[¥￥]13,000/);
    sim(k, { type: 'takeReceipt' });
    await waitForScreen(k, 'welcome');
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(before - 13000);
  });

  it('the cardless QR carries whole yen and the wallet confirms that amount', async () => {
    const k = (kiosk = await startTestKiosk(YEN));
    await waitForScreen(k, 'welcome');
    select(k, 'cardless');
    await waitForScreen(k, 'amount');
    select(k, 'fast:10000');
    const shown = await waitForScreen(k, 'showQr', 5000, (m) => !!m.qr);
    const qr = parseEmvQr(shown.qr!.payload);
    expect(qr.valid && [qr.objects['53'], qr.objects['54']]).toEqual(['392', '10000']);
    expect(k.hostSim!.confirmQr(shown.qr!.payload, 'visa-debit')).toMatchObject({ ok: true, amount: 10000 });
  });
});
