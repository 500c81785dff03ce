/**
 * Read-only journal queries for remote monitoring: newest-first pages with a cursor and filters, and hourly
 * transaction outcome buckets for the monitoring page. The journal never holds a PAN or track data (it refuses
 * them at append); as a second line, any row that would still look like card data is withheld here.
 */
import type { Db } from '../../journals/database';
import { entryFromRow, type JournalEntry } from '../../journals/journal';
import { leaksCardData } from '../ops/scrub';

export interface JournalPageQuery {
  /** Entries with seq < before (the cursor from the previous page). */
  before?: number | undefined;
  /** Entries with seq > after (for catching up from a known point; then oldest first). */
  after?: number | undefined;
  limit: number;
  /** Exact kind, or a prefix ending in `.*` (`host.*`). */
  kind?: string | undefined;
  txn?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface JournalView {
  seq: number;
  ts: string;
  txn: number | null;
  kind: string;
  maskedPan: string | null;
  data: Record<string, unknown>;
  hash: string;
}

export interface JournalPage {
  entries: JournalView[];
  /** Pass as `before` for the next (older) page; null at the start of the journal. */
  nextBefore: number | null;
  /** Pass as `after` to continue forwards; null when nothing was returned. */
  nextAfter: number | null;
}

/** One entry as the API shows it; data withheld if it could contain card data. */
export function journalView(e: JournalEntry): JournalView {
  const leak = leaksCardData(JSON.stringify(e.data)) || (e.maskedPan !== null && leaksCardData(e.maskedPan));
  return { seq: e.seq, ts: e.ts, txn: e.txn, kind: e.kind, maskedPan: leak ? null : e.maskedPan, data: leak ? { withheld: 'possible card data' } : e.data, hash: e.hash };
}

export function journalPage(db: Db, q: JournalPageQuery): JournalPage {
  const where: string[] = [];
  const args: Array<string | number> = [];
  const add = (clause: string, value: string | number | undefined) => {
    if (value === undefined) return;
    where.push(clause);
    args.push(value);
  };
  add('seq < ?', q.before);
  add('seq > ?', q.after);
  if (q.kind?.endsWith('.*')) add("kind LIKE ? ESCAPE '\\'", `${q.kind.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  else add('kind = ?', q.kind);
  add('txn = ?', q.txn);
  add('ts >= ?', q.from);
  add('ts <= ?', q.to);
  const forward = q.after !== undefined && q.before === undefined;
  const sql = `SELECT * FROM journal ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${forward ? 'ASC' : 'DESC'} LIMIT ?`;
  const rows = db.prepare(sql).all(...args, q.limit + 1) as Array<Record<string, unknown>>;
  const more = rows.length > q.limit;
  const entries = rows.slice(0, q.limit).map((r) => journalView(entryFromRow(r)));
  const last = entries[entries.length - 1];
  return {
    entries,
    nextBefore: !forward && more && last ? last.seq : null,
    nextAfter: entries.length ? (forward ? last!.seq : entries[0]!.seq) : null,
  };
}

export interface HourBucket {
  /** Start of the hour, ISO. */
  hour: string;
  approved: number;
  declined: number;
  hostUnavailable: number;
}

export interface TransactionStats {
  from: string;
  to: string;
  hours: HourBucket[];
  /** Totals by transaction type and result over the window. */
  byType: Record<string, { approved: number; declined: number; hostUnavailable: number }>;
}

/** Host outcomes per hour for the last `hours` hours (journal host.response / host.unavailable rows). */
export function transactionStats(db: Db, hours: number, now = Date.now()): TransactionStats {
  const end = Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000;
  const start = end - hours * 3_600_000;
  const from = new Date(start).toISOString();
  const rows = db
    .prepare(
      `SELECT r.ts AS ts, r.kind AS kind, json_extract(r.data, '$.responseCode') AS rc,
              (SELECT json_extract(s.data, '$.type') FROM journal s WHERE s.txn = r.txn AND s.kind = 'transaction.start' LIMIT 1) AS type
         FROM journal r
        WHERE r.ts >= ? AND r.txn IS NOT NULL AND r.kind IN ('host.response', 'host.unavailable')`,
    )
    .all(from) as Array<{ ts: string; kind: string; rc: string | null; type: string | null }>;
  const buckets: HourBucket[] = [];
  for (let t = start; t < end; t += 3_600_000) buckets.push({ hour: new Date(t).toISOString(), approved: 0, declined: 0, hostUnavailable: 0 });
  const byType: TransactionStats['byType'] = {};
  for (const r of rows) {
    const i = Math.floor((Date.parse(r.ts) - start) / 3_600_000);
    const b = buckets[i];
    if (!b) continue;
    const result = r.kind === 'host.unavailable' ? 'hostUnavailable' : r.rc === '00' ? 'approved' : 'declined';
    b[result]++;
    const t = (byType[r.type ?? 'unknown'] ??= { approved: 0, declined: 0, hostUnavailable: 0 });
    t[result]++;
  }
  return { from, to: new Date(end).toISOString(), hours: buckets, byType };
}
