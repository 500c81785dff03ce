/**
 * The electronic journal: append-only, hash-chained (each row's hash covers the previous hash and the row),
 * PAN masked, never track data or PIN material (rejected at the door, not filtered later).
 */
import { createHash } from 'node:crypto';
import type { Db } from './database';
import { containsPan, containsTrackData } from './pan';

export interface JournalEntry {
  seq: number;
  ts: string;
  terminal: string;
  txn: number | null;
  kind: string;
  maskedPan: string | null;
  data: Record<string, unknown>;
  hash: string;
}

export class JournalSecurityError extends Error {
  override name = 'JournalSecurityError';
}

const GENESIS = '0'.repeat(64);

function rowHash(prev: string, seq: number, ts: string, terminal: string, txn: number | null, kind: string, maskedPan: string | null, data: string): string {
  return createHash('sha256')
    .update([prev, seq, ts, terminal, txn ?? '', kind, maskedPan ?? '', data].join('\u001f'))
    .digest('hex');
}

export class Journal {
  private readonly insert;
  private readonly last;
  private listeners = new Set<(e: JournalEntry) => void>();

  constructor(
    private readonly db: Db,
    private readonly terminal: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.insert = db.prepare(
      'INSERT INTO journal (seq, ts, terminal, txn, kind, masked_pan, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.last = db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1');
  }

  /** Appends one entry. Call inside a db.transaction to commit it together with counters/transaction state. */
  append(kind: string, data: Record<string, unknown> = {}, opts: { txn?: number | null; maskedPan?: string | null } = {}): JournalEntry {
    const json = JSON.stringify(data);
    if (containsPan(json) || containsTrackData(json)) throw new JournalSecurityError(`journal entry "${kind}" contains card data; refused`);
    if (opts.maskedPan && containsPan(opts.maskedPan)) throw new JournalSecurityError('masked PAN is not masked');
    const prev = (this.last.get() as { seq: number; hash: string } | undefined) ?? this.anchor() ?? { seq: 0, hash: GENESIS };
    const seq = prev.seq + 1;
    const ts = this.now().toISOString();
    const txn = opts.txn ?? null;
    const maskedPan = opts.maskedPan ?? null;
    const hash = rowHash(prev.hash, seq, ts, this.terminal, txn, kind, maskedPan, json);
    this.insert.run(seq, ts, this.terminal, txn, kind, maskedPan, json, prev.hash, hash);
    const entry: JournalEntry = { seq, ts, terminal: this.terminal, txn, kind, maskedPan, data, hash };
    for (const l of this.listeners) l(entry);
    return entry;
  }

  /** The newest entry's seq (after a rotation that archived everything: the anchor's), 0 for an empty journal. */
  lastSeq(): number {
    return ((this.last.get() as { seq: number } | undefined) ?? this.anchor())?.seq ?? 0;
  }

  private anchor(): { seq: number; hash: string } | undefined {
    return this.db.prepare('SELECT seq, hash FROM journal_anchor ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  }

  onAppend(fn: (e: JournalEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  query(q: { sinceSeq?: number; txn?: number; maskedPan?: string; from?: string; to?: string; kind?: string; limit?: number } = {}): JournalEntry[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    add('seq > ?', q.sinceSeq);
    add('txn = ?', q.txn);
    add('masked_pan = ?', q.maskedPan);
    add('ts >= ?', q.from);
    add('ts <= ?', q.to);
    add('kind = ?', q.kind);
    const sql = `SELECT * FROM journal ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq LIMIT ?`;
    args.push(q.limit ?? 10000);
    return (this.db.prepare(sql).all(...args) as Array<Record<string, unknown>>).map(entryFromRow);
  }

  /** Recomputes the chain; returns the first broken sequence number, or null when intact. */
  verify(): { ok: true; rows: number } | { ok: false; seq: number; reason: string } {
    const anchor = this.db.prepare('SELECT seq, hash FROM journal_anchor ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    let prev = anchor?.hash ?? GENESIS;
    let expectedSeq = (anchor?.seq ?? 0) + 1;
    let rows = 0;
    for (const r of this.db.prepare('SELECT * FROM journal ORDER BY seq').iterate() as Iterable<Record<string, unknown>>) {
      const seq = r.seq as number;
      if (seq !== expectedSeq) return { ok: false, seq, reason: `gap: expected seq ${expectedSeq}` };
      if (r.prev_hash !== prev) return { ok: false, seq, reason: 'previous-hash link broken' };
      const h = rowHash(prev, seq, r.ts as string, r.terminal as string, (r.txn as number | null) ?? null, r.kind as string, (r.masked_pan as string | null) ?? null, r.data as string);
      if (h !== r.hash) return { ok: false, seq, reason: 'row content does not match its hash' };
      prev = h;
      expectedSeq++;
      rows++;
    }
    return { ok: true, rows };
  }
}

/** A `SELECT *` row of the journal table as an entry (also for readers with queries of their own). */
export function entryFromRow(r: Record<string, unknown>): JournalEntry {
  return {
    seq: r.seq as number,
    ts: r.ts as string,
    terminal: r.terminal as string,
    txn: (r.txn as number | null) ?? null,
    kind: r.kind as string,
    maskedPan: (r.masked_pan as string | null) ?? null,
    data: JSON.parse(r.data as string) as Record<string, unknown>,
    hash: r.hash as string,
  };
}
