/**
 * The money invariant (issue 7): cash the journal says customers took = change in cassette counts (net of
 * notes moved to the reject and retract bins) = net debits at the host. Plus: the journal chain is intact,
 * no cash transaction is left unfinished, and the reversal queue is empty.
 */
import type { CashUnit } from '../../devices/dispenser/types';
import type { Journal } from '../../journals/journal';
import type { TransactionStore } from '../../journals/transactions';

export interface InvariantCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface InvariantReport {
  ok: boolean;
  journalDelivered: number;
  cassetteDelivered: number;
  hostNetDebits: number | null;
  checks: InvariantCheck[];
}

/** Value of notes that left the cassettes and did not end up in the reject or retract bins. */
export function cassetteDelivered(units: CashUnit[]): number {
  return units
    .filter((u) => u.type === 'dispense')
    .reduce((sum, u) => sum + u.denomination * (u.initial - u.count - u.rejected - u.retracted), 0);
}

export function journalDelivered(journal: Journal, sinceSeq = 0): number {
  return journal.query({ kind: 'cash.taken', sinceSeq, limit: 10_000_000 }).reduce((sum, e) => sum + Number(e.data.amount ?? 0), 0);
}

/**
 * Cassette cash delivered before each replenishment: the dispenser restarts a unit's counters when its count is
 * set at EndExchange, so the supervisor journals what those units had delivered (`cash.exchange`).
 */
export function carriedDelivered(journal: Journal): number {
  return journal.query({ kind: 'cash.exchange', limit: 10_000_000 }).reduce((sum, e) => sum + Number(e.data.deliveredBefore ?? 0), 0);
}

export function checkInvariants(d: { journal: Journal; txns: TransactionStore; units: CashUnit[]; hostNetDebits: number | null; reversalQueueDepth: number }): InvariantReport {
  const checks: InvariantCheck[] = [];
  const chain = d.journal.verify();
  checks.push({ name: 'journal chain', ok: chain.ok, detail: chain.ok ? `${chain.rows} rows verified` : `broken at seq ${chain.seq}: ${chain.reason}` });
  const jd = journalDelivered(d.journal);
  const cd = cassetteDelivered(d.units) + carriedDelivered(d.journal);
  checks.push({ name: 'journal cash = cassette cash', ok: jd === cd, detail: `journal ${jd}, cassettes ${cd}` });
  if (d.hostNetDebits !== null) checks.push({ name: 'cassette cash = host net debits', ok: cd === d.hostNetDebits, detail: `cassettes ${cd}, host ${d.hostNetDebits}` });
  const open = d.txns.unfinished();
  checks.push({ name: 'no unfinished cash transactions', ok: open.length === 0, detail: open.length ? `open: ${open.map((t) => `${t.txn}:${t.state}`).join(', ')}` : 'none' });
  checks.push({ name: 'reversal queue empty', ok: d.reversalQueueDepth === 0, detail: `${d.reversalQueueDepth} pending` });
  return { ok: checks.every((c) => c.ok), journalDelivered: jd, cassetteDelivered: cd, hostNetDebits: d.hostNetDebits, checks };
}
