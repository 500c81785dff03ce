/**
 * The simulated issuer's cardless references: dynamic QR references (tag 62/05 of the QR the ATM shows) and
 * one-time codes. Each is one-use and expires (30 min by default). A QR reference becomes known when the ATM
 * first polls it ('pending') or when the wallet confirms it, whichever comes first. Memory only: the PAN a
 * reference resolves to is never written to the bank's file.
 */
import { randomInt } from 'node:crypto';

export type CardlessKind = 'qr' | 'code';

export interface CardlessEntry {
  kind: CardlessKind;
  reference: string;
  state: 'pending' | 'confirmed' | 'used';
  expiresAt: number;
  pan?: string;
  accountId?: number;
  amount?: number;
}

export interface CardlessOptions {
  now: () => number;
  ttlMs?: number;
  /** One-time code length, 6-8 digits. Default 8. */
  codeDigits?: number;
  /** Random integer in [0, max). */
  randomInt?: (max: number) => number;
}

export const QR_REFERENCE = /^[\x20-\x3a\x3c-\x7e]{1,25}$/;
export const DEFAULT_CARDLESS_TTL_MS = 30 * 60_000;

export class CardlessRegistry {
  private readonly entries = new Map<string, CardlessEntry>();

  constructor(private readonly o: CardlessOptions) {}

  private key(kind: CardlessKind, reference: string): string {
    return `${kind}:${reference}`;
  }

  /** The live entry; expired ones read as unknown (kept a while as tombstones so they cannot come back). */
  get(kind: CardlessKind, reference: string): CardlessEntry | null {
    const e = this.entries.get(this.key(kind, reference));
    return e && e.expiresAt > this.o.now() ? e : null;
  }

  private prune(): void {
    const limit = this.o.now() - (this.o.ttlMs ?? DEFAULT_CARDLESS_TTL_MS) * 48;
    for (const [k, e] of this.entries) if (e.expiresAt < limit) this.entries.delete(k);
  }

  /** The ATM polls a QR reference: known entries are returned, a new one is registered as pending. */
  pollQr(reference: string): CardlessEntry | null {
    if (!QR_REFERENCE.test(reference)) return null;
    this.prune();
    const known = this.entries.get(this.key('qr', reference));
    if (known) return known.expiresAt > this.o.now() ? known : null;
    const e: CardlessEntry = { kind: 'qr', reference, state: 'pending', expiresAt: this.o.now() + (this.o.ttlMs ?? DEFAULT_CARDLESS_TTL_MS) };
    this.entries.set(this.key('qr', reference), e);
    return e;
  }

  /** The wallet confirms a QR reference for an account and amount. */
  confirmQr(reference: string, confirmation: { pan: string; accountId: number; amount: number }): { ok: true } | { ok: false; error: string } {
    if (!QR_REFERENCE.test(reference)) return { ok: false, error: 'invalid reference' };
    const known = this.entries.get(this.key('qr', reference));
    if (known && known.expiresAt <= this.o.now()) return { ok: false, error: 'reference expired' };
    const existing = known ?? null;
    if (existing && existing.state !== 'pending') return { ok: false, error: existing.state === 'used' ? 'reference already used' : 'reference already confirmed' };
    const expiresAt = existing?.expiresAt ?? this.o.now() + (this.o.ttlMs ?? DEFAULT_CARDLESS_TTL_MS);
    this.entries.set(this.key('qr', reference), { kind: 'qr', reference, state: 'confirmed', expiresAt, ...confirmation });
    return { ok: true };
  }

  /** Issues a fresh one-time code bound to an account and amount. */
  issueCode(confirmation: { pan: string; accountId: number; amount: number }, ttlMs?: number): string {
    const digits = Math.min(8, Math.max(6, this.o.codeDigits ?? 8));
    const rnd = this.o.randomInt ?? ((max: number) => randomInt(max));
    for (;;) {
      const code = String(rnd(10 ** digits)).padStart(digits, '0');
      if (this.entries.has(this.key('code', code))) continue;
      this.entries.set(this.key('code', code), { kind: 'code', reference: code, state: 'confirmed', expiresAt: this.o.now() + (ttlMs ?? this.o.ttlMs ?? DEFAULT_CARDLESS_TTL_MS), ...confirmation });
      return code;
    }
  }

  markUsed(kind: CardlessKind, reference: string): void {
    const e = this.get(kind, reference);
    if (e) e.state = 'used';
  }
}
