/**
 * `PrinterService` for an ESC/POS receipt printer on a serial stream. Before and after each print the adapter
 * polls the real-time status (DLE EOT 1, 2, [3 when the error bit is set], 4) and maps it to the XFS4IoT status
 * and to completions: paper out -> paperOut, cutter error -> mediaJammed, cover open -> userError, other errors ->
 * hardwareError, no answer -> timeOut, port gone -> deviceNotReady (before printing) / hardwareError (during).
 *
 * A generic ESC/POS printer has no presenter or exit sensor: the cut receipt hangs at the tear bar, so the adapter
 * emits `mediaPresented` after a good print but can never emit `mediaTaken`; `status().media` stays `notPresent`.
 * Real-time status is answered even while the printer is busy, so the post-print poll waits `settleMs` for the
 * mechanism to finish the lines just sent (enough for a short receipt at 9600 baud; raise it for long forms).
 */
import type { Duplex } from 'node:stream';
import { TypedEmitter, fail, ok, type Completion } from '../../common/types';
import { FormError } from '../../printer/forms';
import type { PrintedMedia, PrinterErrorCode, PrinterEvents, PrinterService, PrinterStatus } from '../../printer/types';
import { ByteLink } from '../serial/byte-link';
import { CommandQueue } from '../serial/command-queue';
import { isLinkError, LinkError } from '../serial/link-errors';
import { realTimers, sleep, type Timers } from '../serial/timers';
import { encodeReceipt, realTimeStatus, type ReceiptLine, type StatusKind } from './escpos-commands';
import { renderEscPosForm } from './escpos-forms';
import { ERROR_OCCURRED, decodeStatus, isStatusByte, toPrinterStatus, type EscPosStatus } from './escpos-status';

export interface EscPosPrinterOptions {
  /** How long to wait for each real-time status byte. */
  statusTimeoutMs?: number;
  /** Wait between sending a receipt and polling its outcome. */
  settleMs?: number;
  /** Characters per line at normal size. */
  width?: number;
  /** Motion units fed before the cut (GS V 66 n). */
  cutFeed?: number;
  timers?: Timers;
  now?: () => number;
}

type Result = Completion<{ media: PrintedMedia }, PrinterErrorCode>;

export class EscPosPrinter implements PrinterService {
  readonly events = new TypedEmitter<PrinterEvents>();
  private readonly link: ByteLink;
  private readonly queue = new CommandQueue();
  private readonly timers: Timers;
  private current: PrinterStatus = { device: 'starting', paper: 'full', media: 'notPresent' };
  private nextId = 1;

  constructor(
    stream: Duplex,
    private readonly opts: EscPosPrinterOptions = {},
  ) {
    this.timers = opts.timers ?? realTimers;
    this.link = new ByteLink(stream, this.timers);
    this.link.onClosed(() => this.setStatus({ ...this.current, device: 'noDevice', detail: 'serial port closed' }));
  }

  status(): PrinterStatus {
    return { ...this.current };
  }

  /** Polls the printer and updates `status()`; the completion says whether the printer answered. */
  refreshStatus(): Promise<Completion<PrinterStatus>> {
    return this.queue.run(async () => {
      try {
        const s = await this.poll();
        return ok(this.applyStatus(s));
      } catch (e) {
        return this.linkFailure(e, false);
      }
    });
  }

  printForm(req: { form: string; fields: Record<string, string> }): Promise<Result> {
    let lines: ReceiptLine[];
    try {
      lines = renderEscPosForm(req.form, req.fields, this.opts.width ?? 42);
    } catch (e) {
      if (e instanceof FormError) return Promise.resolve(fail('commandErrorCode', e.message, e.code));
      throw e;
    }
    return this.print(req.form, lines);
  }

  printRaw(req: { lines: string[] }): Promise<Result> {
    return this.print('raw', req.lines.map((text) => ({ text })));
  }

  private print(form: string, lines: ReceiptLine[]): Promise<Result> {
    return this.queue.run(async () => {
      let started = false;
      try {
        const before = this.applyStatus(await this.poll());
        const blocked = this.blockingFault(before, 'before printing');
        if (blocked) return blocked;
        started = true;
        await this.link.write(encodeReceipt(lines, this.opts.cutFeed ?? 3));
        await sleep(this.timers, this.opts.settleMs ?? 200);
        const after = this.applyStatus(await this.poll());
        const failed = this.blockingFault(after, 'after printing');
        if (failed) return failed;
      } catch (e) {
        return this.linkFailure(e, started);
      }
      const media: PrintedMedia = { id: this.nextId++, form, lines: lines.map((l) => l.text), printedAt: (this.opts.now ?? Date.now)(), taken: false };
      this.events.emit('mediaPresented', { media: { ...media, lines: [...media.lines] } });
      return ok({ media });
    });
  }

  private blockingFault(s: PrinterStatus, when: string): Result | null {
    if (s.paper === 'jammed') return fail('commandErrorCode', `paper jam (cutter error) ${when}`, 'mediaJammed');
    if (s.device === 'userError') return fail('userError', `printer cover open ${when}`);
    if (s.paper === 'out') return fail('commandErrorCode', `paper out ${when}`, 'paperOut');
    if (s.device === 'hardwareError') return fail('hardwareError', `printer error ${when}`);
    if (s.device === 'offline') return fail('deviceNotReady', `printer offline ${when}`);
    return null;
  }

  private linkFailure<T>(e: unknown, midCommand: boolean): Completion<T, PrinterErrorCode> {
    if (!isLinkError(e)) throw e;
    if (e.kind === 'timeout') {
      this.setStatus({ ...this.current, device: 'offline', detail: 'printer does not answer status requests' });
      return fail('timeOut', `printer did not answer: ${e.message}`);
    }
    if (e.kind === 'badFrame') {
      this.setStatus({ ...this.current, device: 'hardwareError', detail: 'invalid status byte from printer' });
      return fail('hardwareError', e.message);
    }
    this.setStatus({ ...this.current, device: 'noDevice', detail: 'serial port closed' });
    return midCommand ? fail('hardwareError', `printer link lost while printing: ${e.message}`) : fail('deviceNotReady', `printer link lost: ${e.message}`);
  }

  private async poll(): Promise<EscPosStatus> {
    this.link.discardInput();
    const printer = await this.ask(1);
    const offline = await this.ask(2);
    const error = offline & ERROR_OCCURRED ? await this.ask(3) : undefined;
    const paper = await this.ask(4);
    return decodeStatus({ printer, offline, paper, ...(error !== undefined ? { error } : {}) });
  }

  private async ask(n: StatusKind): Promise<number> {
    await this.link.write(Uint8Array.from(realTimeStatus(n)));
    const [b] = await this.link.readBytes(1, this.opts.statusTimeoutMs ?? 500, `DLE EOT ${n} status byte`);
    if (b === undefined || !isStatusByte(b)) throw new LinkError('badFrame', `DLE EOT ${n}: reply is not a status byte`);
    return b;
  }

  private applyStatus(s: EscPosStatus): PrinterStatus {
    const next = toPrinterStatus(s, 'notPresent');
    this.setStatus(next);
    return next;
  }

  private setStatus(next: PrinterStatus): void {
    const changed = JSON.stringify(next) !== JSON.stringify(this.current);
    this.current = next;
    if (changed) this.events.emit('statusChanged', { ...next });
  }
}
