/**
 * Supervisor mode through a real kiosk core (simulated devices, embedded host, SQLite in a temp dir), driven
 * only through the fascia (operator switch, PIN pad keys) and the options on the published screens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { card, select, sim, startTestKiosk, waitForScreen, withdrawCash } from '../../support/kiosk-harness';
import { checkInvariants } from '../../../main/core/invariants';
import { SIMULATOR_FIRST_ADMIN } from '../../../main/supervisor';
import { addOperator, choose, enter, inputReady, login, logout, toSupervisor, waitFor, type K } from './helpers';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixOddParity } from '../../../main/crypto/parity';
import { kcv } from '../../../main/crypto/kcv';
import { xor } from '../../../main/crypto/bytes';

let kiosk: K | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

const ADMIN = SIMULATOR_FIRST_ADMIN.operatorId;
const ADMIN_PW = '48151623';
const CUST1 = { id: '2001', otp: '90817263', pw: '31415926' };
const CUST2 = { id: '2002', otp: '80716253', pw: '27182818' };
const TECH = { id: '3001', otp: '70615243', pw: '16180339' };

function moneyOk(k: K) {
  const inv = checkInvariants({ journal: k.journal, txns: k.txns, units: k.sims.dispenser.cashUnits(), hostNetDebits: k.hostSim!.bank.netDebits(k.config.terminal.id), reversalQueueDepth: k.reversals.depth() });
  expect(inv.checks.filter((c) => !c.ok)).toEqual([]);
  return inv;
}

async function withdraw(k: K, amount: number): Promise<void> {
  await withdrawCash(k, { amount, receipt: true });
}

/** First admin login (forced change), three operators, logout. */
async function setUpOperators(k: K): Promise<void> {
  await toSupervisor(k);
  const menu = await login(k, ADMIN, SIMULATOR_FIRST_ADMIN.password, ADMIN_PW);
  expect(menu.options.map((o) => o.id)).toEqual(['cash', 'journal', 'reprint', 'keys', 'operators', 'service', 'password', 'logout']);
  await choose(k, 'operators');
  await addOperator(k, CUST1.id, 'custodian', CUST1.otp);
  await addOperator(k, CUST2.id, 'custodian', CUST2.otp);
  await addOperator(k, TECH.id, 'technician', TECH.otp);
  await logout(k);
}

function journalText(k: K): string {
  return k.journal.query({ limit: 1_000_000 }).map((e) => JSON.stringify([e.kind, e.maskedPan, e.data])).join('\n');
}

describe('supervisor mode on a kiosk', () => {
  it('replenishment with dual control: counts change in the dispenser and the counters, totals printed, journaled, money invariant holds', async () => {
    const k = (kiosk = await startTestKiosk());
    await withdraw(k, 6000);
    const beforeUnits = k.sims.dispenser.cashUnits();
    const cst1Before = beforeUnits.find((u) => u.id === 'CST1')!.count;
    const cst2Before = beforeUnits.find((u) => u.id === 'CST2')!.count;
    await setUpOperators(k);

    const menu = await login(k, CUST1.id, CUST1.otp, CUST1.pw);
    expect(menu.options.map((o) => o.id)).toEqual(['cash', 'service', 'password', 'logout']);
    await choose(k, 'cash');
    await choose(k, 'exchange');
    await waitFor(k, (m) => m.title === 'sup.titleExchange', 'exchange screen');
    expect(k.devices.dispenser.status().exchangeActive).toBe(true);

    // CST1: a full new cassette of 1000 notes; an over-capacity count and a non-numeric count are refused first.
    await choose(k, 'unit:CST1');
    await choose(k, 'set');
    await enter(k, 'sup.newCount', '9999');
    await waitFor(k, (m) => m.message === 'sup.overCapacity' && m.params.capacity === 2500 && m.input?.label === 'sup.newCount', 'over capacity refused');
    sim(k, { type: 'key', key: 'enter' });
    await waitFor(k, (m) => m.message === 'sup.enterValue', 'empty value refused');
    await enter(k, 'sup.newCount', '1000');
    await waitFor(k, (m) => m.title === 'sup.titleExchange' && m.table!.rows.find((r) => r[0] === 'CST1')![3] === '1000', 'CST1 planned');
    // CST2: 200 notes added on top.
    await choose(k, 'unit:CST2');
    await choose(k, 'add');
    await enter(k, 'sup.notesAdded', '200');
    await waitFor(k, (m) => m.title === 'sup.titleExchange' && m.table!.rows.find((r) => r[0] === 'CST2')![3] === String(cst2Before + 200), 'CST2 planned');
    // Reject bin emptied.
    await choose(k, 'unit:REJ');
    await waitFor(k, (m) => m.table!.rows.find((r) => r[0] === 'REJ')![3] === '0', 'REJ planned');

    await choose(k, 'confirm');
    // Dual control: the same custodian is refused, so is a custodian who has not changed the one-time password.
    await enter(k, 'sup.operatorId', CUST1.id);
    await enter(k, 'sup.password', CUST1.pw);
    await waitFor(k, (m) => m.message === 'sup.dualSameOperator', 'same operator refused');
    await enter(k, 'sup.operatorId', CUST2.id);
    await enter(k, 'sup.password', CUST2.otp);
    await waitFor(k, (m) => m.message === 'sup.dualMustChange', 'must-change operator refused');
    expect(k.sims.dispenser.cashUnits().find((u) => u.id === 'CST1')!.count).toBe(cst1Before);
    await enter(k, 'sup.operatorId', ADMIN);
    await enter(k, 'sup.password', ADMIN_PW);
    const done = await waitFor(k, (m) => m.message === 'sup.exchangeDone', 'exchange done');
    expect(done.table!.rows).toEqual([
      ['CST1', '$20.00', String(cst1Before), '1000'],
      ['CST2', '$50.00', String(cst2Before), String(cst2Before + 200)],
      ['REJ', { key: 'sup.unitType.reject' }, '0', '0'],
    ]);

    const units = k.sims.dispenser.cashUnits();
    expect(units.find((u) => u.id === 'CST1')).toMatchObject({ count: 1000, initial: 1000, dispensed: 0 });
    expect(units.find((u) => u.id === 'CST2')).toMatchObject({ count: cst2Before + 200 });
    expect(k.devices.dispenser.status().exchangeActive).toBe(false);
    expect(k.txns.counters('unit:CST1:')).toMatchObject({ 'unit:CST1:loaded': 1000, 'unit:CST1:removed': cst1Before });
    expect(k.txns.counters('unit:CST2:')).toMatchObject({ 'unit:CST2:loaded': 200 });
    const ex = k.journal.query({ kind: 'cash.exchange' });
    expect(ex).toHaveLength(1);
    expect(ex[0]!.data).toMatchObject({ by: CUST1.id, confirmedBy: ADMIN });
    expect(ex[0]!.data.changes).toEqual([
      { id: 'CST1', type: 'dispense', action: 'set', denomination: 2000, before: cst1Before, after: 1000 },
      { id: 'CST2', type: 'dispense', action: 'add', denomination: 5000, before: cst2Before, after: cst2Before + 200 },
      { id: 'REJ', type: 'reject', action: 'empty', denomination: 0, before: 0, after: 0 },
    ]);
    expect(k.journal.query({ kind: 'supervisor.dualControl' }).map((e) => e.data.result)).toEqual(['sameOperator', 'mustChangePassword', 'confirmed']);
    // Cassette totals printed after the exchange.
    const receipt = k.sims.fasciaModel().receipt!;
    expect(receipt.lines.join('\n')).toMatch(/CASSETTE TOTALS/);
    expect(receipt.lines.join('\n')).toMatch(/CST1 \$20\.00 LOADED 1000\n {2}DISP 0 REJ 0 RET 0 LEFT 1000\n/);
    sim(k, { type: 'takeReceipt' });

    // Trial total printed: the withdrawal before the exchange is in the period.
    await choose(k, 'back');
    await choose(k, 'trialTotal');
    const trial = await waitFor(k, (m) => m.title === 'sup.titleTrialTotal', 'trial total');
    expect(trial.table!.rows).toContainEqual([{ key: 'sup.total.withdrawal.approved' }, '1']);
    expect(trial.table!.rows).toContainEqual([{ key: 'sup.totalDelivered' }, '$60.00']);
    expect(k.sims.fasciaModel().receipt!.lines.join('\n')).toMatch(/TRIAL TOTAL[\s\S]*CASH DELIVERED \$60\.00/);
    expect(k.journal.query({ kind: 'cash.trialTotal' })[0]!.data).toMatchObject({ by: CUST1.id, delivered: 6000 });

    // Leave supervisor mode; a customer withdraws from the new cassettes; the money invariant holds across the exchange.
    await logout(k);
    sim(k, { type: 'operatorSwitch', position: 'run' });
    await waitForScreen(k, 'welcome');
    await withdraw(k, 4000);
    const inv = moneyOk(k);
    expect(inv.journalDelivered).toBe(10000);
  });

  it('balancing shows and journals the difference between the notes counted and the counters', async () => {
    const k = (kiosk = await startTestKiosk());
    await setUpOperators(k);
    await login(k, CUST1.id, CUST1.otp, CUST1.pw);
    await choose(k, 'cash');
    await choose(k, 'balance');
    const units = k.sims.dispenser.cashUnits();
    for (const u of units) {
      await waitFor(k, (m) => m.params.unit === u.id && m.input?.label === 'sup.physicalCount' && m.input.value === '', `count for ${u.id}`);
      // One CST2 note is missing from the cassette; one note too many is in the reject bin.
      const counted = u.id === 'CST2' ? u.count - 1 : u.id === 'REJ' ? 1 : u.count;
      if (u.id === 'CST1') {
        sim(k, { type: 'key', key: 'enter' });
        await waitFor(k, (m) => m.message === 'sup.enterValue', 'empty refused');
      }
      await enter(k, 'sup.physicalCount', String(counted));
    }
    const report = await waitFor(k, (m) => m.message === 'sup.differences', 'balancing report');
    expect(report.params.value).toBe('-$50.00');
    expect(report.table!.rows.find((r) => r[0] === 'CST2')).toEqual(['CST2', String(units[1]!.count), String(units[1]!.count), String(units[1]!.count - 1), '-1']);
    expect(report.table!.rows.find((r) => r[0] === 'REJ')).toEqual(['REJ', '0', '0', '1', '+1']);
    const j = k.journal.query({ kind: 'cash.balancing' });
    expect(j).toHaveLength(1);
    expect(j[0]!.data).toMatchObject({ by: CUST1.id, balanced: false, differenceValue: -5000 });
    expect((j[0]!.data.lines as Array<{ id: string; difference: number }>).filter((l) => l.difference !== 0)).toEqual([
      expect.objectContaining({ id: 'CST2', difference: -1 }),
      expect.objectContaining({ id: 'REJ', difference: 1 }),
    ]);
    await choose(k, 'print');
    await waitFor(k, (m) => m.message === 'sup.printed', 'printed');
    expect(k.sims.fasciaModel().receipt!.lines.join('\n')).toMatch(/BALANCING REPORT[\s\S]*CST2 .* -1/);
    // Counts are not changed by balancing.
    expect(k.sims.dispenser.cashUnits().map((u) => u.count)).toEqual(units.map((u) => u.count));
  });

  it('roles: a technician gets no cash menu and a forced attempt is refused and journaled; diagnostics work', async () => {
    const k = (kiosk = await startTestKiosk());
    await setUpOperators(k);
    const menu = await login(k, TECH.id, TECH.otp, TECH.pw);
    expect(menu.options.map((o) => o.id)).toEqual(['devices', 'journal', 'reprint', 'keys', 'service', 'password', 'logout']);
    expect(() => select(k, 'cash')).toThrow(/option not offered/);
    // Defence in depth: the panel itself refuses (as if the hub had let it through).
    k.supervisor.select('cash');
    await waitFor(k, (m) => m.message === 'sup.notPermitted', 'refusal');
    expect(k.journal.query({ kind: 'supervisor.refused' }).at(-1)!.data).toMatchObject({ operator: TECH.id, role: 'technician', needs: 'cash.view' });

    // Device tests: a test dispense moves one note to the reject bin; a test print; card reader reset; PIN pad self test.
    await choose(k, 'devices');
    const cst1 = k.sims.dispenser.cashUnits().find((u) => u.id === 'CST1')!.count;
    await choose(k, 'test:dispenser');
    await waitFor(k, (m) => m.message === 'sup.testPassed' && m.params.device === 'dispenser', 'dispenser test');
    const units = k.sims.dispenser.cashUnits();
    expect(units.find((u) => u.id === 'CST1')!.count).toBe(cst1 - 1);
    expect(units.find((u) => u.id === 'REJ')!.count).toBe(1);
    expect(k.sims.fasciaModel().cashSlot).toBeNull();
    // The test note is counted, so the journal's expectation for the cassette still matches the device.
    expect(k.txns.counters('unit:CST1:test')).toEqual({ 'unit:CST1:test': 1 });
    await choose(k, 'test:printer');
    await waitFor(k, (m) => m.message === 'sup.testPassed' && m.params.device === 'printer', 'printer test');
    expect(k.sims.fasciaModel().receipt!.lines.join('\n')).toMatch(/PRINTER TEST/);
    await choose(k, 'test:cardReader');
    await waitFor(k, (m) => m.message === 'sup.testPassed' && m.params.device === 'cardReader', 'card reader test');
    await choose(k, 'test:pinpad');
    await waitFor(k, (m) => m.message === 'sup.testPassed' && m.params.device === 'pinpad', 'pinpad test');
    sim(k, { type: 'fault', device: 'printer', fault: 'paperOut' });
    await choose(k, 'test:printer');
    await waitFor(k, (m) => m.message === 'sup.testFailed' && m.params.device === 'printer', 'printer test fails');
    expect(k.journal.query({ kind: 'supervisor.deviceTest' }).map((e) => [e.data.device, e.data.ok])).toEqual([
      ['dispenser', true],
      ['printer', true],
      ['cardReader', true],
      ['pinpad', true],
      ['printer', false],
    ]);

    // Key status: names and check values only.
    await choose(k, 'back');
    await choose(k, 'keys');
    const keys = await waitFor(k, (m) => m.title === 'sup.titleKeys', 'keys');
    expect(keys.table!.rows).toEqual([['PIN.ZPK', 'P0', 'tdes', k.keyStore.kcv('PIN.ZPK')]]);
    expect(JSON.stringify(keys)).not.toMatch(new RegExp(k.config.pinpad.testPinKey, 'i'));
  });

  it('journal viewer searches by transaction, masked card and date; reprints the last receipts masked', async () => {
    const k = (kiosk = await startTestKiosk());
    await withdraw(k, 2000);
    await withdraw(k, 4000);
    const txns = k.journal.query({ kind: 'receipt.printed' }).map((e) => e.txn!);
    expect(txns).toHaveLength(2);
    await setUpOperators(k);
    await login(k, TECH.id, TECH.otp, TECH.pw);
    await choose(k, 'journal');
    await choose(k, 'byTxn');
    await enter(k, 'sup.txnEntry', String(txns[0]));
    const byTxn = await waitFor(k, (m) => m.message === 'sup.journalPage', 'txn results');
    expect(byTxn.table!.rows.length).toBeGreaterThan(3);
    expect(byTxn.table!.rows.every((r) => r[1] === String(txns[0]).padStart(4, '0'))).toBe(true);
    const visa = card('visa-debit');
    await choose(k, 'back');
    await choose(k, 'byCard');
    await enter(k, 'sup.cardEntry', visa.pan.slice(0, 6) + visa.pan.slice(-4));
    const byCard = await waitFor(k, (m) => m.message === 'sup.journalPage' && m.params.found !== byTxn.params.found, 'card results');
    expect(byCard.table!.rows.length).toBeGreaterThan(0);
    expect(byCard.table!.rows.every((r) => r[3] === `****${visa.pan.slice(-4)}`)).toBe(true);
    expect(JSON.stringify(byCard)).not.toContain(visa.pan);
    await choose(k, 'back');
    await choose(k, 'byDate');
    await enter(k, 'sup.dateEntry', '20251399');
    await waitFor(k, (m) => m.message === 'sup.badDate', 'bad date refused');
    await enter(k, 'sup.dateEntry', new Date().toISOString().slice(0, 10).replace(/-/g, ''));
    const byDate = await waitFor(k, (m) => m.message === 'sup.journalPage', 'date results');
    expect(Number(byDate.params.found)).toBeGreaterThan(20);
    await choose(k, 'older');
    await waitFor(k, (m) => m.params.page === 2, 'page 2');
    expect(k.journal.query({ kind: 'supervisor.journalSearch' }).map((e) => e.data.search)).toEqual(['txn', 'pan', 'date']);
    expect(k.journal.query({ kind: 'supervisor.journalSearch' })[1]!.data.criterion).toBe(`${visa.pan.slice(0, 6)}*${visa.pan.slice(-4)}`);

    // Reprint the last 2 receipts.
    await choose(k, 'back');
    await choose(k, 'back');
    await choose(k, 'reprint');
    await enter(k, 'sup.reprintCount', '25');
    await waitFor(k, (m) => m.message === 'sup.badReprintCount', 'too many refused');
    await enter(k, 'sup.reprintCount', '2');
    await waitFor(k, (m) => m.message === 'sup.reprinted' && m.params.count === 2, 'reprinted');
    const strip = k.sims.fasciaModel().receipt!.lines.join('\n');
    expect(strip.match(/\*\*\* DUPLICATE \*\*\*/g)).toHaveLength(2);
    expect(strip).toMatch(/AMOUNT \$20\.00[\s\S]*AMOUNT \$40\.00/);
    expect(strip).toContain(`CARD ****${visa.pan.slice(-4)}`);
    expect(strip).not.toContain(visa.pan.slice(0, 6));
    expect(k.journal.query({ kind: 'supervisor.reprint' })[0]!.data).toMatchObject({ by: TECH.id, receipts: 2, txns });
  });

  it('lockout after repeated wrong passwords, no passwords anywhere in the journal, service mode and back in service', async () => {
    const k = (kiosk = await startTestKiosk());
    await setUpOperators(k);
    for (let i = 0; i < 5; i++) {
      await enter(k, 'sup.operatorId', CUST2.id);
      await enter(k, 'sup.password', '55550000');
      await waitFor(k, (m) => m.message === (i < 4 ? 'sup.loginRefused' : 'sup.operatorLocked') && m.input?.label === 'sup.operatorId' && m.input.value === '', `attempt ${i + 1}`);
      if (i < 4) {
        // the same message twice: move on once the screen is back on the id entry
        expect(k.operators.get(CUST2.id)!.failures).toBe(i + 1);
      }
    }
    expect(k.operators.get(CUST2.id)).toMatchObject({ locked: true });
    // The right password no longer helps.
    await enter(k, 'sup.operatorId', CUST2.id);
    await enter(k, 'sup.password', CUST2.otp);
    await waitFor(k, (m) => m.message === 'sup.operatorLocked' && m.input?.value === '', 'still locked');
    // Unknown operator: refused like a wrong password, and the typed id is not journaled.
    await enter(k, 'sup.operatorId', '7777777');
    await enter(k, 'sup.password', '12121212');
    await waitFor(k, (m) => m.message === 'sup.loginRefused' && m.input?.value === '', 'unknown refused');
    expect(k.journal.query({ kind: 'supervisor.login' }).at(-1)!.data).toEqual({ operator: null, result: 'unknownOperator' });

    // Admin unlocks with a new one-time password.
    await login(k, ADMIN, ADMIN_PW);
    await choose(k, 'operators');
    await choose(k, 'reset');
    await enter(k, 'sup.operatorId', CUST2.id);
    await enter(k, 'sup.newPassword', '62951413');
    await enter(k, 'sup.confirmPassword', '62951413');
    await waitFor(k, (m) => m.message === 'sup.operatorUpdated', 'reset');
    expect(k.operators.get(CUST2.id)).toMatchObject({ locked: false, failures: 0, mustChange: true });

    // Service mode: out of service, leave supervisor -> out of service screen; back in service -> welcome.
    await choose(k, 'back');
    await choose(k, 'service');
    await choose(k, 'out');
    await waitFor(k, (m) => m.message === 'sup.nowOutOfService', 'out of service');
    expect(k.journal.query({ kind: 'service.mode' }).at(-1)!.data).toEqual({ mode: 'out', by: `operator:${ADMIN}` });
    sim(k, { type: 'operatorSwitch', position: 'run' });
    await waitForScreen(k, 'outOfService', 5000, (m) => m.message === 'msg.closedForService');
    expect(k.journal.query({ kind: 'supervisor.logout' }).at(-1)!.data).toEqual({ operator: ADMIN, reason: 'supervisorClosed' });
    sim(k, { type: 'operatorSwitch', position: 'supervisor' });
    await login(k, ADMIN, ADMIN_PW);
    await choose(k, 'service');
    await choose(k, 'in');
    await waitFor(k, (m) => m.message === 'sup.nowInService', 'in service');
    sim(k, { type: 'operatorSwitch', position: 'run' });
    await waitForScreen(k, 'welcome');
    expect(k.status().app).toBe('inService');

    // Not one password (typed or one-time) in the journal, nor on any screen published meanwhile.
    const text = journalText(k);
    for (const pw of [SIMULATOR_FIRST_ADMIN.password, ADMIN_PW, CUST1.otp, CUST2.otp, TECH.otp, '55550000', '62951413', '12121212']) expect(text).not.toContain(pw);
    expect(text).not.toContain('7777777');
  });

  it('masked input never carries the digits; the screens are in both languages', async () => {
    const k = (kiosk = await startTestKiosk());
    const seen: string[] = [];
    k.ui.onScreen((m) => seen.push(JSON.stringify(m)));
    await toSupervisor(k);
    await enter(k, 'sup.operatorId', ADMIN);
    await inputReady(k, 'sup.password');
    for (const d of '1357') sim(k, { type: 'key', key: d as '1' });
    const typed = await waitFor(k, (m) => m.input?.value.length === 4, 'four digits typed');
    expect(typed.input).toEqual({ label: 'sup.password', value: '****', masked: true });
    sim(k, { type: 'key', key: 'backspace' });
    await waitFor(k, (m) => m.input?.value === '***', 'backspace');
    sim(k, { type: 'key', key: 'cancel' });
    await inputReady(k, 'sup.operatorId');
    expect(seen.join('\n')).not.toContain('1357');
    expect(seen.join('\n')).not.toContain('135');
  });

  it('master key loading by two components under dual control: check values verified, only the KCV journaled and shown', async () => {
    const k = (kiosk = await startTestKiosk());
    await toSupervisor(k);
    await login(k, ADMIN, SIMULATOR_FIRST_ADMIN.password, ADMIN_PW);
    await choose(k, 'operators');
    await addOperator(k, '1001', 'admin', '73625140');
    await addOperator(k, CUST1.id, 'custodian', CUST1.otp);
    await logout(k);
    await login(k, '1001', '73625140', '62514039');
    await logout(k);
    await login(k, ADMIN, ADMIN_PW);

    const c1 = fixOddParity(randomBytes(16));
    const c2 = fixOddParity(randomBytes(16));
    const hex = (b: Buffer) => b.toString('hex').toUpperCase();
    const kcvHex = (b: Buffer) => hex(kcv(b, 'tdes', 3));
    /** Digits on the PIN pad, A-F on the function keys bound to hex:A..hex:F. */
    const typeHex = async (label: string, text: string) => {
      await inputReady(k, label);
      for (const ch of text) {
        if (/\d/.test(ch)) sim(k, { type: 'key', key: ch as '0' });
        else select(k, `hex:${ch}`);
      }
      await waitFor(k, (m) => m.input?.value.length === text.length, 'all typed');
      sim(k, { type: 'key', key: 'enter' });
    };

    const screens: string[] = [];
    k.ui.onScreen((m) => screens.push(JSON.stringify(m)));
    await choose(k, 'keys');
    await choose(k, 'loadKey');
    // A wrong check value sends the operator back to the component.
    await typeHex('sup.component', hex(c1));
    await typeHex('sup.componentKcv', kcvHex(c2) === kcvHex(c1) ? '000000' : kcvHex(c2));
    await waitFor(k, (m) => m.message === 'sup.kcvMismatch' && m.input?.label === 'sup.component', 'kcv mismatch');
    await typeHex('sup.component', hex(c1));
    await typeHex('sup.componentKcv', kcvHex(c1));
    // Second operator: not the same admin, not a custodian.
    await enter(k, 'sup.operatorId', ADMIN);
    await enter(k, 'sup.password', ADMIN_PW);
    await waitFor(k, (m) => m.message === 'sup.dualSameOperator', 'same admin refused');
    await enter(k, 'sup.operatorId', CUST1.id);
    await enter(k, 'sup.password', CUST1.otp);
    await waitFor(k, (m) => m.message === 'sup.dualMustChange' || m.message === 'sup.dualNotPermitted', 'custodian refused');
    await enter(k, 'sup.operatorId', '1001');
    await enter(k, 'sup.password', '62514039');
    await waitFor(k, (m) => m.params.n === 2 && m.input?.label === 'sup.component', 'second component');
    await typeHex('sup.component', hex(c2));
    await typeHex('sup.componentKcv', kcvHex(c2));
    const expected = kcvHex(fixOddParity(xor(c1, c2)));
    const done = await waitFor(k, (m) => m.message === 'sup.keyLoaded', 'key loaded');
    expect(done.params).toMatchObject({ name: 'TMK', kcv: expected });
    expect(done.table!.rows).toContainEqual(['TMK', 'K0', 'tdes', expected]);
    expect(k.keyStore.kcv('TMK')).toBe(expected);
    expect(k.journal.query({ kind: 'supervisor.keyLoaded' })[0]!.data).toEqual({ by: ADMIN, confirmedBy: '1001', name: 'TMK', kcv: expected, components: 2 });
    const text = journalText(k);
    for (const secret of [hex(c1), hex(c2), hex(c1).slice(0, 16), hex(c2).slice(16)]) {
      expect(text).not.toContain(secret);
      expect(screens.join('\n')).not.toContain(secret);
    }
    expect(screens.some((m) => m.includes('"value":"********************************"'))).toBe(true);

    // The loaded key survives a restart (sealed key store in the data directory); a tampered store is discarded.
    await k.stop();
    const again = (kiosk = await startTestKiosk({}, {}, k.dataDir));
    expect(again.keyStore.kcv('TMK')).toBe(expected);
    expect(again.journal.query({ kind: 'kiosk.start' }).at(-1)!.data).toMatchObject({ eppKeyStoreReset: false });
    await again.stop();
    const file = join(k.dataDir, 'devices', 'epp-keys.json');
    const sealed = JSON.parse(readFileSync(file, 'utf8')) as { ct: string };
    writeFileSync(file, JSON.stringify({ ...sealed, ct: Buffer.from('tampered').toString('base64') }));
    const fresh = (kiosk = await startTestKiosk({}, {}, k.dataDir));
    expect(fresh.keyStore.has('TMK')).toBe(false);
    expect(fresh.keyStore.has('PIN.ZPK')).toBe(true);
    expect(fresh.journal.query({ kind: 'kiosk.start' }).at(-1)!.data).toMatchObject({ eppKeyStoreReset: true });
  });

  it('an idle operator is logged out and an exchange left open is ended unchanged; so is one left by switching back to run', async () => {
    const k = (kiosk = await startTestKiosk({ supervisor: { idleLogoutMs: 1500 } }));
    await toSupervisor(k);
    await login(k, ADMIN, SIMULATOR_FIRST_ADMIN.password, ADMIN_PW);
    await choose(k, 'operators');
    await addOperator(k, CUST1.id, 'custodian', CUST1.otp);
    await logout(k);
    await login(k, CUST1.id, CUST1.otp, CUST1.pw);
    await choose(k, 'cash');
    await choose(k, 'exchange');
    await waitFor(k, (m) => m.title === 'sup.titleExchange', 'exchange');
    expect(k.devices.dispenser.status().exchangeActive).toBe(true);
    // No key for longer than idleLogoutMs: the panel logs the custodian out (the timer is the behaviour under test).
    await waitFor(k, (m) => m.message === 'sup.loggedOutIdle' && m.input?.label === 'sup.operatorId', 'idle logout', 5000);
    expect(k.journal.query({ kind: 'supervisor.logout' }).at(-1)!.data).toEqual({ operator: CUST1.id, reason: 'idle' });
    await k.supervisor.settled();
    expect(k.devices.dispenser.status().exchangeActive).toBe(false);
    expect(k.journal.query({ kind: 'cash.exchangeAbandoned' }).map((e) => e.data)).toEqual([{ by: CUST1.id, reason: 'idle' }]);

    await inputReady(k, 'sup.operatorId');
    await login(k, CUST1.id, CUST1.pw);
    await choose(k, 'cash');
    await choose(k, 'exchange');
    await waitFor(k, (m) => m.title === 'sup.titleExchange', 'exchange');
    sim(k, { type: 'operatorSwitch', position: 'run' });
    await waitForScreen(k, 'welcome');
    await k.supervisor.settled();
    expect(k.devices.dispenser.status().exchangeActive).toBe(false);
    expect(k.journal.query({ kind: 'cash.exchangeAbandoned' }).at(-1)!.data).toEqual({ by: CUST1.id, reason: 'supervisorClosed' });
    expect(k.journal.query({ kind: 'cash.exchange' }).every((e) => (e.data.changes as unknown[]).length === 0)).toBe(true);
  });
});
