/**
 * The ATM side of the host link: authorisations (0100/0200), sign-on/echo/key exchange (0800), and the
 * store-and-forward sender (reversal-sender.ts) that delivers reversal advices (0420, repeats as 0421) strictly
 * in order until the host answers. Timeouts, offline and MAC failures are typed errors the machine branches on.
 *
 * - MAC (option `mac`): 0100/0200/042x requests are MACed and their responses must carry a valid MAC
 *   (message-mac.ts); a response with a missing or bad MAC is journaled ('host.macRejected') and treated as
 *   unanswered (HostMacError, a HostUnavailableError): the caller reverses a withdrawal as for a timeout.
 *   0800/0810 network management is not MACed.
 * - Liveness (host-liveness.ts): 'offline' when the channel drops or after N consecutive timeouts; periodic
 *   echoes (and reconnects) bring 'online' back. Each change is journaled ('host.online' / 'host.offline').
 * - A late 0210 approval (after the request timed out) is reversed with the original request's data, unless a
 *   reversal for that original is already queued.
 * - An 0430 answering 63 (the advice's MAC failed on the way) or 96 did not take the advice: it is repeated.
 */
import { EventEmitter } from 'node:events';
import type { Db } from '../../journals/database';
import { nextSequence } from '../../journals/database';
import type { Journal } from '../../journals/journal';
import type { QueuedAdvice, ReversalQueue } from '../../journals/reversal-queue';
import type { KeyStore } from '../crypto/key-store';
import { rawFrameOf } from './channel/raw-frames';
import { ISO87A, type IsoMessage, type Packager } from './iso8583';
import { HostLiveness, type LivenessCause, type LivenessOptions } from './host-liveness';
import { importWorkingKey, MAC_USAGES, type KeyExchangeResult } from './key-exchange';
import { checkMessageMac, signMessage, type MacCheck, type MessageMacKey } from './message-mac';
import {
  buildFinancialRequest,
  buildNetworkRequest,
  buildReversalAdvice,
  readReply,
  stan6,
  transmissionDateTime,
  transferProcessingCode,
  amount12,
  type AccountKind,
  type CardFields,
  type HostReply,
  type ReversalData,
  type TerminalIdentity,
} from './messages';
import { RC, type HostProfile } from './profile';
import { ReversalSender } from './reversal-sender';
import { UnansweredRequests } from './unanswered';

/** The transport the link needs: the ISO client (main/host/channel) implements it. */
export interface IsoRequester {
  request(msg: IsoMessage, opts?: { timeoutMs?: number }): Promise<IsoMessage>;
  on(event: 'online' | 'offline', fn: () => void): unknown;
  on(event: 'lateResponse', fn: (msg: IsoMessage) => void): unknown;
  /** The packager on the wire (needed for MACs); ISO87A when absent. */
  readonly packager?: Packager;
}

export type HostFailureReason = 'timeout' | 'offline' | 'protocol';

export class HostUnavailableError extends Error {
  constructor(
    readonly reason: HostFailureReason,
    message: string,
    /** STAN and field 7 of the request that went unanswered (a timed-out 0200 must be reversed with them). */
    readonly request?: { stan: string; transmissionDateTime: string },
  ) {
    super(message);
    this.name = 'HostUnavailableError';
  }
}

/** A response whose MAC is missing or does not verify: treated as unanswered (reason 'protocol'). */
export class HostMacError extends HostUnavailableError {
  constructor(
    readonly macFailure: Exclude<MacCheck, 'ok'>,
    readonly mti: string,
    request?: { stan: string; transmissionDateTime: string },
  ) {
    super('protocol', `${mti} rejected: MAC ${macFailure}`, request);
    this.name = 'HostMacError';
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
  /** MAC on requests and responses (field 64/128), keys from the PIN pad's key store. */
  mac?: MessageMacKey;
  /** Key exchange: the KBPK (K0/K1) protecting the TR-31 block; key store defaults to mac.keyStore. */
  keyExchange?: { kbpkName: string; keyStore?: KeyStore };
  liveness?: LivenessOptions;
  /** Reversal advices older than this leave the queue as 'expired' (manual handling). Default 24 h. */
  reversalExpiryMs?: number;
  /** How long a timed-out request's original is kept for a late response. Default 10 min. */
  lateResponseWindowMs?: number;
}

export interface AuthorizeRequest {
  mti: '0100' | '0200';
  processingCode: string;
  amount: number;
  card: CardFields;
  pinBlock?: Uint8Array;
  posEntryMode: string;
  icc?: Uint8Array;
  extraFields?: Record<number, string | Buffer>;
  reserved?: { stan: string; now: Date };
  /** The ATM's transaction number, recorded with a reversal of a late approval. */
  txn?: number;
}

/** A funds transfer between two accounts of the card: an 0200 with the same card/PIN fields as a withdrawal. */
export interface TransferRequest {
  from: AccountKind;
  to: AccountKind;
  amount: number;
  card: CardFields;
  pinBlock?: Uint8Array;
  posEntryMode: string;
  icc?: Uint8Array;
  reserved?: { stan: string; now: Date };
  /** The ATM's transaction number, recorded with a reversal. */
  txn?: number;
}

export class HostLink extends EventEmitter {
  private readonly now: () => Date;
  private readonly packager: Packager;
  private readonly liveness: HostLiveness;
  private readonly sender: ReversalSender;
  private readonly unanswered: UnansweredRequests;

  constructor(private readonly o: HostLinkOptions) {
    super();
    this.now = o.now ?? (() => new Date());
    this.packager = o.requester.packager ?? ISO87A;
    const nowMs = () => this.now().getTime();
    this.unanswered = new UnansweredRequests(o.lateResponseWindowMs ?? 600_000, nowMs);
    this.liveness = new HostLiveness(o.liveness ?? {}, () => this.echo(), (online, cause) => this.onLiveness(online, cause));
    this.sender = new ReversalSender({
      queue: o.reversals,
      journal: o.journal,
      build: (rev, repeat) => buildReversalAdvice(rev, repeat, this.stan(), this.now(), o.identity),
      send: (msg) => this.exchange(msg, true),
      failureKind: (e) => (e instanceof HostMacError ? `mac ${e.macFailure}` : errorKind(e)),
      now: nowMs,
      retry: o.retry ?? { initialMs: 1000, maxMs: 60_000 },
      expiryMs: o.reversalExpiryMs ?? 86_400_000,
      retryResponseCodes: [RC.securityViolation, RC.systemError],
      onExpired: (a: QueuedAdvice) => this.emit('reversalExpired', { id: a.id, txn: a.txn, originalStan: a.payload.originalStan ?? '' }),
    });
    o.requester.on('online', () => this.liveness.onConnected());
    o.requester.on('offline', () => this.liveness.onDisconnected());
    o.requester.on('lateResponse', (msg: IsoMessage) => this.onLateResponse(msg));
  }

  isOnline(): boolean {
    return this.liveness.isOnline();
  }

  /** Resolves true once the transport is connected (or false after timeoutMs). */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.liveness.isConnected()) return Promise.resolve(true);
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

  private onLiveness(online: boolean, cause: LivenessCause): void {
    this.o.journal.append(online ? 'host.online' : 'host.offline', { cause });
    this.emit(online ? 'online' : 'offline');
    if (online) this.sender.resume();
  }

  private stan(): string {
    return stan6(nextSequence(this.o.db, 'stan', 1_000_000));
  }

  /** Reserves the STAN and field 7 for a request, so the caller can record them before anything is sent. */
  reserve(): { stan: string; now: Date; transmissionDateTime: string } {
    const now = this.now();
    return { stan: this.stan(), now, transmissionDateTime: transmissionDateTime(now) };
  }

  /** Sends one request; MACs it and checks the response's MAC when `macced` and a MAC key is configured. */
  private async exchange(msg: IsoMessage, macced: boolean): Promise<IsoMessage> {
    const mac = macced ? this.o.mac : undefined;
    const out = mac ? signMessage(msg, this.packager, mac) : msg;
    let reply: IsoMessage;
    try {
      reply = await this.o.requester.request(out, { timeoutMs: this.o.requestTimeoutMs });
    } catch (e) {
      if (errorKind(e) === 'timeout') this.liveness.timedOut();
      throw e;
    }
    this.liveness.answered();
    if (mac) {
      const check = checkMessageMac(reply, this.packager, mac, rawFrameOf(reply));
      if (check !== 'ok') {
        this.o.journal.append('host.macRejected', { mti: reply.mti, failure: check, stan: String(msg.fields[11] ?? ''), responseCode: String(reply.fields[39] ?? '') });
        throw new HostMacError(check, reply.mti);
      }
    }
    return reply;
  }

  private echo(): Promise<IsoMessage> {
    return this.exchange(buildNetworkRequest(this.o.profile.networkCodes.echo, this.stan(), this.now(), this.o.identity), false);
  }

  async signOn(): Promise<boolean> {
    try {
      const reply = await this.exchange(buildNetworkRequest(this.o.profile.networkCodes.signOn, this.stan(), this.now(), this.o.identity), false);
      const ok = reply.fields[39] === '00';
      this.o.journal.append('host.signOn', { responseCode: String(reply.fields[39] ?? '') });
      if (ok) {
        this.liveness.answered('signedOn');
        this.sender.resume();
      }
      return ok;
    } catch (e) {
      this.o.journal.append('host.signOn', { error: errorKind(e) });
      return false;
    }
  }

  /**
   * Key exchange: asks for a new working key (0800, field 70 = profile.networkCodes.keyExchange) and imports the
   * TR-31 block of the 0810 into the key store as `keyName` (default: the MAC key), checking its usage.
   */
  async keyExchange(opts: { keyName?: string; kbpkName?: string; keyStore?: KeyStore } = {}): Promise<KeyExchangeResult> {
    const store = opts.keyStore ?? this.o.keyExchange?.keyStore ?? this.o.mac?.keyStore;
    const kbpkName = opts.kbpkName ?? this.o.keyExchange?.kbpkName;
    const keyName = opts.keyName ?? this.o.mac?.keyName;
    if (!store || !kbpkName || !keyName) throw new TypeError('keyExchange needs a key store, a KBPK name and a key name');
    const result = await this.requestKey(store, kbpkName, keyName);
    this.o.journal.append('host.keyExchange', result.ok ? { keyName, usage: result.usage, kcv: result.kcv } : { keyName, failure: result.reason, responseCode: result.responseCode ?? '' });
    return result;
  }

  private async requestKey(store: KeyStore, kbpkName: string, keyName: string): Promise<KeyExchangeResult> {
    let reply: IsoMessage;
    try {
      reply = await this.exchange(buildNetworkRequest(this.o.profile.networkCodes.keyExchange, this.stan(), this.now(), this.o.identity), false);
    } catch (e) {
      return { ok: false, reason: errorKind(e) };
    }
    const rc = String(reply.fields[39] ?? '');
    if (rc !== '00') return { ok: false, reason: 'declined', responseCode: rc };
    const block = reply.fields[this.o.profile.privateFields.keyBlock];
    if (typeof block !== 'string' || !block) return { ok: false, reason: 'noKeyBlock', responseCode: rc };
    const usages = this.o.mac && keyName === this.o.mac.keyName ? MAC_USAGES[this.o.mac.alg] : undefined;
    const imported = importWorkingKey(store, kbpkName, keyName, block, usages);
    if (!imported.ok) return { ok: false, reason: imported.reason, responseCode: rc };
    return { ok: true, keyName, usage: imported.info.usage, kcv: imported.info.kcv };
  }

  /** 0200 withdrawal (or transfer) or 0100 inquiry. Throws HostUnavailableError (incl. HostMacError) when unanswered. */
  async authorize(req: AuthorizeRequest): Promise<AuthorizationResult> {
    const stan = req.reserved?.stan ?? this.stan();
    const now = req.reserved?.now ?? this.now();
    const msg = buildFinancialRequest({ ...req, stan, now }, this.o.identity, this.o.profile);
    const sent = { stan, transmissionDateTime: String(msg.fields[7]) };
    try {
      const reply = await this.exchange(msg, true);
      return { ...readReply(reply), ...sent, fields: reply.fields };
    } catch (e) {
      if (e instanceof HostMacError) throw new HostMacError(e.macFailure, e.mti, sent);
      const kind = errorKind(e);
      if (kind === 'timeout' && req.mti === '0200') {
        this.unanswered.remember({ txn: req.txn ?? 0, mti: req.mti, processingCode: req.processingCode, amount: req.amount, ...sent });
      }
      throw new HostUnavailableError(kind, `host ${kind}`, sent);
    }
  }

  /**
   * 0200 funds transfer (processing code: the profile's transfer class + from + to account types). No cash moves,
   * but an unanswered transfer (timeout, offline, MAC failure) may have moved money at the host: it is reversed in
   * full (0420, reason timeout) here, exactly as the session reverses an unanswered withdrawal, and a late
   * approval then finds that reversal already queued. Rethrows the HostUnavailableError.
   */
  async transfer(req: TransferRequest): Promise<AuthorizationResult> {
    const processingCode = transferProcessingCode(this.o.profile, req.from, req.to);
    const { from: _from, to: _to, ...rest } = req;
    try {
      return await this.authorize({ ...rest, mti: '0200', processingCode });
    } catch (e) {
      if (e instanceof HostUnavailableError) {
        const sent = e.request;
        this.queueReversal(
          req.txn ?? 0,
          { stan: sent?.stan ?? '', transmissionDateTime: sent?.transmissionDateTime ?? '', mti: '0200', processingCode, amount: req.amount },
          0,
          this.o.profile.reversalReason.timeout,
        );
      }
      throw e;
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
    this.sender.kick(0);
  }

  start(): void {
    this.sender.start();
    this.liveness.start();
  }

  stop(): void {
    this.sender.stop();
    this.liveness.stop();
  }

  /** Resolves when the queue is empty (tests, orderly shutdown). */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.o.reversals.depth() === 0) return true;
      this.sender.kick(0);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.o.reversals.depth() === 0;
  }

  /**
   * A response that arrived after we gave up. A late 0210 approval moved money the customer never got: reverse
   * it in full with the original request's data (amount, processing code, STAN, field 7), unless a reversal for
   * that original is already queued (the caller reverses timed-out withdrawals itself).
   */
  private onLateResponse(msg: IsoMessage): void {
    const rc = String(msg.fields[39] ?? '');
    const stan = String(msg.fields[11] ?? '');
    const f7 = typeof msg.fields[7] === 'string' ? msg.fields[7] : undefined;
    this.o.journal.append('host.lateResponse', { mti: msg.mti, responseCode: rc, stan });
    if (msg.mti !== '0210') return;
    const orig = this.unanswered.take(stan, f7);
    if (rc !== '00') return;
    const original = orig ?? this.originalFromResponse(msg);
    if (!original) {
      this.o.journal.append('host.lateResponse.unmatched', { stan });
      return;
    }
    if (this.o.reversals.hasOriginal(original.stan, original.transmissionDateTime)) {
      this.o.journal.append('reversal.alreadyQueued', { originalStan: original.stan }, { txn: orig?.txn ?? null });
      return;
    }
    this.queueReversal(orig?.txn ?? 0, { ...original, rrn: typeof msg.fields[37] === 'string' ? msg.fields[37] : undefined }, 0, this.o.profile.reversalReason.lateResponse);
  }

  /** Fallback when the original is no longer known: the fields the host echoed (3, 4, 7, 11). */
  private originalFromResponse(msg: IsoMessage): { stan: string; transmissionDateTime: string; mti: string; processingCode: string; amount: number } | null {
    const s = (n: number) => (typeof msg.fields[n] === 'string' ? (msg.fields[n] as string) : '');
    const amount = Number(s(4));
    if (!s(11) || !s(7) || !s(3) || !Number.isSafeInteger(amount)) return null;
    return { stan: s(11), transmissionDateTime: s(7), mti: '0200', processingCode: s(3), amount };
  }
}

function errorKind(e: unknown): HostFailureReason {
  const name = e instanceof Error ? e.name : '';
  if (/timeout/i.test(name)) return 'timeout';
  if (/offline/i.test(name)) return 'offline';
  return 'protocol';
}
