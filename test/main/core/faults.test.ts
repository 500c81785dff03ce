/**
 * Device and host faults during customer flows, through the real core: each ends on a clear screen, with the
 * customer's account debited exactly by the cash they received and every note accounted for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Kiosk } from '../../../main/core/kiosk';
import type { SimCommand } from '../../../main/common/contract';
import { card, select, sim, startTestKiosk, typePin, waitForScreen } from '../../support/kiosk-harness';
import { checkInvariants } from '../../../main/core/invariants';

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

async function toAmount(k: Kiosk, cardId = 'visa-debit') {
  const c = card(cardId);
  await waitForScreen(k, 'welcome');
  sim(k, { type: 'insertCard', cardId: c.id });
  await waitForScreen(k, 'enterPin');
  typePin(k, c.pin);
  await waitForScreen(k, 'menu');
  select(k, 'withdrawal');
  await waitForScreen(k, 'amount');
  return c;
}

async function withdraw(k: Kiosk, amount: number, receipt: boolean) {
  select(k, `fast:${amount}`);
  await waitForScreen(k, 'receiptQuestion');
  select(k, receipt ? 'receiptYes' : 'receiptNo');
}

function moneyOk(k: Kiosk) {
  const inv = checkInvariants({ journal: k.journal, txns: k.txns, units: k.sims.dispenser.cashUnits(), hostNetDebits: k.hostSim!.bank.netDebits(k.config.terminal.id), reversalQueueDepth: k.reversals.depth() });
  expect(inv.checks.filter((c) => !c.ok)).toEqual([]);
  return inv;
}

async function start(faults: SimCommand[] = [], timers = {}) {
  kiosk = await startTestKiosk({ host: { requestTimeoutMs: 400 } }, timers);
  for (const f of faults) sim(kiosk, f);
  return kiosk;
}

describe('faults during a withdrawal', () => {
  it('unreadable card: card returned with a clear message', async () => {
    const k = await start([{ type: 'fault', device: 'cardReader', fault: 'readError' }]);
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: 'visa-debit' });
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.cardUnreadable');
  });

  it('expired card: refused before the host, card returned', async () => {
    const k = await start();
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: 'expired' });
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.cardExpired');
    expect(k.journal.query({ kind: 'host.request' })).toEqual([]);
  });

  it('stolen card: the host says 43 and the card is captured', async () => {
    const k = await start();
    await toAmount(k, 'stolen');
    await withdraw(k, 2000, false);
    await waitForScreen(k, 'cardRetained');
    await until(() => k.sims.cardReader.status().retainBin.count === 1);
    moneyOk(k);
  });

  it('card not taken at the end: retained, counted in the retain bin', async () => {
    const k = await start([], { cardTakeMs: 150 });
    const c = card('visa-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'cancel');
    await waitForScreen(k, 'cardRetained');
    await until(() => k.sims.cardReader.status().retainBin.count === 1);
    expect(k.journal.query({ kind: 'card.retained' })).toHaveLength(1);
  });

  it('card not taken before cash: card retained, stacked notes rejected, full reversal', async () => {
    const k = await start([], { cardTakeMs: 150 });
    const c = await toAmount(k);
    await withdraw(k, 6000, false);
    await waitForScreen(k, 'goodbye', 5000, (m) => m.message === 'msg.transactionCanceled');
    expect(await k.host.drain(5000)).toBe(true);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
    expect(k.sims.dispenser.cashUnits().find((u) => u.type === 'reject')!.count).toBe(3);
    expect(moneyOk(k).cassetteDelivered).toBe(0);
  });

  it('printer out of paper: the cash is still paid, the customer is told there is no receipt', async () => {
    const k = await start([{ type: 'fault', device: 'printer', fault: 'paperOut' }]);
    const c = await toAmount(k);
    await withdraw(k, 2000, true);
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.cashFollows');
    await until(() => k.sims.cardReader.cardInReader()?.position === 'gate');
    sim(k, { type: 'takeCard' });
    await until(() => Object.keys(k.sims.dispenser.presentedNotes()).length > 0);
    sim(k, { type: 'takeCash' });
    await waitForScreen(k, 'goodbye', 5000, (m) => m.message === 'msg.receiptUnavailable');
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance - 2000);
    expect(moneyOk(k).cassetteDelivered).toBe(2000);
  });

  it('paper runs out mid-receipt: receipt unavailable, journaled', async () => {
    const k = await start([{ type: 'fault', device: 'printer', fault: 'paperOutMidReceipt' }]);
    await toAmount(k);
    await withdraw(k, 2000, true);
    await until(() => k.sims.cardReader.cardInReader()?.position === 'gate');
    sim(k, { type: 'takeCard' });
    await until(() => Object.keys(k.sims.dispenser.presentedNotes()).length > 0);
    sim(k, { type: 'takeCash' });
    await waitForScreen(k, 'goodbye', 5000, (m) => m.message === 'msg.receiptUnavailable');
    expect(k.journal.query({ kind: 'receipt.printed' })[0]!.data).toMatchObject({ completion: 'commandErrorCode', error: 'paperOut' });
  });

  it('dispenser offline: the amount is refused before the host is asked', async () => {
    const k = await start();
    const c = await toAmount(k);
    sim(k, { type: 'fault', device: 'dispenser', fault: 'offline' });
    select(k, 'fast:2000');
    await waitForScreen(k, 'declined', 5000, (m) => m.message === 'msg.amountNotAvailable');
    expect(k.journal.query({ kind: 'host.request' })).toEqual([]);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
  });

  it('shutter jams on present: notes rejected, full reversal, customer told', async () => {
    const k = await start();
    const c = await toAmount(k);
    await withdraw(k, 4000, false);
    sim(k, { type: 'fault', device: 'dispenser', fault: 'shutterJam' });
    await until(() => k.sims.cardReader.cardInReader()?.position === 'gate');
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'goodbye', 5000, (m) => m.message === 'msg.dispenseFailed');
    expect(await k.host.drain(5000)).toBe(true);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
    expect(moneyOk(k).cassetteDelivered).toBe(0);
  });

  it('double notes rejected during picking: the right amount is still paid', async () => {
    const k = await start([{ type: 'fault', device: 'dispenser', fault: 'rejectNotes:2' }]);
    const c = await toAmount(k);
    await withdraw(k, 6000, false);
    await until(() => k.sims.cardReader.cardInReader()?.position === 'gate');
    sim(k, { type: 'takeCard' });
    await until(() => Object.keys(k.sims.dispenser.presentedNotes()).length > 0);
    expect(k.sims.dispenser.presentedNotes()).toEqual({ CST1: 3 });
    sim(k, { type: 'takeCash' });
    await waitForScreen(k, 'welcome');
    expect(k.sims.dispenser.cashUnits().find((u) => u.type === 'reject')!.count).toBe(2);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance - 6000);
    expect(moneyOk(k).cassetteDelivered).toBe(6000);
  });

  for (const fault of ['drop', 'garble', 'disconnect'] as const) {
    it(`host ${fault} during the authorisation: unable to process, reversal delivered once the host is back`, async () => {
      const k = await start();
      const c = await toAmount(k);
      sim(k, { type: 'fault', device: 'host', fault });
      await withdraw(k, 2000, false);
      await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.hostUnavailable');
      sim(k, { type: 'fault', device: 'host', fault: 'none' });
      expect(await k.host.drain(10_000)).toBe(true);
      expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
      expect(k.sims.dispenser.cashUnits().reduce((n, u) => n + u.dispensed, 0)).toBe(0);
      moneyOk(k);
    });
  }

  it('issuer down (91): declined screen, nothing dispensed', async () => {
    const k = await start();
    const c = await toAmount(k);
    sim(k, { type: 'fault', device: 'host', fault: 'issuerDown' });
    await withdraw(k, 2000, false);
    await waitForScreen(k, 'declined', 5000, (m) => m.message === 'msg.hostUnavailable');
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
  });

  it('issuer down (91) while a one-time code is checked: "host unavailable", not "code rejected", and the code stays usable', async () => {
    kiosk = await startTestKiosk({ cardless: { oneTimeCode: true, oneTimeCodePin: false } });
    const k = kiosk;
    const c = card('visa-debit');
    const code = k.hostSim!.issueOneTimeCode(c.id, 2000);
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'fault', device: 'host', fault: 'issuerDown' });
    select(k, 'code');
    await waitForScreen(k, 'codeEntry');
    for (const d of code) sim(k, { type: 'key', key: d as '0' });
    sim(k, { type: 'key', key: 'enter' });
    await waitForScreen(k, 'goodbye', 5000, (m) => m.message === 'msg.hostUnavailable');
    expect(k.journal.query({ kind: 'cardless.rejected' })).toEqual([]);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
  });

  it('host delay past the timeout on a balance inquiry: unable to process, no reversal for an inquiry', async () => {
    const k = await start();
    const c = card('visa-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    sim(k, { type: 'fault', device: 'host', fault: 'drop' });
    select(k, 'balance');
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.hostUnavailable');
    expect(k.reversals.depth()).toBe(0);
  });

  it('three wrong PINs: the host says 75 and the card is captured', async () => {
    const k = await start();
    const c = card('mc-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, '0000');
    await waitForScreen(k, 'menu');
    select(k, 'balance');
    for (let i = 0; i < 2; i++) {
      await waitForScreen(k, 'declined', 5000, (m) => m.message === 'msg.wrongPin');
      select(k, 'retry');
      await waitForScreen(k, 'enterPin');
      typePin(k, '0000');
    }
    await waitForScreen(k, 'cardRetained', 5000, (m) => m.message === 'msg.pinTriesExceeded');
    await until(() => k.sims.cardReader.status().retainBin.count === 1);
  });

  it('card jams on the way out: retained and the reader reports the fault', async () => {
    const k = await start();
    const c = card('visa-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    sim(k, { type: 'fault', device: 'cardReader', fault: 'cardJam' });
    sim(k, { type: 'key', key: 'cancel' });
    await waitForScreen(k, 'cardRetained');
    expect(k.journal.query({ kind: 'card.ejected' })[0]!.data).toMatchObject({ completion: 'commandErrorCode' });
  });
});

describe('sensors and configured faults', () => {
  it('opening the safe door between customers takes the ATM to supervisor mode, closing brings it back', async () => {
    const k = await start();
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'safeDoor', state: 'open' });
    await until(() => k.status().app === 'supervisor');
    sim(k, { type: 'safeDoor', state: 'closed' });
    await waitForScreen(k, 'welcome');
  });

  it('faults can be injected from the configuration file', async () => {
    kiosk = await startTestKiosk({ simulator: { faults: { printer: 'paperOut', dispenser: 'jamAfterNotes:1' } } });
    expect(kiosk.sims.fasciaModel().faults).toMatchObject({ printer: 'paperOut', dispenser: 'jamAfterNotes:1' });
    await kiosk.stop();
    kiosk = null;
    await expect(startTestKiosk({ simulator: { faults: { printer: 'onFire' } } })).rejects.toThrow(/simulator\.faults\.printer/);
  });
});
