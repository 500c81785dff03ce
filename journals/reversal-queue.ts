/**
 * Store-and-forward queue for reversal advices (0420/0421) and other advices. Durable in SQLite, strictly
 * ordered (only the oldest pending item is ever in flight), retried with back-off until the host answers.
 *
 * An attempt is counted durably *before* the advice is sent (beginAttempt), so an advice that may have
 * reached the host before a crash or restart goes out next time as a repeat (0421). Items older than the
 * expiry policy leave the queue as 'expired' for manual handling (they are never dropped silently).
 */
import type { Db } from './database';

export type AdviceState = 'pending' | 'done' | 'expired';

export interface QueuedAdvice {
  id: number;
  txn: number;
  kind: 'reversal';
  payload: Record<string, string>;
  attempts: number;
  nextAttemptAt: number;
  /** Enqueue time, ms since the epoch. */
  createdAt: number;
  state: AdviceState;
  lastError: string | null;
}

function toAdvice(r: Record<string, unknown>): QueuedAdvice {
  return {
    id: r.id as number,
    txn: r.txn as number,
    kind: 'reversal',
    payload: JSON.parse(r.payload as string) as Record<string, string>,
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as number,
    createdAt: Date.parse(r.created as string),
    state: r.state as AdviceState,
    lastError: (r.last_error as string | null) ?? null,
  };
}

export class ReversalQueue {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = () => Date.now(),
  ) {}

  enqueue(txn: number, payload: Record<string, string>): number {
    const r = this.db
      .prepare("INSERT INTO reversal_queue (txn, kind, payload, created) VALUES (?, 'reversal', ?, ?)")
      .run(txn, JSON.stringify(payload), new Date(this.now()).toISOString());
    return Number(r.lastInsertRowid);
  }

  /** The oldest pending advice (strict order), or null. */
  head(): QueuedAdvice | null {
    const r = this.db.prepare("SELECT * FROM reversal_queue WHERE state = 'pending' ORDER BY id LIMIT 1").get() as Record<string, unknown> | undefined;
    return r ? toAdvice(r) : null;
  }

  /** Counts an attempt durably before the advice is sent: any later attempt is a repeat. */
  beginAttempt(id: number): void {
    this.db.prepare('UPDATE reversal_queue SET attempts = attempts + 1 WHERE id = ?').run(id);
  }

  /** The attempt failed (already counted by beginAttempt): retry after backoffMs. */
  recordFailure(id: number, error: string, backoffMs: number): void {
    this.db.prepare('UPDATE reversal_queue SET last_error = ?, next_attempt_at = ? WHERE id = ?').run(error.slice(0, 200), this.now() + backoffMs, id);
  }

  complete(id: number, responseCode: string): void {
    this.db
      .prepare("UPDATE reversal_queue SET state = 'done', last_error = ?, completed = ? WHERE id = ?")
      .run(`response ${responseCode}`, new Date(this.now()).toISOString(), id);
  }

  /** Takes a pending advice out of the queue for manual handling. */
  expire(id: number, reason: string): void {
    this.db
      .prepare("UPDATE reversal_queue SET state = 'expired', last_error = ?, completed = ? WHERE id = ? AND state = 'pending'")
      .run(reason.slice(0, 200), new Date(this.now()).toISOString(), id);
  }

  /** Whether an advice for this original (STAN + field 7) was ever queued, in any state. */
  hasOriginal(originalStan: string, originalDateTime: string): boolean {
    const r = this.db
      .prepare("SELECT 1 FROM reversal_queue WHERE json_extract(payload, '$.originalStan') = ? AND json_extract(payload, '$.originalDateTime') = ? LIMIT 1")
      .get(originalStan, originalDateTime);
    return r !== undefined;
  }

  /** Advices in a state, oldest first (operator view of 'expired' items). */
  list(state: AdviceState, limit = 100): QueuedAdvice[] {
    return (this.db.prepare('SELECT * FROM reversal_queue WHERE state = ? ORDER BY id LIMIT ?').all(state, limit) as Array<Record<string, unknown>>).map(toAdvice);
  }

  depth(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM reversal_queue WHERE state = 'pending'").get() as { n: number }).n;
  }
}
