/** A minimal ISO 8583 host on 127.0.0.1 for channel tests: decodes requests, lets the test answer. */
import { createServer, type Server, type Socket } from 'node:net';
import { FrameDecoder, encodeFrame, responseMti, swapTpdu, type Framing } from '../../../../main/host/channel';
import { packIso, unpackIso, type IsoMessage, type Packager } from '../../../../main/host/iso8583';

export interface Received {
  msg: IsoMessage;
  sock: Socket;
  tpdu: string | null;
}

export class TestHost {
  private server: Server | null = null;
  readonly sockets = new Set<Socket>();
  readonly received: Received[] = [];
  port = 0;
  /** Called for every request; default: approve at once. */
  onRequest: (r: Received) => void = (r) => this.reply(r, answer(r.msg));
  private waiters: Array<() => void> = [];

  constructor(
    readonly packager: Packager,
    readonly framing: Framing,
  ) {}

  private get responseFraming(): Framing {
    return this.framing.tpdu ? { ...this.framing, tpdu: swapTpdu(this.framing.tpdu) } : this.framing;
  }

  listen(port = this.port): Promise<number> {
    const server = createServer((sock) => {
      this.sockets.add(sock);
      const dec = new FrameDecoder(this.framing);
      sock.on('data', (chunk) => {
        for (const frame of dec.push(chunk)) {
          const r = { msg: unpackIso(frame, this.packager), sock, tpdu: dec.lastTpdu?.toString('hex') ?? null };
          this.received.push(r);
          this.onRequest(r);
          const w = this.waiters;
          this.waiters = [];
          w.forEach((f) => f());
        }
      });
      sock.on('error', () => undefined);
      sock.on('close', () => this.sockets.delete(sock));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const addr = server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : 0;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  reply(r: Received, msg: IsoMessage): void {
    this.writeRaw(r.sock, packIso(msg, this.packager));
  }

  /** Writes a payload in this host's framing (TPDU swapped). */
  writeRaw(sock: Socket, payload: Uint8Array): void {
    if (!sock.destroyed) sock.write(encodeFrame(payload, this.responseFraming));
  }

  async waitForRequests(n: number, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > until) throw new Error(`only ${this.received.length} of ${n} requests arrived`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}

/** An approval for `req`: response MTI, fields 11 and 41 echoed, 39 = 00, plus `extra`. */
export function answer(req: IsoMessage, extra: Record<number, string | Buffer> = {}): IsoMessage {
  const fields: Record<number, string | Buffer> = { 39: '00', ...extra };
  for (const f of [3, 4, 7, 11, 41]) if (req.fields[f] !== undefined) fields[f] = req.fields[f]!;
  return { mti: responseMti(req.mti), fields };
}
