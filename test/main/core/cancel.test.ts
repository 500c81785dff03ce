/**
 * Cancel at any point: the PIN pad's Cancel key and the screen's Cancel option do the same thing on every
 * customer screen that offers to cancel, and the customer gets the card back (or the cardless session ends).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Kiosk } from '../../../main/core/kiosk';
import type { ScreenId } from '../../../main/common/contract';
import { card, select, sim, startTestKiosk, typePin, waitForScreen } from '../../support/kiosk-harness';

let kiosk: (Kiosk & { dataDir: string }) | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

type Way = 'key' | 'touch';
const cancel = (k: Kiosk, way: Way) => (way === 'key' ? sim(k, { type: 'key', key: 'cancel' }) : select(k, 'cancel'));

/** Steps that bring a fresh kiosk to a screen with a card inside. */
const withCard: Array<[ScreenId, (k: Kiosk) => Promise<void>]> = [
  ['enterPin', async () => {}],
  ['menu', async (k) => {
    typePin(k, card('visa-debit').pin);
    await waitForScreen(k, 'menu');
  }],
  ['amount', async (k) => {
    typePin(k, card('visa-debit').pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
  }],
  ['denomination', async (k) => {
    typePin(k, card('visa-debit').pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'fast:10000');
    await waitForScreen(k, 'denomination');
  }],
  ['receiptQuestion', async (k) => {
    typePin(k, card('visa-debit').pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'fast:2000');
    await waitForScreen(k, 'receiptQuestion');
  }],
];

describe('cancel', () => {
  for (const [screen, reach] of withCard) {
    for (const way of ['key', 'touch'] as const) {
      it(`${way} on ${screen}: the card comes back and nothing is debited`, async () => {
        kiosk = await startTestKiosk();
        const k = kiosk;
        const c = card('visa-debit');
        await waitForScreen(k, 'welcome');
        sim(k, { type: 'insertCard', cardId: c.id });
        await waitForScreen(k, 'enterPin');
        await reach(k);
        expect(k.ui.screen().screen).toBe(screen);
        cancel(k, way);
        await waitForScreen(k, 'takeCard');
        while (k.sims.cardReader.cardInReader()?.position !== 'gate') await new Promise((r) => setTimeout(r, 5));
        sim(k, { type: 'takeCard' });
        await waitForScreen(k, 'welcome');
        expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
        expect(k.sims.dispenser.presentedNotes()).toEqual({});
      });
    }
  }

  for (const way of ['key', 'touch'] as const) {
    it(`${way} on the cardless QR and one-time code screens ends the session`, async () => {
      kiosk = await startTestKiosk({ cardless: { qr: true, oneTimeCode: true } });
      const k = kiosk;
      await waitForScreen(k, 'welcome');
      select(k, 'cardless');
      await waitForScreen(k, 'amount');
      select(k, 'fast:2000');
      await waitForScreen(k, 'showQr', 5000);
      cancel(k, way);
      await waitForScreen(k, 'welcome', 5000);

      select(k, 'code');
      await waitForScreen(k, 'codeEntry');
      cancel(k, way);
      await waitForScreen(k, 'welcome', 5000);
    });
  }

  it('a screen without Cancel refuses it (processing)', async () => {
    kiosk = await startTestKiosk();
    const k = kiosk;
    await waitForScreen(k, 'welcome');
    expect(k.ui.handleIntent({ type: 'cancel' })).toEqual({ ok: false, error: 'cancel not accepted on welcome' });
  });
});

describe('language per session', () => {
  it('a customer who chose Chinese does not leave the next customer in Chinese', async () => {
    kiosk = await startTestKiosk();
    const k = kiosk;
    const c = card('visa-debit');
    await waitForScreen(k, 'welcome');
    select(k, 'lang:zh');
    await waitForScreen(k, 'welcome', 5000, (m) => m.lang === 'zh');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin', 5000, (m) => m.lang === 'zh');
    cancel(k, 'key');
    await waitForScreen(k, 'takeCard');
    while (k.sims.cardReader.cardInReader()?.position !== 'gate') await new Promise((r) => setTimeout(r, 5));
    sim(k, { type: 'takeCard' });
    const next = await waitForScreen(k, 'welcome');
    expect(next.lang).toBe('en');
  });
});
