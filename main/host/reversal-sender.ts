/**
 * The store-and-forward sender: delivers the reversal queue strictly in order, one advice in flight, 0420
 * first and 0421 for every repeat (attempts are counted before sending, so this holds across restarts),
 * retrying with exponential back-off until the host answers, and at once when the host comes back (resume()).
 * An advice older than the expiry policy (24 h by default) is taken out as 'expired' for manual handling and
 * journaled; the next one follows.
 */
import type { Journal } from '../../journals/journal';
import type { QueuedAdvice, ReversalQueue } from '../../journals/reversal-queue';
import type { IsoMessage } from './iso8583';
import type { ReversalData } from './messages';

export interface ReversalSenderOptions {
  queue: ReversalQueue;
  journal: Journal;
  /** Builds the advice (0420, or 0421 when repeat). */
  build(rev: ReversalData, repeat: boolean): IsoMessage;
  /** Sends and resolves with the 0430; rejects when unanswered (the error's kind is recorded). */
  send(msg: IsoMessage): Promise<IsoMessage>;
  failureKind(e: unknown): string;
  now: () => number;
  retry: { initialMs: number; maxMs: number };
  expiryMs: number;
  /**
   * 0430 response codes that mean the host did not take the advice (e.g. 63: its MAC failed on the way, 96: host
   * system error): retried like an unanswered advice. Any other answer completes it.
   */
  retryResponseCodes?: readonly string[];
  onExpired?(advice: QueuedAdvice): void;
}

/** An 0430 whose response code says the advice was not taken (see retryResponseCodes). */
export class AdviceNotTakenError extends Error {
  override name = 'AdviceNotTakenError';
  constructor(readonly responseCode: string) {
    super(`reversal advice not taken by the host (response ${responseCode})`);
  }
}

export class ReversalSender {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending = false;
  private stopped = false;
  private resumed = false;

  constructor(private readonly o: ReversalSenderOptions) {}

  start(): void {
    this.stopped = false;
    this.kick(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The host is back (online, signed on): send the head now instead of waiting out its back-off. */
  resume(): void {
    this.resumed = true;
    this.kick(0);
  }

  kick(delayMs = 0): void {
    if (this.stopped || this.sending) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sendNext();
    }, Math.max(0, delayMs));
  }

  private expireHead(head: QueuedAdvice): void {
    const ageMs = this.o.now() - head.createdAt;
    this.o.queue.expire(head.id, `expired after ${Math.round(ageMs / 60_000)} min, ${head.attempts} attempts`);
    this.o.journal.append('reversal.expired', { originalStan: head.payload.originalStan ?? '', attempts: head.attempts, ageMs, lastError: head.lastError ?? '' }, { txn: head.txn });
    this.o.onExpired?.(head);
  }

  private async sendNext(): Promise<void> {
    if (this.stopped || this.sending) return;
    let head = this.o.queue.head();
    while (head && this.o.now() - head.createdAt >= this.o.expiryMs) {
      this.expireHead(head);
      head = this.o.queue.head();
    }
    if (!head) return;
    const wait = head.nextAttemptAt - this.o.now();
    if (wait > 0 && !this.resumed) return this.kick(wait);
    this.resumed = false;
    this.sending = true;
    const repeat = head.attempts > 0;
    try {
      const msg = this.o.build(head.payload as ReversalData, repeat);
      this.o.queue.beginAttempt(head.id);
      const reply = await this.o.send(msg);
      // Stopped while the advice was out (shutdown: the database may be closed already). The attempt is
      // counted, so after the restart it goes again as an 0421 and the host credits it once.
      if (this.stopped) return void (this.sending = false);
      const rc = String(reply.fields[39] ?? '');
      if (this.o.retryResponseCodes?.includes(rc)) throw new AdviceNotTakenError(rc);
      this.o.queue.complete(head.id, rc);
      this.o.journal.append('reversal.acknowledged', { responseCode: rc, mti: msg.mti, originalStan: head.payload.originalStan ?? '' }, { txn: head.txn });
      this.sending = false;
      this.kick(0);
    } catch (e) {
      if (this.stopped) return void (this.sending = false);
      const backoff = Math.min(this.o.retry.maxMs, this.o.retry.initialMs * 2 ** Math.min(head.attempts, 16));
      this.o.queue.recordFailure(head.id, e instanceof AdviceNotTakenError ? `response ${e.responseCode}` : this.o.failureKind(e), backoff);
      this.sending = false;
      this.kick(backoff);
    }
  }
}
