/**
 * Simulated receipt printer: a paper roll that runs down (persisted), forms rendered from templates, the
 * printed receipt presented at the slot until taken, and injectable faults (paper out, out mid-receipt, jam,
 * offline).
 */
import { TypedEmitter, fail, ok, type Completion } from '../common/types';
import type { PrintedMedia, PrinterErrorCode, PrinterEvents, PrinterService, PrinterStatus } from '../printer/types';
import { FormError, renderForm } from '../printer/forms';
import { StateFile } from './state-file';
import { MECHANICAL_MS, simDelay, type SimOptions } from './sim-timing';

export type PrinterFault = 'none' | 'offline' | 'paperOut' | 'paperOutMidReceipt' | 'jam';

interface Persisted {
  paperLeft: number;
  nextId: number;
}

export class PrinterSimulator implements PrinterService {
  readonly events = new TypedEmitter<PrinterEvents>();
  private paperLeft: number;
  private nextId: number;
  private fault: PrinterFault = 'none';
  private atSlot: PrintedMedia | null = null;
  private readonly history: PrintedMedia[] = [];
  private readonly store: StateFile<Persisted>;
  private readonly delay: (ms: number) => Promise<void>;

  constructor(private readonly opts: SimOptions & { paperLength: number; lowPaper?: number }) {
    this.delay = simDelay(opts);
    this.store = new StateFile<Persisted>(opts.statePath ?? null, (raw) => {
      const p = raw as Persisted;
      return p && Number.isInteger(p.paperLeft) && Number.isInteger(p.nextId) ? p : null;
    });
    const saved = this.store.load();
    this.paperLeft = saved?.paperLeft ?? opts.paperLength;
    this.nextId = saved?.nextId ?? 1;
  }

  // ---- simulator controls ----
  injectFault(fault: PrinterFault): void {
    this.fault = fault;
    this.events.emit('statusChanged', this.status());
  }
  currentFault(): PrinterFault {
    return this.fault;
  }
  takeReceipt(): Completion<{ id: number }> {
    if (!this.atSlot) return fail('sequenceError', 'no receipt at the slot');
    const id = this.atSlot.id;
    this.atSlot.taken = true;
    this.atSlot = null;
    this.events.emit('mediaTaken', { id });
    this.events.emit('statusChanged', this.status());
    return ok({ id });
  }
  receiptAtSlot(): PrintedMedia | null {
    return this.atSlot ? { ...this.atSlot, lines: [...this.atSlot.lines] } : null;
  }
  /** A new paper roll (custodian). */
  loadPaper(): void {
    this.paperLeft = this.opts.paperLength;
    if (this.fault === 'paperOut') this.fault = 'none';
    this.save();
    this.events.emit('statusChanged', this.status());
  }

  status(): PrinterStatus {
    const low = this.opts.lowPaper ?? Math.floor(this.opts.paperLength / 10);
    return {
      device: this.fault === 'offline' ? 'offline' : this.fault === 'jam' ? 'hardwareError' : 'online',
      paper: this.fault === 'jam' ? 'jammed' : this.paperLeft <= 0 || this.fault === 'paperOut' ? 'out' : this.paperLeft <= low ? 'low' : 'full',
      media: this.atSlot ? 'present' : 'notPresent',
    };
  }

  async printForm(req: { form: string; fields: Record<string, string> }): Promise<Completion<{ media: PrintedMedia }, PrinterErrorCode>> {
    let lines: string[];
    try {
      lines = renderForm(req.form, req.fields);
    } catch (e) {
      if (e instanceof FormError) return fail('commandErrorCode', e.message, e.code);
      throw e;
    }
    return this.print(req.form, lines);
  }

  printRaw(req: { lines: string[] }): Promise<Completion<{ media: PrintedMedia }, PrinterErrorCode>> {
    return this.print('raw', req.lines);
  }

  private async print(form: string, lines: string[]): Promise<Completion<{ media: PrintedMedia }, PrinterErrorCode>> {
    if (this.fault === 'offline') return fail('deviceNotReady', 'printer offline');
    if (this.fault === 'jam') return fail('commandErrorCode', 'paper jam', 'mediaJammed');
    if (this.fault === 'paperOut' || this.paperLeft <= 0) return fail('commandErrorCode', 'paper out', 'paperOut');
    if (this.atSlot) {
      // An untaken receipt is retracted/dropped into the bin before the next one (as kiosk printers do).
      this.atSlot = null;
    }
    const printed: string[] = [];
    for (const line of lines) {
      if (this.fault === 'paperOutMidReceipt' && printed.length >= Math.floor(lines.length / 2)) {
        this.paperLeft = 0;
        this.fault = 'paperOut';
        this.save();
        this.events.emit('statusChanged', this.status());
        return fail('commandErrorCode', `paper ran out after ${printed.length} of ${lines.length} lines`, 'paperOut');
      }
      await this.delay(MECHANICAL_MS.printLine);
      printed.push(line);
      this.paperLeft -= 1;
    }
    await this.delay(MECHANICAL_MS.cut);
    const media: PrintedMedia = { id: this.nextId++, form, lines: printed, printedAt: Date.now(), taken: false };
    this.save();
    this.atSlot = media;
    this.history.push(media);
    if (this.history.length > 50) this.history.shift();
    this.events.emit('mediaPresented', { media: { ...media } });
    this.events.emit('statusChanged', this.status());
    return ok({ media });
  }

  private save(): void {
    this.store.save({ paperLeft: Math.max(0, this.paperLeft), nextId: this.nextId });
  }
}
