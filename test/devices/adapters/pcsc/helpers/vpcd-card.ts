/**
 * Test support: a virtual ICC for vsmartcard's vpcd, the pcscd driver that listens on TCP (port CHANNELID of its
 * reader.conf entry, default 0x8C7B = 35963) for a card. Every message both ways is a 2-byte big-endian length
 * and a payload. From vpcd, a 1-byte payload is a control: 0 power off, 1 power on, 2 reset (no answer) or
 * 4 get ATR (answered with the ATR); anything longer is a C-APDU (TPDU), answered with the R-APDU.
 * vpcd polls presence with "get ATR", so the card is "inserted" while connected and answering, and "removed"
 * when the socket closes. `removeOnIns` pulls the card (closes the socket) when a command with that INS
 * arrives, i.e. in the middle of an APDU exchange.
 */
import { Socket, connect } from 'node:net';
import type { ChipTransport } from '../../../../../devices/card-reader/chip/apdu';

export interface VirtualCardBehaviour {
  atr: Uint8Array;
  transport: ChipTransport;
  /** Power on and reset: the card forgets its transaction state. */
  onReset?: () => void;
}

/** EMV basic ATRs (EMV Book 1 8.3): T=0 only, and T=1 (IFSC 254, BWI 4, CWI 5). */
export const ATR_T0 = Uint8Array.from(Buffer.from('3B600000', 'hex'));
export const ATR_T1 = (() => {
  const body = [0x3b, 0xe0, 0x00, 0x00, 0x81, 0x31, 0xfe, 0x45];
  const tck = body.slice(1).reduce((x, b) => x ^ b, 0);
  return Uint8Array.from([...body, tck]);
})();

export class VpcdCard {
  private socket: Socket | null = null;
  private buf = Buffer.alloc(0);
  private chain: Promise<void> = Promise.resolve();
  readonly controls: string[] = [];
  /** Pull the card when a command with this INS arrives. */
  removeOnIns: number | null = null;

  constructor(
    private readonly port: number,
    private readonly card: VirtualCardBehaviour,
    private readonly host = '127.0.0.1',
  ) {}

  get inserted(): boolean {
    return this.socket !== null && !this.socket.destroyed;
  }

  /** Connects to vpcd (the card enters the reader). Resolves once connected. */
  insert(): Promise<void> {
    if (this.inserted) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const s = connect({ port: this.port, host: this.host });
      this.buf = Buffer.alloc(0);
      s.once('connect', () => {
        s.off('error', reject);
        s.on('error', () => undefined); // vpcd closing on us is a removal, not a test failure
        this.socket = s;
        resolve();
      });
      s.once('error', reject);
      s.on('data', (d: Buffer) => this.onData(s, d));
      s.on('close', () => {
        if (this.socket === s) this.socket = null;
      });
    });
  }

  /** Closes the connection (the card leaves the reader). */
  remove(): void {
    const s = this.socket;
    this.socket = null;
    s?.destroy();
  }

  private onData(s: Socket, d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 2) {
      const len = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + len) return;
      const payload = Uint8Array.from(this.buf.subarray(2, 2 + len));
      this.buf = this.buf.subarray(2 + len);
      // Answer strictly in order, even though the card's transport is asynchronous.
      this.chain = this.chain.then(() => this.handle(s, payload)).catch(() => {
        s.destroy();
      });
    }
  }

  private async handle(s: Socket, payload: Uint8Array): Promise<void> {
    if (s.destroyed) return;
    if (payload.length === 1) {
      const ctrl = payload[0]!;
      if (ctrl === 4) return this.send(s, this.card.atr);
      this.controls.push(ctrl === 0 ? 'off' : ctrl === 1 ? 'on' : ctrl === 2 ? 'reset' : `ctrl${ctrl}`);
      if (ctrl === 1 || ctrl === 2) this.card.onReset?.();
      return;
    }
    if (this.removeOnIns !== null && payload[1] === this.removeOnIns) {
      this.remove();
      return;
    }
    this.send(s, await this.card.transport(payload));
  }

  private send(s: Socket, payload: Uint8Array): void {
    if (s.destroyed) return;
    const head = Buffer.alloc(2);
    head.writeUInt16BE(payload.length);
    s.write(Buffer.concat([head, payload]));
  }
}
