/**
 * Transaction records and counters. Money is journaled before it moves: the dispense intent is committed
 * (journal row + transaction state + nothing else) before the device command, the outcome (journal row +
 * state + per-unit and per-type counters) in one SQLite transaction after it.
 */
import type { Db } from './database';
import { nextSequence } from './database';
import type { Journal } from './journal';

export type TxnType = 'withdrawal' | 'balance' | 'statement' | 'pinChange' | 'transfer';
export type TxnState =
  | 'started'
  | 'authorizing'
  | 'approved'
  | 'declined'
  | 'dispensing'
  | 'dispensed'
  | 'presented'
  | 'completed'
  | 'retracted'
  | 'failed'
  | 'reversalQueued'
  | 'recovered';

export interface TxnRecord {
  txn: number;
  type: TxnType;
  state: TxnState;
  amount: number;
  currency: string;
  maskedPan: string | null;
  stan: string | null;
  rrn: string | null;
  authCode: string | null;
  responseCode: string | null;
  requestedCounts: Record<string, number> | null;
  dispensedCounts: Record<string, number> | null;
  dispensedAmount: number | null;
  originalData: Record<string, string> | null;
}

export const UNFINISHED_CASH_STATES: TxnState[] = ['authorizing', 'approved', 'dispensing', 'dispensed', 'presented'];

export class TransactionStore {
  constructor(
    private readonly db: Db,
    private readonly journal: Journal,
    private readonly now: () => Date = () => new Date(),
  ) {}

  begin(type: TxnType, currency: string, maskedPan: string | null): number {
    return this.db.transaction(() => {
      const txn = nextSequence(this.db, 'txn', 10000);
      const ts = this.now().toISOString();
      // The terminal transaction number wraps at 9999: keep only the newest record per number.
      this.db.prepare('DELETE FROM transactions WHERE txn = ?').run(txn);
      this.db
        .prepare('INSERT INTO transactions (txn, type, state, currency, masked_pan, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(txn, type, 'started', currency, maskedPan, ts, ts);
      this.journal.append('transaction.start', { type }, { txn, maskedPan });
      return txn;
    })();
  }

  get(txn: number): TxnRecord | null {
    const r = this.db.prepare('SELECT * FROM transactions WHERE txn = ?').get(txn) as Record<string, unknown> | undefined;
    return r ? toRecord(r) : null;
  }

  /** Updates the transaction and journals the step in one SQLite transaction. */
  update(txn: number, patch: Partial<Omit<TxnRecord, 'txn' | 'type'>>, journalKind?: string, journalData: Record<string, unknown> = {}): void {
    this.db.transaction(() => {
      const sets: string[] = ['updated = ?'];
      const args: Array<string | number | null> = [this.now().toISOString()];
      const col: Record<string, string> = {
        state: 'state', amount: 'amount', currency: 'currency', maskedPan: 'masked_pan', stan: 'stan', rrn: 'rrn', authCode: 'auth_code',
        responseCode: 'response_code', requestedCounts: 'requested_counts', dispensedCounts: 'dispensed_counts', dispensedAmount: 'dispensed_amount', originalData: 'original_data',
      };
      for (const [k, v] of Object.entries(patch)) {
        const c = col[k];
        if (!c) continue;
        sets.push(`${c} = ?`);
        args.push(v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : (v as string | number));
      }
      args.push(txn);
      this.db.prepare(`UPDATE transactions SET ${sets.join(', ')} WHERE txn = ?`).run(...args);
      if (journalKind) {
        const rec = this.get(txn);
        this.journal.append(journalKind, journalData, { txn, maskedPan: rec?.maskedPan ?? null });
      }
    })();
  }

  /** Write-ahead: committed durably before the dispenser is told to move notes. */
  recordDispenseIntent(txn: number, counts: Record<string, number>, amount: number): void {
    this.update(txn, { state: 'dispensing', requestedCounts: counts }, 'dispense.requested', { counts, amount });
  }

  /** After the device answered: what was actually picked, with counters, in one SQLite transaction. */
  recordDispenseOutcome(txn: number, counts: Record<string, number>, amount: number, complete: boolean, detail: Record<string, unknown> = {}): void {
    this.db.transaction(() => {
      this.update(txn, { state: 'dispensed', dispensedCounts: counts, dispensedAmount: amount }, complete ? 'dispense.completed' : 'dispense.incomplete', { counts, amount, ...detail });
      for (const [unit, n] of Object.entries(counts)) this.addCounter(`unit:${unit}:dispensed`, n);
    })();
  }

  addCounter(key: string, delta: number): void {
    this.db
      .prepare('INSERT INTO counters (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = value + excluded.value')
      .run(key, delta);
  }

  counters(prefix = ''): Record<string, number> {
    const rows = this.db.prepare('SELECT key, value FROM counters WHERE key LIKE ? ORDER BY key').all(`${prefix}%`) as Array<{ key: string; value: number }>;
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  unfinished(): TxnRecord[] {
    const marks = UNFINISHED_CASH_STATES.map(() => '?').join(',');
    return (this.db.prepare(`SELECT * FROM transactions WHERE state IN (${marks}) ORDER BY txn`).all(...UNFINISHED_CASH_STATES) as Array<Record<string, unknown>>).map(toRecord);
  }
}

function toRecord(r: Record<string, unknown>): TxnRecord {
  const j = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as Record<string, number>) : null);
  return {
    txn: r.txn as number,
    type: r.type as TxnType,
    state: r.state as TxnState,
    amount: r.amount as number,
    currency: r.currency as string,
    maskedPan: (r.masked_pan as string | null) ?? null,
    stan: (r.stan as string | null) ?? null,
    rrn: (r.rrn as string | null) ?? null,
    authCode: (r.auth_code as string | null) ?? null,
    responseCode: (r.response_code as string | null) ?? null,
    requestedCounts: j(r.requested_counts),
    dispensedCounts: j(r.dispensed_counts),
    dispensedAmount: (r.dispensed_amount as number | null) ?? null,
    originalData: typeof r.original_data === 'string' ? (JSON.parse(r.original_data) as Record<string, string>) : null,
  };
}
