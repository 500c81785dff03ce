/**
 * Originals of financial requests that went unanswered (timed out), kept for the late-response window so a
 * late approval can be reversed with the original's own data (amount, processing code, STAN, field 7) and
 * the ATM's transaction number. Memory only, bounded; nothing card-related is kept.
 */
export interface UnansweredOriginal {
  txn: number;
  mti: string;
  processingCode: string;
  amount: number;
  stan: string;
  transmissionDateTime: string;
}

export class UnansweredRequests {
  private readonly items = new Map<string, { orig: UnansweredOriginal; expires: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly max = 200,
  ) {}

  remember(orig: UnansweredOriginal): void {
    const now = this.now();
    for (const [k, v] of this.items) if (v.expires < now || this.items.size >= this.max) this.items.delete(k);
    this.items.set(`${orig.stan}|${orig.transmissionDateTime}`, { orig, expires: now + this.windowMs });
  }

  /** Takes the original answered late by a response with this STAN (and field 7 when the host echoed it). */
  take(stan: string, transmissionDateTime?: string): UnansweredOriginal | null {
    const now = this.now();
    for (const [k, v] of this.items) {
      if (v.orig.stan !== stan || (transmissionDateTime && v.orig.transmissionDateTime !== transmissionDateTime)) continue;
      this.items.delete(k);
      return v.expires >= now ? v.orig : null;
    }
    return null;
  }
}
