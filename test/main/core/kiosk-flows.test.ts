import { afterEach, describe, expect, it } from 'vitest';
import type { Kiosk } from '../../../main/core/kiosk';
import { autoChooseApplication, card, select, sim, startTestKiosk, startWithdrawal, typePin, waitForScreen } from '../../support/kiosk-harness';
import { deriveConditions } from '../../../main/monitoring/alerts';

let kiosk: (Kiosk & { dataDir: string }) | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

const unit = (k: Kiosk, id: string) => k.sims.dispenser.cashUnits().find((u) => u.id === id)!;

describe('kiosk core, headless, through the real host link', () => {
  it('serves a full cash withdrawal: card, PIN, menu, amount, host, card back, cash, receipt', async () => {
    kiosk = await startTestKiosk();
    const k = kiosk;
    await waitForScreen(k, 'welcome');
    const c = card('visa-debit');
    const before = k.hostSim!.bank.balanceOfPan(c.pan)!;
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'fast:6000');
    await waitForScreen(k, 'receiptQuestion');
    select(k, 'receiptYes');
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.cashFollows');
    expect(k.sims.cardReader.cardInReader()?.position).toBe('gate');
    expect(k.sims.dispenser.presentedNotes()).toEqual({});
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'takeCash');
    expect(k.sims.dispenser.presentedNotes()).toEqual({ CST1: 3 });
    sim(k, { type: 'takeCash' });
    await waitForScreen(k, 'takeReceipt');
    const receipt = k.sims.printer.receiptAtSlot()!;
    expect(receipt.lines.join('\n')).toContain('CASH WITHDRAWAL');
    expect(receipt.lines.join('\n')).toContain('$60.00');
    expect(receipt.lines.join('\n')).not.toContain(c.pan);
    sim(k, { type: 'takeReceipt' });
    await waitForScreen(k, 'welcome');

    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(before - 6000);
    expect(unit(k, 'CST1')).toMatchObject({ count: 497, dispensed: 3, presented: 3 });
    const kinds = k.journal.query().map((e) => e.kind);
    for (const kind of ['card.read', 'host.request', 'host.response', 'dispense.requested', 'dispense.completed', 'card.ejected', 'cash.presented', 'cash.taken', 'receipt.printed'])
      expect(kinds, kind).toContain(kind);
    expect(kinds.indexOf('dispense.requested')).toBeLessThan(kinds.indexOf('dispense.completed'));
    expect(kinds.indexOf('card.ejected')).toBeLessThan(kinds.indexOf('cash.presented'));
    expect(k.journal.verify().ok).toBe(true);
    const all = JSON.stringify(k.journal.query());
    expect(all).not.toContain(c.pan);
    expect(all).not.toContain(`=${c.expiry}`);
    expect(k.txns.counters('unit:')).toEqual({ 'unit:CST1:dispensed': 3 });
  });

  it('balance inquiry shows the host balance and returns the card', async () => {
    kiosk = await startTestKiosk();
    const k = kiosk;
    const c = card('mc-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'balance');
    const m = await waitForScreen(k, 'balance');
    expect(m.params.available).toBe(c.balance);
    select(k, 'done');
    await waitForScreen(k, 'takeCard');
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'welcome');
  });

  it('wrong PIN shows a clear screen and lets the customer retry', async () => {
    kiosk = await startTestKiosk();
    const k = kiosk;
    const c = card('visa-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, '9999');
    await waitForScreen(k, 'menu');
    select(k, 'balance');
    await waitForScreen(k, 'declined', 5000, (m) => m.message === 'msg.wrongPin');
    select(k, 'retry');
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    const m = await waitForScreen(k, 'balance');
    expect(m.params.available).toBe(c.balance);
  });

  it('insufficient funds shows a clear screen, nothing is dispensed', async () => {
    kiosk = await startTestKiosk();
    const k = kiosk;
    const c = card('mc-debit'); // balance 80.00
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'fast:10000');
    const denom = await waitForScreen(k, 'denomination');
    expect(denom.options.map((o) => o.id)).toEqual(['mix:auto', 'mix:2000', 'mix:5000', 'cancel']);
    select(k, 'mix:auto');
    await waitForScreen(k, 'receiptQuestion');
    select(k, 'receiptNo');
    await waitForScreen(k, 'declined', 5000, (m) => m.message === 'msg.insufficientFunds');
    select(k, 'done');
    await waitForScreen(k, 'takeCard');
    expect(k.sims.dispenser.cashUnits().reduce((s, u) => s + u.dispensed, 0)).toBe(0);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
  });

  it('cash not taken is retracted and the withdrawal reversed at the host', async () => {
    kiosk = await startTestKiosk({}, { cashTakeMs: 200 });
    const k = kiosk;
    autoChooseApplication(k);
    const c = card('unionpay-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'fast:4000');
    await waitForScreen(k, 'receiptQuestion');
    select(k, 'receiptNo');
    await waitForScreen(k, 'takeCard');
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'takeCash');
    await waitForScreen(k, 'goodbye', 5000, (m) => m.message === 'msg.cashRetracted');
    expect(await k.host.drain(5000)).toBe(true);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
    expect(k.sims.dispenser.cashUnits().find((u) => u.type === 'retract')!.count).toBe(2);
    expect(k.journal.query().map((e) => e.kind)).toEqual(expect.arrayContaining(['cash.retracted', 'reversal.queued', 'reversal.acknowledged']));
  });

  it('where retracting is forbidden, cash not taken stays in the slot: debited, not reversed, alerted, completed when taken', async () => {
    kiosk = await startTestKiosk({ terminal: { cashNotTaken: 'leave' } }, { cashTakeMs: 200 });
    const k = kiosk;
    autoChooseApplication(k);
    const c = await startWithdrawal(k, { cardId: 'unionpay-debit', amount: 4000 });
    await waitForScreen(k, 'takeCard');
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'takeCash', 5000, (m) => m.message === 'msg.cashLeft' && m.params.amount === 4000 && m.timeoutAt === undefined);
    const txn = k.journal.query({ kind: 'cash.leftInSlot' })[0]!.txn!;
    expect(k.journal.query({ kind: 'cash.leftInSlot' })[0]!.data).toEqual({ amount: 4000, policy: 'leave' });
    expect(k.status().cashLeftInSlot).toBe(true);
    expect(deriveConditions(k.status(), false).map((a) => a.id)).toContain('cash.leftInSlot');
    // Long after the timer the notes are still there and nothing was retracted or reversed.
    await new Promise((r) => setTimeout(r, 400));
    expect(k.ui.screen().screen).toBe('takeCash');
    expect(k.sims.dispenser.presentedNotes()).not.toEqual({});
    expect(k.reversals.depth()).toBe(0);
    expect(k.journal.query({ kind: 'cash.retracted' })).toEqual([]);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance - 4000);
    sim(k, { type: 'takeCash' });
    await waitForScreen(k, 'welcome');
    expect(k.txns.get(txn)!.state).toBe('completed');
    expect(k.status().cashLeftInSlot).toBe(false);
    expect(k.sims.dispenser.cashUnits().find((u) => u.type === 'retract')!.count).toBe(0);
  });

  it('the customer can choose the notes: 100 in twenties', async () => {
    kiosk = await startTestKiosk();
    const k = kiosk;
    const c = card('visa-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'fast:10000');
    await waitForScreen(k, 'denomination');
    select(k, 'mix:2000');
    await waitForScreen(k, 'receiptQuestion');
    select(k, 'receiptNo');
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.cashFollows');
    while (k.sims.cardReader.cardInReader()?.position !== 'gate') await new Promise((r) => setTimeout(r, 5));
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'takeCash');
    while (!Object.keys(k.sims.dispenser.presentedNotes()).length) await new Promise((r) => setTimeout(r, 5));
    expect(k.sims.dispenser.presentedNotes()).toEqual({ CST1: 5 });
  });

  it('a dispenser jam rejects the picked notes and reverses in full', async () => {
    kiosk = await startTestKiosk();
    const k = kiosk;
    const c = card('visa-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'fault', device: 'dispenser', fault: 'jamAfterNotes:1' });
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'fast:6000');
    await waitForScreen(k, 'receiptQuestion');
    select(k, 'receiptNo');
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.dispenseFailed');
    expect(await k.host.drain(5000)).toBe(true);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
    expect(k.sims.dispenser.cashUnits().find((u) => u.type === 'reject')!.count).toBe(1);
  });

  it('host not answering: unable to process, full reversal queued and delivered once the host is back', async () => {
    kiosk = await startTestKiosk({ host: { requestTimeoutMs: 300 } });
    const k = kiosk;
    const c = card('visa-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    sim(k, { type: 'fault', device: 'host', fault: 'drop' });
    select(k, 'fast:2000');
    await waitForScreen(k, 'receiptQuestion');
    select(k, 'receiptNo');
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.hostUnavailable');
    expect(k.reversals.depth()).toBe(1);
    sim(k, { type: 'fault', device: 'host', fault: 'none' });
    expect(await k.host.drain(8000)).toBe(true);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
  });
});
