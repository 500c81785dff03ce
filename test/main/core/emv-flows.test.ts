/**
 * Chip (EMV) withdrawals through the whole core: the simulated chip card computes real ARQCs, the embedded
 * host verifies them and answers with an ARPC, the kernel completes with the second GENERATE AC.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Kiosk } from '../../../main/core/kiosk';
import type { KioskConfigInput } from '../../../main/config/config';
import { autoChooseApplication, card, select, sim, startTestKiosk, typePin, waitForScreen } from '../../support/kiosk-harness';

let kiosk: (Kiosk & { dataDir: string }) | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

async function withdraw(k: Kiosk, cardId: string, amount: number) {
  const c = card(cardId);
  await waitForScreen(k, 'welcome');
  sim(k, { type: 'insertCard', cardId: c.id });
  await waitForScreen(k, 'enterPin');
  typePin(k, c.pin);
  await waitForScreen(k, 'menu');
  select(k, 'withdrawal');
  await waitForScreen(k, 'amount');
  select(k, `fast:${amount}`);
  await waitForScreen(k, 'receiptQuestion');
  select(k, 'receiptNo');
  return c;
}

async function takeAll(k: Kiosk) {
  await until(() => k.sims.cardReader.cardInReader()?.position === 'gate');
  sim(k, { type: 'takeCard' });
  await until(() => Object.keys(k.sims.dispenser.presentedNotes()).length > 0);
  sim(k, { type: 'takeCash' });
  await waitForScreen(k, 'welcome');
}

const start = async (cfg: KioskConfigInput = {}) => (kiosk = await startTestKiosk(cfg));

describe('EMV chip at the ATM', () => {
  for (const cardId of ['visa-debit', 'mc-debit', 'unionpay-debit']) {
    it(`${cardId}: ARQC verified by the host, ARPC accepted by the card, cash paid`, async () => {
      const k = await start();
      autoChooseApplication(k);
      const c = await withdraw(k, cardId, 4000);
      await takeAll(k);
      const arqc = k.journal.query({ kind: 'emv.arqc' });
      expect(arqc).toHaveLength(1);
      const done = k.journal.query({ kind: 'emv.completed' });
      expect(done[0]!.data).toMatchObject({ result: 'approved', issuerAuthentication: 'ok' });
      expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance - 4000);
      expect(JSON.stringify(k.journal.query())).not.toContain(c.pan);
    });
  }

  it('a card with two UnionPay applications: the cardholder chooses on screen', async () => {
    const k = await start();
    await withdraw(k, 'unionpay-debit', 2000);
    const m = await waitForScreen(k, 'chooseApplication');
    expect(m.options.map((o) => o.id)).toEqual(['app:A000000333010102', 'app:A000000333010101', 'cancel']);
    expect(m.options.map((o) => o.params?.name)).toEqual(['UnionPay Credit', 'UnionPay Debit', undefined]);
    select(k, 'app:A000000333010101');
    await takeAll(k);
    expect(k.journal.query({ kind: 'emv.arqc' })[0]!.data).toMatchObject({ aid: 'A000000333010101' });
  });

  it('card declines (AAC) after the host approved: reversed, no cash', async () => {
    const k = await start();
    sim(k, { type: 'fault', device: 'cardReader', fault: 'chipDeclinesAfterApproval' });
    const c = await withdraw(k, 'visa-debit', 2000);
    await waitForScreen(k, 'declined');
    expect(k.journal.query({ kind: 'emv.cardDeclinedAfterApproval' })).toHaveLength(1);
    expect(await k.host.drain(5000)).toBe(true);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
    expect(k.sims.dispenser.cashUnits().reduce((n, u) => n + u.dispensed, 0)).toBe(0);
  });

  it('chip read failure with fallback allowed: magstripe fallback (field 22 = 801), cash paid', async () => {
    const k = await start();
    sim(k, { type: 'fault', device: 'cardReader', fault: 'chipError' });
    const c = await withdraw(k, 'visa-debit', 2000);
    await takeAll(k);
    expect(k.journal.query({ kind: 'card.read' })[0]!.data).toMatchObject({ chip: false });
    expect(k.journal.query({ kind: 'emv.failed' })[0]!.data).toMatchObject({ stage: 'answer to reset', fallback: '801' });
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance - 2000);
  });

  it('chip dead at insertion of a UnionPay card in China: refused without fallback', async () => {
    const k = await start({ terminal: { countryNumeric: '156', currencyNumeric: '156', currency: 'CNY', locale: 'zh-CN', country: 'CN' } });
    sim(k, { type: 'fault', device: 'cardReader', fault: 'chipError' });
    await withdraw(k, 'unionpay-debit', 2000);
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.chipUnusable');
    expect(k.journal.query({ kind: 'host.response' })).toEqual([]);
  });

  it('chip fails mid-transaction for a UnionPay card in China: no fallback, card returned, nothing sent', async () => {
    const k = await start({ terminal: { countryNumeric: '156', currencyNumeric: '156', currency: 'CNY', locale: 'zh-CN', country: 'CN' } });
    const c = card('unionpay-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    // The chip answered at insertion and dies before the transaction.
    sim(k, { type: 'fault', device: 'cardReader', fault: 'chipError' });
    select(k, 'balance');
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.chipUnusable');
    expect(k.journal.query({ kind: 'emv.failed' })[0]!.data).toMatchObject({ fallback: 'unionpay-china' });
    expect(k.journal.query({ kind: 'host.response' })).toEqual([]);
  });

  it('chip fails mid-transaction for a Visa card: fallback to magstripe data is allowed', async () => {
    const k = await start();
    const c = card('visa-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    sim(k, { type: 'fault', device: 'cardReader', fault: 'chipError' });
    select(k, 'balance');
    const m = await waitForScreen(k, 'balance');
    expect(m.params.available).toBe(c.balance);
    expect(k.journal.query({ kind: 'emv.failed' })[0]!.data).toMatchObject({ fallback: '801' });
  });
});
