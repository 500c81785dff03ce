/**
 * Follows transactions through journal appends: its type (`transaction.start`), when the host request went
 * out (`host.request`) and how the host answered (`host.response` / `host.unavailable`). Feeds the metrics
 * and the MQTT journal summary. Sees only kinds, types, MTIs and response codes.
 */
import type { JournalEntry } from '../../journals/journal';

export type TxnResult = 'approved' | 'declined' | 'hostUnavailable';

export interface TxnOutcome {
  txn: number;
  type: string;
  result: TxnResult;
  mti: string;
  /** host.request -> host.response, when both were seen. */
  latencyMs: number | null;
}

export class TransactionOutcomes {
  private readonly open = new Map<number, { type: string; requestAt?: number; mti?: string }>();

  constructor(private readonly maxOpen = 1000) {}

  /** Returns the outcome when this entry completes a transaction's host exchange. */
  observe(e: JournalEntry): TxnOutcome | null {
    if (e.txn === null) return null;
    if (e.kind === 'transaction.start') {
      this.slot(e.txn).type = typeof e.data.type === 'string' ? e.data.type : 'unknown';
      return null;
    }
    if (e.kind === 'host.request') {
      const o = this.slot(e.txn);
      o.requestAt = Date.parse(e.ts);
      o.mti = typeof e.data.mti === 'string' ? e.data.mti : 'unknown';
      return null;
    }
    if (e.kind !== 'host.response' && e.kind !== 'host.unavailable') return null;
    const o = this.open.get(e.txn) ?? { type: 'unknown' };
    this.open.delete(e.txn);
    const result: TxnResult = e.kind === 'host.unavailable' ? 'hostUnavailable' : e.data.responseCode === '00' ? 'approved' : 'declined';
    const latencyMs = e.kind === 'host.response' && o.requestAt !== undefined ? Math.max(0, Date.parse(e.ts) - o.requestAt) : null;
    return { txn: e.txn, type: o.type, result, mti: o.mti ?? 'unknown', latencyMs };
  }

  private slot(txn: number) {
    let o = this.open.get(txn);
    if (!o) {
      o = { type: 'unknown' };
      this.open.set(txn, o);
      if (this.open.size > this.maxOpen) this.open.delete(this.open.keys().next().value as number);
    }
    return o;
  }
}
