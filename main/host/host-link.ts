/**
 * The ATM side of the host link: authorisations (0100/0200), sign-on/echo (0800), and the store-and-forward
 * sender that delivers reversal advices (0420, repeats as 0421) strictly in order until the host answers.
 * Timeouts and offline are typed errors the machine branches on.
 */
import { EventEmitter } from 'node:events';
import type { Db } from '../../journals/database';
import { nextSequence } from '../../journals/database';
import type { Journal } from '../../journals/journal';
import type { ReversalQueue } from '../../journals/reversal-queue';
import type { IsoMessage } from './iso8583';
import {
  buildFinancialRequest,
  buildNetworkRequest,
  buildReversalAdvice,
  readReply,
  stan6,
  transmissionDateTime,
  amount12,
  type CardFields,
  type HostReply,
  type ReversalData,
  type TerminalIdentity,
} from './messages';
import type { HostProfile } from './profile';

/** The transport the link needs: the ISO client (main/host/channel) implements it. */
export interface IsoRequester {
  request(msg: IsoMessage, opts?: { timeoutMs?: number }): Promise<IsoMessage>;
  on(event: 'online' | 'offline', fn: () => void): unknown;
  on(event: 'lateResponse', fn: (msg: IsoMessage) => void): unknown;
}

export class HostUnavailableError extends Error {
  constructor(
    readonly reason: 'timeout' | 'offline' | 'protocol',
    message: string,
    /** STAN and field 7 of the request that went unanswered (a timed-out 0200 must be reversed with them). */
    readonly request?: { stan: string; transmissionDateTime: string },
  ) {
    super(message);
    this.name = 'HostUnavailableError';
  }
}

export interface AuthorizationResult extends HostReply {
  stan: string;
  transmissionDateTime: string;
  /** All response fields, for network-private data (statement lines, cardless confirmation). */
  fields: Record<number, string | Buffer>;
}

export interface HostLinkOptions {
  requester: IsoRequester;
  db: Db;
  journal: Journal;
  reversals: ReversalQueue;
  identity: TerminalIdentity;
  profile: HostProfile;
  requestTimeoutMs: number;
  now?: () => Date;
  /** Back-off for reversal retries: initial and maximum delay, ms. */
  retry?: { initialMs: number; maxMs: number };
}

export class HostLink extends EventEmitter {
  private online = false;
  private connected = false;
  private senderTimer: ReturnType<typeof setTimeout> | null = null;
  private sending = false;
  private stopped = false;
  private readonly now: () => Date;

  constructor(private readonly o: HostLinkOptions) {
    super();
    this.now = o.now ?? (() => new Date());
    o.requester.on('online', () => {
      this.connected = true;
      this.online = true;
      this.emit('online');
      this.kickSender(0);
    });
    o.requester.on('offline', () => {
      this.connected = false;
      this.online = false;
      this.emit('offline');
    });
    o.requester.on('lateResponse', (msg: IsoMessage) => this.onLateResponse(msg));
  }

  isOnline(): boolean {
    return this.online;
  }

  /** Resolves true once the transport is connected (or false after timeoutMs). */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.off('online', on);
        resolve(false);
      }, timeoutMs);
      const on = () => {
        clearTimeout(t);
        resolve(true);
      };
      this.once('online', on);
    });
  }

  private stan(): string {
    return stan6(nextSequence(this.o.db, 'stan', 1_000_000));
  }

  /** Reserves the STAN and field 7 for a request, so the caller can record them before anything is sent. */
  reserve(): { stan: string; now: Date; transmissionDateTime: string } {
    const now = this.now();
    return { stan: this.stan(), now, transmissionDateTime: transmissionDateTime(now) };
  }

  async signOn(): Promise<boolean> {
    try {
      const reply = await this.o.requester.request(buildNetworkRequest('001', this.stan(), this.now(), this.o.identity), { timeoutMs: this.o.requestTimeoutMs });
      const ok = reply.fields[39] === '00';
      this.o.journal.append('host.signOn', { responseCode: String(reply.fields[39] ?? '') });
      if (ok) {
        this.online = true;
        this.kickSender(0);
      }
      return ok;
    } catch (e) {
      this.o.journal.append('host.signOn', { error: errorKind(e) });
      return false;
    }
  }

  /** 0200 withdrawal or 0100 inquiry. Throws HostUnavailableError on timeout/offline. */
  async authorize(req: {
    mti: '0100' | '0200';
    processingCode: string;
    amount: number;
    card: CardFields;
    pinBlock?: Uint8Array;
    posEntryMode: string;
    icc?: Uint8Array;
    extraFields?: Record<number, string | Buffer>;
    reserved?: { stan: string; now: Date };
  }): Promise<AuthorizationResult> {
    const stan = req.reserved?.stan ?? this.stan();
    const now = req.reserved?.now ?? this.now();
    const msg = buildFinancialRequest({ ...req, stan, now }, this.o.identity, this.o.profile);
    try {
      const reply = await this.o.requester.request(msg, { timeoutMs: this.o.requestTimeoutMs });
      return { ...readReply(reply), stan, transmissionDateTime: String(msg.fields[7]), fields: reply.fields };
    } catch (e) {
      const kind = errorKind(e);
      throw new HostUnavailableError(kind, `host ${kind}`, { stan, transmissionDateTime: String(msg.fields[7]) });
    }
  }

  /** Durably queues a reversal advice and wakes the sender. Call inside the caller's SQLite transaction if needed. */
  queueReversal(txn: number, original: { stan: string; transmissionDateTime: string; mti: string; processingCode: string; amount: number; rrn?: string }, dispensed: number, reason: string): void {
    const data: ReversalData = {
      processingCode: original.processingCode,
      amount: amount12(original.amount),
      dispensed: amount12(dispensed),
      originalStan: original.stan,
      originalDateTime: original.transmissionDateTime,
      originalMti: original.mti,
      reason,
      rrn: original.rrn ?? '',
    };
    this.o.reversals.enqueue(txn, data);
    this.o.journal.append('reversal.queued', { reason, amount: original.amount, dispensed, originalStan: original.stan }, { txn });
    this.kickSender(0);
  }

  start(): void {
    this.stopped = false;
    this.kickSender(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.senderTimer) clearTimeout(this.senderTimer);
    this.senderTimer = null;
  }

  /** Resolves when the queue is empty (tests, orderly shutdown). */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.o.reversals.depth() === 0) return true;
      this.kickSender(0);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.o.reversals.depth() === 0;
  }

  private kickSender(delayMs: number): void {
    if (this.stopped || this.sending) return;
    if (this.senderTimer) clearTimeout(this.senderTimer);
    this.senderTimer = setTimeout(() => {
      this.senderTimer = null;
      void this.sendNext();
    }, delayMs);
  }

  private async sendNext(): Promise<void> {
    if (this.stopped || this.sending) return;
    const head = this.o.reversals.head();
    if (!head) return;
    const wait = head.nextAttemptAt - Date.now();
    if (wait > 0) return this.kickSender(wait);
    this.sending = true;
    const retry = this.o.retry ?? { initialMs: 1000, maxMs: 60_000 };
    try {
      const msg = buildReversalAdvice(head.payload as ReversalData, head.attempts > 0, this.stan(), this.now(), this.o.identity);
      const reply = await this.o.requester.request(msg, { timeoutMs: this.o.requestTimeoutMs });
      const rc = String(reply.fields[39] ?? '');
      this.o.reversals.complete(head.id, rc);
      this.o.journal.append('reversal.acknowledged', { responseCode: rc, mti: msg.mti, originalStan: head.payload.originalStan }, { txn: head.txn });
      this.sending = false;
      this.kickSender(0);
    } catch (e) {
      const backoff = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(head.attempts, 16));
      this.o.reversals.recordFailure(head.id, errorKind(e), backoff);
      this.sending = false;
      this.kickSender(backoff);
    }
  }

  /** A response that arrived after we gave up: if it approved money movement, reverse it (nothing was dispensed). */
  private onLateResponse(msg: IsoMessage): void {
    const rc = String(msg.fields[39] ?? '');
    this.o.journal.append('host.lateResponse', { mti: msg.mti, responseCode: rc, stan: String(msg.fields[11] ?? '') });
    if (rc !== '00' || (msg.mti !== '0210' && msg.mti !== '0110')) return;
    if (msg.mti !== '0210') return;
    const amount = Number(msg.fields[4] ?? 0);
    this.o.reversals.enqueue(0, {
      processingCode: String(msg.fields[3] ?? '010000'),
      amount: amount12(Number.isFinite(amount) ? amount : 0),
      dispensed: amount12(0),
      originalStan: String(msg.fields[11] ?? ''),
      originalDateTime: String(msg.fields[7] ?? transmissionDateTime(this.now())),
      originalMti: '0200',
      reason: this.o.profile.reversalReason.lateResponse,
      rrn: String(msg.fields[37] ?? ''),
    });
    this.kickSender(0);
  }
}

function errorKind(e: unknown): 'timeout' | 'offline' | 'protocol' {
  const name = e instanceof Error ? e.name : '';
  if (/timeout/i.test(name)) return 'timeout';
  if (/offline/i.test(name)) return 'offline';
  return 'protocol';
}
