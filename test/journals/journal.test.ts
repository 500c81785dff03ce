import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../journals/database';
import { Journal, JournalSecurityError } from '../../journals/journal';
import { maskPan, containsPan } from '../../journals/pan';
import { TransactionStore } from '../../journals/transactions';

const tmp = () => join(mkdtempSync(join(tmpdir(), 'atm-journal-')), 'kiosk.db');

describe('journal', () => {
  it('chains rows and verifies them', () => {
    const db = openDatabase(tmp());
    const j = new Journal(db, 'ATM00001');
    for (let i = 0; i < 20; i++) j.append('step', { i });
    expect(j.verify()).toEqual({ ok: true, rows: 20 });
    expect(j.query({ kind: 'step' }).map((e) => e.data.i)).toEqual([...Array(20).keys()]);
  });

  it('refuses updates (append-only trigger)', () => {
    const db = openDatabase(tmp());
    const j = new Journal(db, 'ATM00001');
    j.append('a', { x: 1 });
    expect(() => db.prepare("UPDATE journal SET data = '{}' WHERE seq = 1").run()).toThrow(/append-only/);
  });

  it('detects tampering when a row is rewritten behind its back', () => {
    const db = openDatabase(tmp());
    const j = new Journal(db, 'ATM00001');
    j.append('cash', { amount: 2000 });
    j.append('cash', { amount: 4000 });
    j.append('cash', { amount: 6000 });
    db.exec('DROP TRIGGER journal_no_update');
    db.prepare(`UPDATE journal SET data = '{"amount":1}' WHERE seq = 2`).run();
    expect(j.verify()).toMatchObject({ ok: false, seq: 2, reason: expect.stringMatching(/hash/) });
  });

  it('detects a deleted row', () => {
    const db = openDatabase(tmp());
    const j = new Journal(db, 'ATM00001');
    for (let i = 0; i < 3; i++) j.append('x', { i });
    db.prepare('DELETE FROM journal WHERE seq = 2').run();
    expect(j.verify()).toMatchObject({ ok: false, seq: 3 });
  });

  it('refuses card data (PAN or track 2) in entries', () => {
    const db = openDatabase(tmp());
    const j = new Journal(db, 'ATM00001');
    expect(() => j.append('oops', { pan: '4761739001010010' })).toThrow(JournalSecurityError);
    expect(() => j.append('oops', { t2: '4761739001010010=30122010000000000000' })).toThrow(JournalSecurityError);
    expect(() => j.append('ok', {}, { maskedPan: '4761739001010010' })).toThrow(JournalSecurityError);
    expect(j.append('ok', { stan: '000123', amount: 2000 }, { maskedPan: maskPan('4761739001010010') }).maskedPan).toBe('476173******0010');
  });

  it('re-applies WAL and synchronous=FULL on every open', () => {
    const path = tmp();
    openDatabase(path).close();
    const db = openDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });
});

describe('PAN masking', () => {
  it('keeps at most first 6 and last 4', () => {
    expect(maskPan('6250946000000016')).toBe('625094******0016');
    expect(maskPan('4761739001010010')).not.toMatch(/\d{7}/);
    expect(containsPan('card 4761739001010010 here')).toBe(true);
    expect(containsPan('stan 000123 amount 000000002000')).toBe(false);
  });
});

describe('transactions', () => {
  it('commits intent before outcome and counts notes per unit', () => {
    const db = openDatabase(tmp());
    const j = new Journal(db, 'ATM00001');
    const t = new TransactionStore(db, j);
    const txn = t.begin('withdrawal', 'USD', '476173******0010');
    t.update(txn, { state: 'approved', responseCode: '00', amount: 6000 });
    t.recordDispenseIntent(txn, { CST1: 3 }, 6000);
    expect(t.get(txn)?.state).toBe('dispensing');
    expect(t.unfinished().map((r) => r.txn)).toEqual([txn]);
    t.recordDispenseOutcome(txn, { CST1: 3 }, 6000, true);
    expect(t.counters('unit:')).toEqual({ 'unit:CST1:dispensed': 3 });
    const kinds = j.query({ txn }).map((e) => e.kind);
    expect(kinds.indexOf('dispense.requested')).toBeLessThan(kinds.indexOf('dispense.completed'));
  });
});
