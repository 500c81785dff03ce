/**
 * Device side of a Sankyo ICT3K5 over any Duplex: CRC-checked frames (NAK on a bad CRC), ACK, positive/negative
 * replies, resend when the host NAKs a reply. Realistic state: must be initialised first (negative B0), card entry
 * only while permitted, card inside / at the gate / gone, a retain bin with a capacity, tracks that may be blank,
 * a chip answering APDUs. Faults: silence, ACK without reply, NAKs, corrupted reply CRC, a negative reply code for
 * the next matching command, a jam on eject.
 */
import type { Duplex } from 'node:stream';
import { CM, PM, ST0, ST1 } from './sankyo-codes';
import { ACK, FRAME_START, NAK, TEXT_COMMAND, encodeNegative, encodePositive, scanFrame } from './sankyo-frame';

export interface SimCard {
  track1?: string;
  track2?: string;
  track3?: string;
  atr?: Uint8Array;
  apdu?: (command: Uint8Array) => Uint8Array;
}

export type SankyoFault =
  | { kind: 'none' }
  | { kind: 'noAnswer' }
  | { kind: 'noReply' }
  | { kind: 'nak'; times: number }
  | { kind: 'badCrc'; times: number }
  /** The next command with this command code (any when undefined) gets negative reply `code`. */
  | { kind: 'negative'; code: string; cm?: number }
  | { kind: 'jamOnEject' };

export interface SankyoSimOptions {
  retainCapacity?: number;
  initialised?: boolean;
}

type Position = 'none' | 'gate' | 'inside' | 'jammed';

export class SankyoDeviceSim {
  position: Position = 'none';
  card: SimCard | null = null;
  retained = 0;
  entryPermitted = false;
  initialised: boolean;
  chipPowered = false;
  /** "C cm pm" names of good commands received, in order. */
  readonly commands: string[] = [];
  private fault: SankyoFault = { kind: 'none' };
  private buf = Buffer.alloc(0);
  private lastReply: Buffer | null = null;
  private resends = 0;
  private readonly onData = (chunk: Buffer) => this.feed(chunk);

  constructor(
    private readonly stream: Duplex,
    private readonly opts: SankyoSimOptions = {},
  ) {
    this.initialised = opts.initialised ?? false;
    stream.on('data', this.onData);
    stream.on('error', () => undefined);
  }

  injectFault(f: SankyoFault): void {
    this.fault = f;
  }
  /** The customer pushes a card in; refused (false) unless entry is permitted and the slot is free. */
  insertCard(card: SimCard): boolean {
    if (!this.entryPermitted || this.position !== 'none') return false;
    this.card = card;
    this.position = 'inside';
    this.entryPermitted = false;
    return true;
  }
  /** The customer takes the card from the gate. */
  takeCard(): boolean {
    if (this.position !== 'gate') return false;
    this.position = 'none';
    this.card = null;
    return true;
  }
  detach(): void {
    this.stream.off('data', this.onData);
  }

  private send(bytes: number[] | Buffer): void {
    if (!this.stream.destroyed) this.stream.write(Buffer.from(bytes));
  }

  private feed(chunk: Buffer): void {
    if (this.fault.kind === 'noAnswer') return;
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const b0 = this.buf[0];
      if (b0 === undefined) return;
      if (b0 === ACK || b0 === NAK) {
        this.buf = this.buf.subarray(1);
        if (b0 === NAK && this.lastReply && this.resends++ < 3) this.sendReply(this.lastReply);
        else this.lastReply = null;
        continue;
      }
      if (b0 !== FRAME_START) {
        this.buf = this.buf.subarray(1);
        continue;
      }
      const scan = scanFrame(this.buf);
      if (scan.kind === 'need-more') return;
      this.buf = this.buf.subarray(scan.consumed);
      if (scan.kind === 'bad' || scan.text.type !== TEXT_COMMAND) {
        this.send([NAK]);
        continue;
      }
      if (this.fault.kind === 'nak' && this.fault.times > 0) {
        this.fault = this.fault.times > 1 ? { kind: 'nak', times: this.fault.times - 1 } : { kind: 'none' };
        this.send([NAK]);
        continue;
      }
      const { cm, pm, rest } = scan.text;
      this.commands.push(`C${String.fromCharCode(cm, pm)}`);
      this.send([ACK]);
      if (this.fault.kind === 'noReply') continue;
      const reply = this.execute(cm, pm, rest);
      this.lastReply = reply;
      this.resends = 0;
      setTimeout(() => this.sendReply(reply), 1);
    }
  }

  private sendReply(frame: Buffer): void {
    if (this.fault.kind === 'badCrc' && this.fault.times > 0) {
      this.fault = this.fault.times > 1 ? { kind: 'badCrc', times: this.fault.times - 1 } : { kind: 'none' };
      const bad = Buffer.from(frame);
      bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0x5a;
      return this.send(bad);
    }
    this.send(frame);
  }

  private execute(cm: number, pm: number, data: Buffer): Buffer {
    const neg = (code: string) => encodeNegative(cm, pm, code.charCodeAt(0), code.charCodeAt(1));
    const pos = (body: ArrayLike<number> = []) => encodePositive(cm, pm, this.st1(), this.st0(), body);
    if (this.fault.kind === 'negative' && (this.fault.cm === undefined || this.fault.cm === cm)) {
      const code = this.fault.code;
      this.fault = { kind: 'none' };
      return neg(code);
    }
    if (cm === CM.initialize) {
      this.initialised = true;
      this.chipPowered = false;
      if (this.position === 'inside' || this.position === 'jammed') {
        if (pm === PM.initCapture) this.capture();
        else if (pm === PM.initEject) this.position = 'gate';
      }
      return pos();
    }
    if (!this.initialised) return neg('B0');
    switch (cm) {
      case CM.status:
        return pos();
      case CM.entry:
        this.entryPermitted = pm === PM.entryPermit;
        return pos();
      case CM.move:
        if (this.position === 'jammed') return neg('10');
        if (this.position !== 'inside') return neg('16');
        if (pm === PM.capture) {
          if (this.retained >= (this.opts.retainCapacity ?? 50)) return neg('50');
          this.capture();
          return pos();
        }
        if (this.fault.kind === 'jamOnEject') {
          this.fault = { kind: 'none' };
          this.position = 'jammed';
          return neg('10');
        }
        this.position = 'gate';
        this.chipPowered = false;
        return pos();
      case CM.readTrack: {
        if (this.position !== 'inside' || !this.card) return neg('16');
        const track = pm === PM.track1 ? this.card.track1 : pm === PM.track2 ? this.card.track2 : pm === PM.track3 ? this.card.track3 : undefined;
        if (pm < PM.track1 || pm > PM.track3) return neg('01');
        return track ? pos(Buffer.from(track, 'latin1')) : neg('24');
      }
      case CM.chip:
        return this.chip(pm, data, pos, neg);
      default:
        return neg('00');
    }
  }

  private chip(pm: number, data: Buffer, pos: (b?: ArrayLike<number>) => Buffer, neg: (c: string) => Buffer): Buffer {
    if (this.position !== 'inside' || !this.card) return neg('16');
    if (pm === PM.chipPowerOff) {
      this.chipPowered = false;
      return pos();
    }
    if (!this.card.atr) return neg('60');
    if (pm === PM.chipPowerOn || pm === PM.chipWarmReset) {
      this.chipPowered = true;
      return pos(this.card.atr);
    }
    if (pm === PM.chipApdu) {
      if (!this.chipPowered) return neg('02');
      return pos(this.card.apdu ? this.card.apdu(Uint8Array.from(data)) : [0x6d, 0x00]);
    }
    return neg('01');
  }

  private capture(): void {
    this.retained += 1;
    this.position = 'none';
    this.card = null;
    this.chipPowered = false;
  }

  private st1(): number {
    return this.position === 'inside' || this.position === 'jammed' ? ST1.inside : this.position === 'gate' ? ST1.atGate : ST1.noCard;
  }
  private st0(): number {
    const cap = this.opts.retainCapacity ?? 50;
    return this.retained >= cap ? ST0.binFull : this.retained >= cap * 0.9 ? ST0.binNearFull : ST0.normal;
  }
}
