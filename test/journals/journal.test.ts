import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../journals/database';
import { Journal, JournalSecurityError } from '../../journals/journal';
import { maskPan, containsPan } from '../../journals/pan';
import { TransactionStore } from '../../journals/transactions';
import { exportJournal, rotateJournal } from '../../journals/journal-export';
import { readFileSync } from 'node:fs';

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

  it('refuses deletes of unarchived rows, and detects a row deleted behind its back', () => {
    const db = openDatabase(tmp());
    const j = new Journal(db, 'ATM00001');
    for (let i = 0; i < 3; i++) j.append('x', { i });
    expect(() => db.prepare('DELETE FROM journal WHERE seq = 2').run()).toThrow(/archived/);
    db.exec('DROP TRIGGER journal_no_delete');
    db.prepare('DELETE FROM journal WHERE seq = 2').run();
    expect(j.verify()).toMatchObject({ ok: false, seq: 3 });
  });

  it('rotates old rows into an archive and keeps the chain verifiable from the anchor', () => {
    const path = tmp();
    const db = openDatabase(path);
    let now = new Date('2026-01-01T00:00:00Z');
    const j = new Journal(db, 'ATM00001', () => now);
    for (let i = 0; i < 5; i++) j.append('old', { i });
    now = new Date('2026-03-01T00:00:00Z');
    for (let i = 0; i < 3; i++) j.append('new', { i });
    const archive = join(path, '..', 'archive', 'journal-2026-01.jsonl');
    expect(rotateJournal(db, j, '2026-02-01T00:00:00Z', archive)).toBe(5);
    expect(j.query().map((e) => e.kind)).toEqual(['new', 'new', 'new', 'journal.rotated']);
    expect(j.verify()).toEqual({ ok: true, rows: 4 });
    const lines = readFileSync(archive, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string });
    expect(lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    // Appends continue the chain after reopening.
    const j2 = new Journal(openDatabase(path), 'ATM00001');
    j2.append('after', {});
    expect(j2.verify().ok).toBe(true);
  });

  it('exports JSON lines and a printable text journal', () => {
    const db = openDatabase(tmp());
    const j = new Journal(db, 'ATM00001');
    j.append('card.read', { serviceCode: '201' }, { txn: 7, maskedPan: '476173******0010' });
    j.append('cash.taken', { amount: 6000 }, { txn: 7 });
    const jsonl = [...exportJournal(j, { format: 'jsonl' })];
    expect(JSON.parse(jsonl[1]!)).toMatchObject({ seq: 2, kind: 'cash.taken', data: { amount: 6000 }, txn: 7 });
    const text = [...exportJournal(j, { format: 'text' })];
    expect(text[0]).toMatch(/T0007 card\.read\s+476173\*{6}0010 serviceCode=201$/);
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
