/**
 * Store-and-forward queue for reversal advices (0420/0421) and other advices. Durable in SQLite, strictly
 * ordered (only the oldest pending item is ever in flight), retried with back-off until the host answers.
 */
import type { Db } from './database';

export interface QueuedAdvice {
  id: number;
  txn: number;
  kind: 'reversal';
  payload: Record<string, string>;
  attempts: number;
  nextAttemptAt: number;
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
    if (!r) return null;
    return {
      id: r.id as number,
      txn: r.txn as number,
      kind: 'reversal',
      payload: JSON.parse(r.payload as string) as Record<string, string>,
      attempts: r.attempts as number,
      nextAttemptAt: r.next_attempt_at as number,
    };
  }

  recordFailure(id: number, error: string, backoffMs: number): void {
    this.db
      .prepare('UPDATE reversal_queue SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?')
      .run(error.slice(0, 200), this.now() + backoffMs, id);
  }

  complete(id: number, responseCode: string): void {
    this.db
      .prepare("UPDATE reversal_queue SET state = 'done', attempts = attempts + 1, last_error = ?, completed = ? WHERE id = ?")
      .run(`response ${responseCode}`, new Date(this.now()).toISOString(), id);
  }

  depth(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM reversal_queue WHERE state = 'pending'").get() as { n: number }).n;
  }
}
