/**
 * Journal export (JSON lines and a printable text journal) and rotation: rows older than the retention
 * period are written to an archive file (JSON lines with their hashes, fsynced), then deleted in the same
 * SQLite transaction that records the anchor (last archived seq + hash), so the chain stays verifiable from
 * the anchor and the archive verifies on its own.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from './database';
import type { Journal, JournalEntry } from './journal';

export function toJsonLine(e: JournalEntry): string {
  return JSON.stringify({ seq: e.seq, ts: e.ts, terminal: e.terminal, txn: e.txn, kind: e.kind, maskedPan: e.maskedPan, data: e.data, hash: e.hash });
}

/** A printable journal line, as on a journal printer roll. */
export function toTextLine(e: JournalEntry): string {
  const data = Object.entries(e.data)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${e.ts.slice(0, 19).replace('T', ' ')} ${String(e.seq).padStart(7, '0')} ${e.txn !== null ? `T${String(e.txn).padStart(4, '0')}` : '     '} ${e.kind.padEnd(22)} ${e.maskedPan ?? ''} ${data}`.trimEnd();
}

export function* exportJournal(journal: Journal, q: { sinceSeq?: number; from?: string; to?: string; format: 'jsonl' | 'text' }): Generator<string> {
  let since = q.sinceSeq ?? 0;
  for (;;) {
    const batch = journal.query({ sinceSeq: since, from: q.from, to: q.to, limit: 1000 });
    if (!batch.length) return;
    for (const e of batch) yield q.format === 'jsonl' ? toJsonLine(e) : toTextLine(e);
    since = batch[batch.length - 1]!.seq;
  }
}

/** Archives and removes journal rows with ts before `before` (ISO time). Returns how many rows moved. */
export function rotateJournal(db: Db, journal: Journal, before: string, archivePath: string): number {
  const rows = journal.query({ to: before, limit: 10_000_000 }).filter((e) => e.ts < before);
  if (!rows.length) return 0;
  mkdirSync(dirname(archivePath), { recursive: true });
  const fd = openSync(archivePath, 'a');
  try {
    for (const e of rows) writeSync(fd, toJsonLine(e) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const last = rows[rows.length - 1]!;
  db.transaction(() => {
    db.prepare('INSERT INTO journal_anchor (seq, hash, archive, at) VALUES (?, ?, ?, ?)').run(last.seq, last.hash, archivePath, new Date().toISOString());
    db.prepare('DELETE FROM journal WHERE seq <= ?').run(last.seq);
  })();
  journal.append('journal.rotated', { archivedThroughSeq: last.seq, rows: rows.length });
  return rows.length;
}
