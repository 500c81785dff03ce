/**
 * The embedded host simulator: a real TCP server on loopback speaking ISO 8583 with the same codec and
 * framing as the ATM, so the real network path runs in every demo and test. Latency and faults (drop,
 * delay, garble, disconnect, issuer down) are configurable at run time.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ISO87A, ISO87B, packIso, unpackIso, type Packager } from '../host/iso8583';
import { FrameDecoder, encodeFrame, type Framing } from '../host/channel/framing';
import { TEST_CARDS } from '../../devices/card-reader/test-cards';
import { BankStore } from './bank-store';
import { Issuer, pinParams, type IssuerKeys } from './issuer';
import { ibm3624Offset } from '../crypto/pin-verification';

export type HostFault = 'none' | 'drop' | 'delay' | 'garble' | 'disconnect' | 'issuerDown';

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
}

export class HostSimulator {
  readonly bank: BankStore;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly issuer: Issuer;
  private readonly packager: Packager;
  private fault: HostFault = 'none';
  private latencyMs: number;
  private stats = { requests: 0, responses: 0, errors: 0 };

  constructor(private readonly o: HostSimulatorOptions) {
    this.bank = new BankStore(o.dbPath, o.cardSecret);
    this.packager = o.packager === 'iso87b' ? ISO87B : ISO87A;
    this.latencyMs = o.latencyMs;
    this.issuer = new Issuer(this.bank, { keys: o.keys, maxPinTries: o.maxPinTries ?? 3, currencyNumeric: o.currencyNumeric, now: o.now ?? (() => new Date()) });
    this.seedTestCards();
  }

  /** Accounts for the fascia's test cards (simulation data), created once. */
  private seedTestCards(): void {
    for (const c of TEST_CARDS) {
      this.bank.upsertAccount({
        pan: c.pan,
        expiry: c.expiry,
        status: c.status ?? 'active',
        pinOffset: ibm3624Offset(pinParams(this.o.keys, c.pan), c.pin),
        balance: c.balance,
        dailyLimit: 100000,
      });
    }
  }

  setFault(f: HostFault): void {
    this.fault = f;
  }
  currentFault(): HostFault {
    return this.fault;
  }
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }
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

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
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
      } catch {
        this.stats.errors++;
        sock.destroy();
        return;
      }
      for (const f of frames) void this.onFrame(sock, f);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => this.sockets.delete(sock));
  }

  private async onFrame(sock: Socket, frame: Buffer): Promise<void> {
    this.stats.requests++;
    let req;
    try {
      req = unpackIso(frame, this.packager);
    } catch {
      // Undecodable request: a real switch drops it (and logs); the ATM times out and reverses if needed.
      this.stats.errors++;
      return;
    }
    const fault = this.fault;
    if (fault === 'disconnect') {
      sock.destroy();
      return;
    }
    if (fault === 'drop') return;
    const issuerDown = fault === 'issuerDown' && (req.mti === '0100' || req.mti === '0200');
    let resp = issuerDown ? { mti: req.mti === '0100' ? '0110' : '0210', fields: { ...pick(req, [2, 3, 4, 7, 11, 41]), 39: '91' } } : this.issuer.handle(req);
    if (!resp) return;
    if (resp.mti === '0431') resp = { ...resp, mti: '0430' };
    const wait = this.latencyMs + (fault === 'delay' ? (this.o.faultDelayMs ?? 60_000) : 0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (sock.destroyed) return;
    let bytes = packIso(resp, this.packager);
    if (fault === 'garble') {
      bytes = Buffer.from(bytes);
      for (let i = 4; i < bytes.length; i += 7) bytes[i] = bytes[i]! ^ 0x5a;
    }
    sock.write(encodeFrame(bytes, this.o.framing));
    this.stats.responses++;
  }
}

function pick(m: { fields: Record<number, string | Buffer> }, ids: number[]): Record<number, string | Buffer> {
  const out: Record<number, string | Buffer> = {};
  for (const id of ids) if (m.fields[id] !== undefined) out[id] = m.fields[id]!;
  return out;
}
