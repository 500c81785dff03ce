/**
 * The embedded host simulator: a real TCP server on loopback speaking ISO 8583 with the same codec and
 * framing as the ATM, so the real network path runs in every demo and test. Latency and faults (drop,
 * delay, garble, disconnect, issuer down) are configurable at run time (HostSimulatorControl); with `mac`
 * it verifies request MACs (answering 63 security violation, or dropping) and MACs its responses, and answers key exchanges.
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { ISO87A, ISO87B, packIso, unpackIso, type IsoMessage, type Packager } from '../host/iso8583';
import { FrameDecoder, encodeFrame, swapTpdu, type Framing } from '../host/channel/framing';
import { responseMti } from '../host/channel/matching';
import { DEFAULT_PROFILE, RC, type HostProfile } from '../host/profile';
import { TEST_CARDS } from '../../devices/card-reader/test-cards';
import { BankStore, type AccountStatus, type CardlessPinPolicy, type PinMethod } from './bank-store';
import { CardlessRegistry, type CardlessOptions } from './cardless-registry';
import type { HostFault, HostSimulatorControl } from './control';
import { HostMac, isMacedClass, type HostMacOptions } from './host-mac';
import { Issuer } from './issuer';
import { pinReference, type IssuerKeys } from './pin-check';
import { confirmQr, issueOneTimeCode, type ConfirmQrResult } from './wallet';

export type { HostFault, HostSimulatorControl } from './control';

export interface HostSimulatorOptions {
  dbPath: string;
  port?: number;
  host?: string;
  packager: 'iso87a' | 'iso87b';
  framing: Framing;
  latencyMs: number;
  keys: IssuerKeys;
  currencyNumeric: string;
  /** Secret for keying cards in the bank DB (HMAC of PAN). */
  cardSecret: Buffer;
  maxPinTries?: number;
  now?: () => Date;
  /** Extra delay used by the 'delay' fault (beyond the ATM's timeout). */
  faultDelayMs?: number;
  profile?: HostProfile;
  mac?: HostMacOptions;
  cardless?: Omit<CardlessOptions, 'now'>;
  /** Daily withdrawal limit of the seeded test accounts. Default 100000. */
  dailyLimit?: number;
}

/**
 * 'request': every decoded request, before faults apply (tests observe the wire: order, repeats, MTIs).
 * 'protocolError': a request that could not be framed or decoded (Iso8583Error names field and offset) or handled.
 */
export type HostSimulatorEvents = { request: [IsoMessage]; protocolError: [Error] };

export class HostSimulator extends EventEmitter<HostSimulatorEvents> implements HostSimulatorControl {
  readonly bank: BankStore;
  readonly cardless: CardlessRegistry;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly waits = new Map<ReturnType<typeof setTimeout>, () => void>();
  private readonly issuer: Issuer;
  private readonly packager: Packager;
  private readonly mac: HostMac | null;
  private readonly profile: HostProfile;
  private fault: HostFault = 'none';
  private latencyMs: number;
  private stats = { requests: 0, responses: 0, errors: 0, macFailures: 0 };

  constructor(private readonly o: HostSimulatorOptions) {
    super();
    const now = o.now ?? (() => new Date());
    this.bank = new BankStore(o.dbPath, o.cardSecret, now);
    this.packager = o.packager === 'iso87b' ? ISO87B : ISO87A;
    this.profile = o.profile ?? DEFAULT_PROFILE;
    this.latencyMs = o.latencyMs;
    this.mac = o.mac ? new HostMac(o.mac) : null;
    this.cardless = new CardlessRegistry({ ...o.cardless, now: () => now().getTime() });
    this.issuer = new Issuer(this.bank, {
      keys: o.keys,
      maxPinTries: o.maxPinTries ?? 3,
      currencyNumeric: o.currencyNumeric,
      now,
      profile: this.profile,
      cardless: this.cardless,
      keyExchange: () => {
        const block = this.mac?.rotate() ?? null;
        return block ? { field: this.profile.privateFields.keyBlock, block } : null;
      },
    });
    this.seedTestCards();
  }

  /** Accounts for the fascia's test cards (simulation data), created once. */
  private seedTestCards(): void {
    for (const c of TEST_CARDS) {
      this.bank.upsertAccount({
        pan: c.pan,
        expiry: c.expiry,
        status: c.status ?? 'active',
        pinOffset: pinReference('ibm3624', this.o.keys, c.pan, c.pin),
        balance: c.balance,
        // The card's second (savings) account, for transfers: half the checking balance.
        savings: Math.floor(c.balance / 2),
        dailyLimit: this.o.dailyLimit ?? 100000,
      });
    }
  }

  // --- HostSimulatorControl ---------------------------------------------------------------------------
  setFault(f: HostFault): void {
    this.fault = f;
  }
  currentFault(): HostFault {
    return this.fault;
  }
  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }
  latency(): number {
    return this.latencyMs;
  }
  private withAccount(cardId: string, fn: (id: number, pan: string, pin: string) => void): boolean {
    const card = TEST_CARDS.find((c) => c.id === cardId);
    const acct = card ? this.bank.findByPan(card.pan) : null;
    if (!card || !acct) return false;
    fn(acct.id, card.pan, card.pin);
    return true;
  }
  setAccountStatus(cardId: string, status: AccountStatus): boolean {
    return this.withAccount(cardId, (id) => this.bank.setStatus(id, status));
  }
  setBalance(cardId: string, minor: number): boolean {
    return this.withAccount(cardId, (id) => this.bank.setBalance(id, minor));
  }
  setDailyLimit(cardId: string, minor: number): boolean {
    return this.withAccount(cardId, (id) => this.bank.setDailyLimit(id, minor));
  }
  setPinMethod(cardId: string, method: PinMethod): boolean {
    return this.withAccount(cardId, (id, pan, pin) => this.bank.setPinReference(id, method, pinReference(method, this.o.keys, pan, pin, '1'), '1'));
  }
  setCardlessPin(cardId: string, policy: CardlessPinPolicy): boolean {
    return this.withAccount(cardId, (id) => this.bank.setCardlessPin(id, policy));
  }
  /** Drops every ATM connection now (a host restart or a network cut); returns how many there were. */
  dropConnections(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    return n;
  }
  /** The customer's wallet scans the ATM's QR and confirms it with a test card. */
  confirmQr(payload: string, cardId: string): ConfirmQrResult {
    return confirmQr(this, payload, cardId);
  }
  /** The customer's banking app issues a one-time code. */
  issueOneTimeCode(cardId: string, amount: number, ttlMs?: number): string {
    return issueOneTimeCode(this, cardId, amount, ttlMs);
  }
  // -----------------------------------------------------------------------------------------------------

  statistics() {
    return { ...this.stats, connections: this.sockets.size };
  }

  async listen(): Promise<number> {
    const server = createServer((sock) => this.onConnection(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  /** Responses go back with the TPDU's destination and source addresses swapped. */
  private get responseFraming(): Framing {
    const f = this.o.framing;
    return f.tpdu ? { ...f, tpdu: swapTpdu(f.tpdu) } : f;
  }

  /** A latency wait that close() cuts short (the answer is then not sent). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waits.delete(t);
        resolve();
      }, ms);
      this.waits.set(t, resolve);
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const [t, resolve] of this.waits) {
      clearTimeout(t);
      resolve();
    }
    this.waits.clear();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((r) => server.close(() => r()));
    this.bank.close();
  }

  private onConnection(sock: Socket): void {
    this.sockets.add(sock);
    sock.setNoDelay(true);
    const decoder = new FrameDecoder(this.o.framing);
    sock.on('data', (chunk) => {
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        // Out of sync: the stream cannot be trusted any more, drop the connection (the ATM reconnects).
        this.failed(e);
        sock.destroy();
        return;
      }
      for (const f of frames) void this.onFrame(sock, f);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => this.sockets.delete(sock));
  }

  /** The answer to one request (null: no answer), MAC checks included. */
  private respond(req: IsoMessage, raw: Buffer, fault: HostFault): IsoMessage | null {
    const mac = this.mac && isMacedClass(req.mti) ? this.mac : null;
    const verified = mac ? mac.verify(req, this.packager, raw) : null;
    if (mac && verified && verified.check !== 'ok') {
      // Never processed (no debit, no reversal): a security violation, or silence when configured to drop.
      this.stats.macFailures++;
      if (mac.onBadMac === 'drop') return null;
      return mac.sign(this.issuer.reply(req, responseMti(req.mti), RC.securityViolation, [3, 4, 7, 11, 41]), this.packager);
    }
    const issuerDown = fault === 'issuerDown' && (req.mti === '0100' || req.mti === '0200');
    const resp = issuerDown ? this.issuer.reply(req, responseMti(req.mti), RC.issuerInoperative, [2, 3, 4, 7, 11, 41]) : this.issuer.handle(req);
    if (!resp) return null;
    return mac && verified ? mac.sign(resp, this.packager, verified.keyName) : resp;
  }

  private async onFrame(sock: Socket, frame: Buffer): Promise<void> {
    this.stats.requests++;
    let req: IsoMessage;
    try {
      req = unpackIso(frame, this.packager);
    } catch (e) {
      // Undecodable request: a real switch drops it and logs; the ATM times out (and reverses a withdrawal).
      this.failed(e);
      return;
    }
    this.emit('request', req);
    const fault = this.fault;
    if (fault === 'disconnect') {
      sock.destroy();
      return;
    }
    if (fault === 'drop') return;
    let resp: IsoMessage | null;
    let bytes: Buffer;
    try {
      resp = this.respond(req, frame, fault);
      if (!resp) return;
      bytes = packIso(resp, this.packager);
    } catch (e) {
      // A fault of the simulator itself (e.g. its database): 96 system error, unMACed, nothing half-done.
      this.failed(e);
      bytes = packIso(this.issuer.reply(req, responseMti(req.mti), RC.systemError, [3, 4, 7, 11, 41]), this.packager);
    }
    const wait = this.latencyMs + (fault === 'delay' ? (this.o.faultDelayMs ?? 60_000) : 0);
    if (wait > 0) await this.sleep(wait);
    if (sock.destroyed || !this.server) return;
    if (fault === 'garble') bytes = garble(bytes);
    sock.write(encodeFrame(bytes, this.responseFraming));
    this.stats.responses++;
  }

  private failed(e: unknown): void {
    this.stats.errors++;
    this.emit('protocolError', e instanceof Error ? e : new Error(String(e)));
  }
}

/** The 'garble' fault: every 7th byte from offset 4 flipped (the bitmap and fields: undecodable or unmatched). */
export function garble(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 4; i < out.length; i += 7) out[i] = out[i]! ^ 0x5a;
  return out;
}
