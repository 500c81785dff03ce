/**
 * Transfers between the card's own accounts through the whole core: menu -> direction -> amount on the PIN pad ->
 * confirm -> host (0200, processing code 40 + from + to, with the chip's ARQC) -> done -> receipt. Checked against
 * the embedded host's balances, the transaction record, the journal, the counters and the cassettes (no cash moves).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Kiosk } from '../../../main/core/kiosk';
import type { KioskConfigInput } from '../../../main/config/config';
import { select, sim, startTestKiosk, toMenu, typePin, waitForScreen } from '../../support/kiosk-harness';
import { Diagnostics } from '../../../main/supervisor/diagnostics';
import { formatMoney } from '../../../main/common/money';

let kiosk: (Kiosk & { dataDir: string }) | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

const cassettes = (k: Kiosk) => k.sims.dispenser.cashUnits().map((u) => [u.id, u.count]);

async function enterTransfer(k: Kiosk, direction: string, amountMajor: string) {
  select(k, 'transfer');
  await waitForScreen(k, 'transferAccounts');
  select(k, direction);
  await waitForScreen(k, 'transferAmount');
  typePin(k, amountMajor);
}

async function returnCard(k: Kiosk) {
  await waitForScreen(k, 'takeCard');
  sim(k, { type: 'takeCard' });
}

const start = async (cfg: KioskConfigInput = {}) => (kiosk = await startTestKiosk(cfg));

describe('transfer between own accounts', () => {
  it('savings to checking on a chip card: balances moved at the host, record, journal, receipt, no cash', async () => {
    const k = await start();
    const bank = k.hostSim!.bank;
    const units = cassettes(k);
    const c = await toMenu(k, 'visa-debit');
    const checking = bank.balanceOfPan(c.pan)!;
    const savings = bank.savingsOfPan(c.pan)!;
    await enterTransfer(k, 'xfer:savings:checking', '125');
    const confirm = await waitForScreen(k, 'transferConfirm');
    expect(confirm).toMatchObject({ message: 'msg.transfer.savings.checking', params: { amount: 12500 } });
    select(k, 'confirm');
    const done = await waitForScreen(k, 'transferDone');
    expect(done.params).toEqual({ amount: 12500, available: savings - 12500 });
    select(k, 'printReceipt');
    // The receipt is printed while the card comes back (as for a printed balance).
    await returnCard(k);
    const receipt = k.sims.printer.receiptAtSlot()!.lines.join('\n');
    expect(receipt).toContain('TRANSFER SAVINGS TO CHECKING');
    expect(receipt).toContain('$125.00');
    expect(receipt).not.toContain(c.pan);
    sim(k, { type: 'takeReceipt' });
    await waitForScreen(k, 'welcome');

    expect(bank.balanceOfPan(c.pan)).toBe(checking + 12500);
    expect(bank.savingsOfPan(c.pan)).toBe(savings - 12500);
    const request = k.journal.query({ kind: 'host.request' })[0]!;
    expect(request.data).toMatchObject({ mti: '0200', amount: 12500, from: 'savings', to: 'checking' });
    expect(k.txns.get(request.txn!)).toMatchObject({ type: 'transfer', state: 'completed', amount: 12500, responseCode: '00' });
    expect(k.journal.query({ kind: 'emv.arqc' }).map((e) => e.txn)).toEqual([request.txn]);
    expect(k.txns.counters('type:')).toEqual({ 'type:transfer:approved': 1 });
    expect(cassettes(k)).toEqual(units);
    expect(k.journal.query({ kind: 'dispense.requested' })).toEqual([]);
    expect(k.journal.verify().ok).toBe(true);
    expect(JSON.stringify(k.journal.query())).not.toContain(c.pan);

    // Branch staff reprinting the last receipt get the transfer, not a blank withdrawal.
    const diag = new Diagnostics({ db: k.db, journal: k.journal, txns: k.txns, devices: k.devices, terminal: k.config.terminal.id, formatMoney: (m) => formatMoney(m, 'USD', 'en-US'), keys: () => [], pinKeySelfTest: () => true });
    expect(await diag.reprint(1, 'test')).toEqual({ receipts: 1, printed: true });
    const duplicate = k.sims.printer.receiptAtSlot()!.lines.join('\n');
    expect(duplicate).toContain('TRANSFER SAVINGS TO CHECKING');
    expect(duplicate).toContain('AMOUNT $125.00');
  });

  it('more than the savings balance: insufficient funds, nothing moves', async () => {
    const k = await start();
    const bank = k.hostSim!.bank;
    const c = await toMenu(k, 'mc-debit');
    const savings = bank.savingsOfPan(c.pan)!;
    const tooMuch = String(Math.floor(savings / 100) + 1);
    await enterTransfer(k, 'xfer:savings:checking', tooMuch);
    await waitForScreen(k, 'transferConfirm');
    select(k, 'confirm');
    await waitForScreen(k, 'declined', 5000, (m) => m.message === 'msg.insufficientFunds');
    select(k, 'done');
    await returnCard(k);
    await waitForScreen(k, 'welcome');
    expect(bank.balanceOfPan(c.pan)).toBe(c.balance);
    expect(bank.savingsOfPan(c.pan)).toBe(savings);
    expect(k.txns.counters('type:')).toEqual({ 'type:transfer:declined': 1 });
  });

  it('an amount over the limit is refused on the ATM, a new one can be typed; cancel at confirmation sends nothing', async () => {
    const k = await start({ terminal: { maxTransfer: 100000 } });
    await toMenu(k, 'visa-debit');
    await enterTransfer(k, 'xfer:checking:savings', '1001');
    await waitForScreen(k, 'declined', 5000, (m) => m.message === 'msg.transferAmountInvalid' && m.params.amount === 100000);
    await waitForScreen(k, 'transferAmount', 5000, (m) => m.amountEntry === '');
    typePin(k, '1000');
    await waitForScreen(k, 'transferConfirm', 5000, (m) => m.params.amount === 100000 && m.message === 'msg.transfer.checking.savings');
    select(k, 'change');
    await waitForScreen(k, 'transferAmount', 5000, (m) => m.amountEntry === '');
    typePin(k, '5');
    await waitForScreen(k, 'transferConfirm', 5000, (m) => m.params.amount === 500);
    select(k, 'cancel');
    await returnCard(k);
    await waitForScreen(k, 'welcome');
    expect(k.journal.query({ kind: 'host.request' })).toEqual([]);
  });

  it('host not answering: unable to process, the transfer is reversed in full and the balances come back', async () => {
    const k = await start({ host: { requestTimeoutMs: 300 } });
    const bank = k.hostSim!.bank;
    const c = await toMenu(k, 'visa-debit');
    const savings = bank.savingsOfPan(c.pan)!;
    await enterTransfer(k, 'xfer:checking:savings', '40');
    await waitForScreen(k, 'transferConfirm');
    sim(k, { type: 'fault', device: 'host', fault: 'drop' });
    select(k, 'confirm');
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.hostUnavailable');
    const txn = k.journal.query({ kind: 'host.request' })[0]!.txn!;
    expect(k.txns.get(txn)).toMatchObject({ type: 'transfer', state: 'failed' });
    expect(k.journal.query({ kind: 'reversal.queued' }).map((e) => [e.txn, e.data.amount, e.data.dispensed])).toEqual([[txn, 4000, 0]]);
    sim(k, { type: 'takeCard' });
    sim(k, { type: 'fault', device: 'host', fault: 'none' });
    expect(await k.host.drain(8000)).toBe(true);
    expect(bank.balanceOfPan(c.pan)).toBe(c.balance);
    expect(bank.savingsOfPan(c.pan)).toBe(savings);
  });

  it('a bank that does not offer transfers: no menu entry, and a forged selection is refused', async () => {
    const k = await start({ terminal: { transfers: false } });
    await toMenu(k, 'visa-debit');
    expect(k.ui.screen().options.map((o) => o.id)).not.toContain('transfer');
    expect(() => select(k, 'transfer')).toThrow(/not offered/);
    expect(k.ui.screen().screen).toBe('menu');
  });
});
