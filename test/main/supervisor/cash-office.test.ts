/**
 * The cash office against the real dispenser and printer simulators and a real SQLite journal: input checks,
 * exchange counters and baselines, day/trial totals periods, balancing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../journals/database';
import { Journal } from '../../../journals/journal';
import { TransactionStore } from '../../../journals/transactions';
import { DispenserSimulator } from '../../../devices/simulators/dispenser-sim';
import { PrinterSimulator } from '../../../devices/simulators/printer-sim';
import { CashInputError, CashOffice, parseCount, type UnitAction } from '../../../main/supervisor/cash-office';
import { parseDenomination } from '../../../main/supervisor/panel';
import { checkInvariants } from '../../../main/core/invariants';

let db: Db;
let journal: Journal;
let txns: TransactionStore;
let dispenser: DispenserSimulator;
let printer: PrinterSimulator;
let cash: CashOffice;

beforeEach(() => {
  db = openDatabase(':memory:');
  journal = new Journal(db, 'T1');
  txns = new TransactionStore(db, journal);
  dispenser = new DispenserSimulator({ timeScale: 0, currency: 'USD', cassettes: [{ id: 'CST1', denomination: 2000, count: 100, capacity: 500, lowThreshold: 10 }, { id: 'CST2', denomination: 5000, count: 50, capacity: 500, lowThreshold: 10 }] });
  printer = new PrinterSimulator({ timeScale: 0, paperLength: 400 });
  cash = new CashOffice({ db, journal, txns, dispenser, printer, terminal: 'T1', currency: 'USD', formatMoney: (m) => `$${(m / 100).toFixed(2)}` });
});

const unit = (id: string) => dispenser.cashUnits().find((u) => u.id === id)!;

/** A customer withdrawal as the session services record it (journal + counters), with real notes moved. */
async function customerTakes(counts: Record<string, number>, amount: number) {
  const txn = txns.begin('withdrawal', 'USD', null);
  txns.recordDispenseIntent(txn, counts, amount);
  await dispenser.dispense({ counts });
  txns.recordDispenseOutcome(txn, counts, amount, true);
  await dispenser.present();
  dispenser.takeCash();
  txns.update(txn, { state: 'completed' }, 'cash.taken', { amount });
  txns.addCounter('type:withdrawal:approved', 1);
}

describe('input checks', () => {
  it('counts are whole numbers typed as digits; denominations in whole units', () => {
    expect(parseCount('0')).toBe(0);
    expect(parseCount('2500')).toBe(2500);
    for (const bad of ['', '12a', '-1', '1.5', '1234567']) expect(() => parseCount(bad), bad).toThrow(CashInputError);
    expect(parseDenomination('50', 100)).toBe(5000);
    expect(() => parseDenomination('0', 100)).toThrow(CashInputError);
  });

  it('refuses a count beyond capacity and anything but emptying for a bin, naming the unit', () => {
    expect(() => cash.validate(unit('CST1'), { kind: 'set', count: 501 })).toThrow(expect.objectContaining({ key: 'sup.overCapacity', params: { unit: 'CST1', capacity: 500 } }));
    expect(() => cash.validate(unit('CST1'), { kind: 'add', notes: 401 })).toThrow(expect.objectContaining({ key: 'sup.overCapacity' }));
    expect(cash.validate(unit('CST1'), { kind: 'add', notes: 400 })).toBe(500);
    expect(() => cash.validate(unit('REJ'), { kind: 'set', count: 3 })).toThrow(expect.objectContaining({ key: 'sup.binOnlyEmpty' }));
  });
});

describe('exchange', () => {
  it('StartExchange blocks dispensing; EndExchange applies the counts, counters and a journal row with before/after', async () => {
    await customerTakes({ CST1: 3 }, 6000);
    await cash.startExchange('2001');
    expect((await dispenser.denominate({ amount: 2000, currency: 'USD', mix: 'minimumNotes' })).completionCode).not.toBe('success');
    const plan = new Map<string, UnitAction>([
      ['CST1', { kind: 'set', count: 400 }],
      ['CST2', { kind: 'add', notes: 25 }],
    ]);
    const changes = await cash.endExchange(plan, '2001', '1000');
    expect(changes.map((c) => [c.id, c.before, c.after])).toEqual([
      ['CST1', 97, 400],
      ['CST2', 50, 75],
    ]);
    expect(unit('CST1')).toMatchObject({ count: 400, initial: 400, dispensed: 0 });
    expect(txns.counters('unit:')).toMatchObject({ 'unit:CST1:loaded': 400, 'unit:CST1:removed': 97, 'unit:CST2:loaded': 25, 'unit:CST1:dispensed': 3 });
    expect(journal.query({ kind: 'cash.exchange' })[0]!.data).toMatchObject({ by: '2001', confirmedBy: '1000', deliveredBefore: 6000 });
    // The journal's expectation follows the dispensed counters from the new baseline.
    await customerTakes({ CST1: 2 }, 4000);
    expect(cash.journalExpected(unit('CST1'))).toBe(398);
    txns.addCounter('unit:CST1:test', 1); // a technician's test note
    expect(cash.journalExpected(unit('CST1'))).toBe(397);
    const inv = checkInvariants({ journal, txns, units: dispenser.cashUnits(), hostNetDebits: null, reversalQueueDepth: 0 });
    expect(inv.checks.filter((c) => !c.ok)).toEqual([]);
    expect(inv.cassetteDelivered).toBe(10000);
  });

  it('a plan beyond capacity leaves counts unchanged, nothing half-recorded, and the exchange open', async () => {
    await cash.startExchange('2001');
    await expect(cash.endExchange(new Map([['CST1', { kind: 'set', count: 900 }]]), '2001', null)).rejects.toMatchObject({ key: 'sup.overCapacity' });
    expect(unit('CST1').count).toBe(100);
    expect(journal.query({ kind: 'cash.exchange' })).toEqual([]);
    expect(txns.counters('unit:')).toEqual({});
    expect(dispenser.status().exchangeActive).toBe(true);
  });
});

describe('totals and balancing', () => {
  it('a trial total keeps the period open; a day total closes it', async () => {
    await customerTakes({ CST1: 1 }, 2000);
    expect(cash.totals('trial', '2001')).toMatchObject({ transactions: { 'withdrawal:approved': 1 }, notes: { CST1: 1 }, delivered: 2000 });
    expect(cash.totals('day', '2001')).toMatchObject({ transactions: { 'withdrawal:approved': 1 }, delivered: 2000 });
    expect(cash.totals('trial', '2001')).toMatchObject({ transactions: {}, notes: {}, delivered: 0 });
    await customerTakes({ CST2: 1 }, 5000);
    expect(cash.totals('trial', '2001')).toMatchObject({ transactions: { 'withdrawal:approved': 1 }, notes: { CST2: 1 }, delivered: 5000 });
    expect(journal.query({ kind: 'cash.dayTotal' })).toHaveLength(1);
    expect(await cash.printTotals(cash.totals('day', '2001'))).toBe(true);
    expect(printer.receiptAtSlot()!.lines.join('\n')).toMatch(/DAY TOTAL[\s\S]*withdrawal approved 1[\s\S]*PERIOD CLOSED/);
  });

  it('balancing needs a count for every unit and reports differences against the device', async () => {
    expect(() => cash.balance(new Map([['CST1', 100]]), '2001')).toThrow(expect.objectContaining({ key: 'sup.countMissing' }));
    const lines = cash.balance(new Map([['CST1', 98], ['CST2', 50], ['REJ', 0], ['RET', 0]]), '2001');
    expect(lines.find((l) => l.id === 'CST1')).toMatchObject({ device: 100, physical: 98, difference: -2 });
    expect(journal.query({ kind: 'cash.balancing' })[0]!.data).toMatchObject({ balanced: false, differenceValue: -4000 });
  });
});
