/**
 * Device side of a Puloon LCDM-2000 over any Duplex: validates command frames (NAK on bad BCC), ACKs, answers
 * purge / status / upper and lower dispense with realistic counts (cassette levels, rejected notes to the reject
 * tray, notes waiting at the exit sensor until taken), resends a response the host NAKs, and injects faults:
 * silence, NAKs, corrupted response BCC, an error byte after N notes, a missing cassette.
 */
import type { Duplex } from 'node:stream';
import { ACK, COMMAND_DATA_LENGTH, DEFAULT_ID, EOT, LcdmCommand, NAK, encodeResponse, readTwoDigits, scanFrame, twoDigits } from './lcdm-frame';
import { S0, S1 } from './lcdm-responses';

export type PuloonFault =
  | { kind: 'none' }
  /** Ignores everything (device powered off / cable cut). */
  | { kind: 'noAnswer' }
  /** ACKs commands but never sends the response. */
  | { kind: 'noResponse' }
  /** NAKs the next `times` command frames. */
  | { kind: 'nak'; times: number }
  /** Sends the next `times` responses with a wrong BCC. */
  | { kind: 'badBcc'; times: number }
  /** The next dispense stops with `error` after `afterNotes` notes left the exit. */
  | { kind: 'error'; error: number; afterNotes: number };

export interface PuloonSimOptions {
  upper: number;
  lower: number;
  id?: number;
  nearEnd?: number;
  /** Every n-th picked note is rejected (double/skewed). 0 = never. */
  rejectEvery?: number;
  /** Delay before each response, per note dispensed. */
  msPerNote?: number;
}

export class PuloonDeviceSim {
  upper: number;
  lower: number;
  rejectTray = 0;
  notesAtExit = 0;
  upperPresent = true;
  lowerPresent = true;
  /** Command codes received with a good BCC, in order. */
  readonly commands: number[] = [];
  private fault: PuloonFault = { kind: 'none' };
  private buf = Buffer.alloc(0);
  private lastResponse: Buffer | null = null;
  private resends = 0;
  private picks = 0;
  private readonly onData = (chunk: Buffer) => this.feed(chunk);

  constructor(
    private readonly stream: Duplex,
    private readonly opts: PuloonSimOptions,
  ) {
    this.upper = opts.upper;
    this.lower = opts.lower;
    stream.on('data', this.onData);
    stream.on('error', () => undefined);
  }

  injectFault(f: PuloonFault): void {
    this.fault = f;
  }
  /** The customer takes the notes at the exit. */
  takeNotes(): number {
    const n = this.notesAtExit;
    this.notesAtExit = 0;
    return n;
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
        if (b0 === NAK && this.lastResponse && this.resends++ < 3) this.sendResponse(this.lastResponse);
        else this.lastResponse = null;
        continue;
      }
      if (b0 !== EOT) {
        this.buf = this.buf.subarray(1);
        continue;
      }
      const scan = scanFrame(this.buf, EOT, COMMAND_DATA_LENGTH);
      if (scan.kind === 'need-more') return;
      this.buf = this.buf.subarray(scan.consumed);
      if (scan.kind === 'bad') {
        this.send([NAK]);
        continue;
      }
      if (this.fault.kind === 'nak' && this.fault.times > 0) {
        this.fault = this.fault.times > 1 ? { kind: 'nak', times: this.fault.times - 1 } : { kind: 'none' };
        this.send([NAK]);
        continue;
      }
      this.commands.push(scan.frame.cmd);
      this.send([ACK]);
      if (this.fault.kind === 'noResponse') continue;
      this.respond(scan.frame.cmd, scan.frame.data);
    }
  }

  private respond(cmd: number, data: Buffer): void {
    const id = this.opts.id ?? DEFAULT_ID;
    let payload: number[];
    let delay = 1;
    if (cmd === LcdmCommand.status) payload = [0x30, 0x30, ...this.sensors()];
    else if (cmd === LcdmCommand.purge) payload = [0x30];
    else {
      const n = readTwoDigits(data, 0) ?? 0;
      const r = this.dispense(cmd === LcdmCommand.dispenseUpper ? 'upper' : 'lower', n);
      payload = [...twoDigits(r.checked), ...twoDigits(r.exited), r.error, 0x30, ...twoDigits(r.rejected)];
      delay += n * (this.opts.msPerNote ?? 0);
    }
    const frame = encodeResponse(id, cmd, payload);
    this.lastResponse = frame;
    this.resends = 0;
    setTimeout(() => this.sendResponse(frame), delay);
  }

  /** Sends a response frame, corrupting its BCC while a badBcc fault lasts (also for resends). */
  private sendResponse(frame: Buffer): void {
    if (this.fault.kind === 'badBcc' && this.fault.times > 0) {
      this.fault = this.fault.times > 1 ? { kind: 'badBcc', times: this.fault.times - 1 } : { kind: 'none' };
      const bad = Buffer.from(frame);
      bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
      return this.send(bad);
    }
    this.send(frame);
  }

  private sensors(): [number, number] {
    const near = this.opts.nearEnd ?? 0;
    let s0 = 0;
    let s1 = 0;
    if (this.notesAtExit > 0) s0 |= S0.exit;
    if (this.upper <= near) s0 |= S0.upperNearEnd;
    if (this.lower <= near) s1 |= S1.lowerNearEnd;
    if (!this.upperPresent) s1 |= S1.upperMissing;
    if (!this.lowerPresent) s1 |= S1.lowerMissing;
    return [s0, s1];
  }

  private dispense(which: 'upper' | 'lower', n: number): { checked: number; exited: number; rejected: number; error: number } {
    const present = which === 'upper' ? this.upperPresent : this.lowerPresent;
    if (!present) return { checked: 0, exited: 0, rejected: 0, error: which === 'upper' ? 0x45 : 0x46 };
    if (n < 1 || n > 60) return { checked: 0, exited: 0, rejected: 0, error: 0x3b };
    let exited = 0;
    let rejected = 0;
    let error = 0x30;
    const injected = this.fault.kind === 'error' ? this.fault : null;
    while (exited < n) {
      if (injected && exited >= injected.afterNotes) {
        error = injected.error;
        this.fault = { kind: 'none' };
        break;
      }
      if ((which === 'upper' ? this.upper : this.lower) <= 0) {
        error = which === 'upper' ? 0x38 : 0x40;
        break;
      }
      if (which === 'upper') this.upper -= 1;
      else this.lower -= 1;
      this.picks += 1;
      if (this.opts.rejectEvery && this.picks % this.opts.rejectEvery === 0) {
        rejected += 1;
        this.rejectTray += 1;
      } else exited += 1;
    }
    this.notesAtExit += exited;
    return { checked: exited + rejected, exited, rejected, error };
  }
}
