/**
 * Device side of an ESC/POS receipt printer over any Duplex: parses the byte stream (ESC @, ESC a, ESC d, GS !,
 * GS V, DLE EOT n, text, LF), keeps a paper roll that runs down line by line (near end, roll end: printing stops
 * mid-receipt), answers real-time status, and injects faults: cover open, cutter jam, unrecoverable error, no answer,
 * garbled status bytes.
 */
import type { Duplex } from 'node:stream';
import { DLE, EOT, ESC, GS, LF, type Align, type ReceiptLine } from './escpos-commands';
import {
  COVER_OPEN,
  CUTTER_ERROR,
  ERROR_OCCURRED,
  PAPER_END_STOP,
  PAPER_NEAR_END,
  PAPER_ROLL_END,
  PRINTER_OFFLINE,
  STATUS_FIXED_VALUE,
  UNRECOVERABLE_ERROR,
} from './escpos-status';

export type EscPosFault = 'none' | 'coverOpen' | 'cutterJam' | 'unrecoverable' | 'noAnswer' | 'garbledStatus';

export interface EscPosSimOptions {
  /** Lines of paper left on the roll. */
  paperLines: number;
  /** The near-end sensor trips at this many lines left. */
  nearEndLines?: number;
}

export class EscPosDeviceSim {
  /** Cut receipts, oldest first. */
  readonly receipts: ReceiptLine[][] = [];
  /** Lines printed since the last cut. */
  readonly pending: ReceiptLine[] = [];
  /** Count of each status request received, by n. */
  readonly statusRequests: Record<number, number> = {};
  private paperLeft: number;
  private fault: EscPosFault = 'none';
  private buf: number[] = [];
  private lineText = '';
  private alignTo: Align = 'left';
  private size = { width: 1, height: 1 };
  private readonly onData = (chunk: Buffer) => this.feed(chunk);

  constructor(
    private readonly stream: Duplex,
    private readonly opts: EscPosSimOptions,
  ) {
    this.paperLeft = opts.paperLines;
    stream.on('data', this.onData);
    stream.on('error', () => undefined);
  }

  injectFault(f: EscPosFault): void {
    this.fault = f;
  }
  loadPaper(lines: number): void {
    this.paperLeft = lines;
  }
  get paper(): number {
    return this.paperLeft;
  }
  detach(): void {
    this.stream.off('data', this.onData);
  }

  private get paperEnd(): boolean {
    return this.paperLeft <= 0;
  }
  private get stopped(): boolean {
    return this.paperEnd || this.fault === 'coverOpen' || this.fault === 'cutterJam' || this.fault === 'unrecoverable';
  }

  private feed(chunk: Buffer): void {
    this.buf.push(...chunk);
    for (;;) {
      const used = this.step();
      if (used === 0) return;
      this.buf.splice(0, used);
    }
  }

  /** Handles one command or character at the head of the buffer; returns bytes consumed (0 = need more). */
  private step(): number {
    const b = this.buf;
    if (b.length === 0) return 0;
    const c = b[0]!;
    if (c === DLE) {
      if (b.length < 3) return 0;
      if (b[1] === EOT) this.answerStatus(b[2]!);
      return b[1] === EOT ? 3 : 1;
    }
    if (c === ESC) {
      if (b.length < 2) return 0;
      if (b[1] === 0x40) {
        this.alignTo = 'left';
        this.size = { width: 1, height: 1 };
        this.lineText = '';
        return 2;
      }
      if (b.length < 3) return 0;
      if (b[1] === 0x61) this.alignTo = b[2] === 1 || b[2] === 0x31 ? 'center' : b[2] === 2 || b[2] === 0x32 ? 'right' : 'left';
      if (b[1] === 0x64) for (let i = 0; i < b[2]!; i++) this.lineFeed();
      return 3;
    }
    if (c === GS) {
      if (b.length < 3) return 0;
      if (b[1] === 0x21) {
        this.size = { width: ((b[2]! >> 4) & 7) + 1, height: (b[2]! & 7) + 1 };
        return 3;
      }
      if (b[1] === 0x56) {
        const withFeed = b[2] === 65 || b[2] === 66;
        if (withFeed && b.length < 4) return 0;
        this.cut();
        return withFeed ? 4 : 3;
      }
      return 3;
    }
    if (c === LF) {
      this.lineFeed();
      return 1;
    }
    if (c >= 0x20 && c < 0x7f && !this.stopped) this.lineText += String.fromCharCode(c);
    return 1;
  }

  private lineFeed(): void {
    if (this.stopped) return;
    this.pending.push({ text: this.lineText, align: this.alignTo, ...(this.size.width > 1 || this.size.height > 1 ? { size: { ...this.size } } : {}) });
    this.lineText = '';
    this.paperLeft -= 1;
  }

  private cut(): void {
    if (this.stopped) return;
    this.receipts.push(this.pending.splice(0));
  }

  private answerStatus(n: number): void {
    this.statusRequests[n] = (this.statusRequests[n] ?? 0) + 1;
    if (this.fault === 'noAnswer') return;
    if (this.fault === 'garbledStatus') return void this.stream.write(Buffer.from([0xff]));
    const cover = this.fault === 'coverOpen';
    const cutter = this.fault === 'cutterJam';
    const unrec = this.fault === 'unrecoverable';
    const error = cutter || unrec;
    const near = this.paperLeft <= (this.opts.nearEndLines ?? 0);
    let v = STATUS_FIXED_VALUE;
    if (n === 1 && this.stopped) v |= PRINTER_OFFLINE;
    if (n === 2) v |= (cover ? COVER_OPEN : 0) | (this.paperEnd ? PAPER_END_STOP : 0) | (error ? ERROR_OCCURRED : 0);
    if (n === 3) v |= (cutter ? CUTTER_ERROR : 0) | (unrec ? UNRECOVERABLE_ERROR : 0);
    if (n === 4) v |= (near || this.paperEnd ? PAPER_NEAR_END : 0) | (this.paperEnd ? PAPER_ROLL_END : 0);
    this.stream.write(Buffer.from([v]));
  }
}
