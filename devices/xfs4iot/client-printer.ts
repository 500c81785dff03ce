/**
 * An external XFS4IoT Printer service as our PrinterService. 2021-1 print completions carry no media
 * description, so the PrintedMedia returned is built here (local id, form name, the lines for PrintRaw;
 * a PrintForm's rendered lines stay inside the printer).
 */
import { TypedEmitter, systemClock, type Clock, type Completion, type DeviceState } from '../common/types';
import type { PrintedMedia, PrinterErrorCode, PrinterEvents, PrinterService, PrinterStatus } from '../printer/types';
import { fromWire } from './codes';
import { Xfs4IotClientBase, obj, str } from './client-base';
import type { ConnectionOptions } from './connection';
import type { Payload, WireCompletion } from './messages';
import { linesToData } from './printer-adapter';

export class Xfs4IotPrinter extends Xfs4IotClientBase implements PrinterService {
  readonly events = new TypedEmitter<PrinterEvents>();
  private state: PrinterStatus = { device: 'offline', paper: 'full', media: 'notPresent' };
  private nextId = 1;
  private atSlot: PrintedMedia | null = null;
  private readonly now: Clock;

  constructor(opts: ConnectionOptions) {
    super(opts);
    this.now = opts.clock ?? systemClock;
  }

  status(): PrinterStatus {
    return { ...this.state };
  }

  async printForm(req: { form: string; fields: Record<string, string> }): Promise<Completion<{ media: PrintedMedia }, PrinterErrorCode>> {
    return this.print('Printer.PrintForm', { formName: req.form, fields: req.fields, mediaControl: { cut: true, eject: true } }, req.form, []);
  }

  async printRaw(req: { lines: string[] }): Promise<Completion<{ media: PrintedMedia }, PrinterErrorCode>> {
    if (req.lines.length === 0) return { completionCode: 'invalidData', errorDescription: 'nothing to print' };
    return this.print('Printer.PrintRaw', { inputData: 'no', data: linesToData(req.lines) }, 'raw', req.lines);
  }

  private async print(command: string, payload: Payload, form: string, lines: string[]): Promise<Completion<{ media: PrintedMedia }, PrinterErrorCode>> {
    let presented = false;
    const w: WireCompletion = await this.connection.send(command, payload, {
      onEvent: (name) => {
        if (name === 'Printer.MediaPresentedEvent') presented = true;
      },
    });
    if (w.completionCode !== 'success') return fromWire<{ media: PrintedMedia }, PrinterErrorCode>(command, w, () => undefined);
    const media: PrintedMedia = { id: this.nextId++, form, lines: [...lines], printedAt: this.now.now(), taken: false };
    this.atSlot = media;
    if (presented) this.events.emit('mediaPresented', { media: { ...media } });
    return { completionCode: 'success', payload: { media } };
  }

  protected async loadState(): Promise<void> {
    const s = await this.commonStatus();
    if (s) this.applyStatus({ ...obj(s.common), printer: s.printer });
  }

  protected onDisconnected(): void {
    this.state = { ...this.state, device: 'offline' };
    this.events.emit('statusChanged', this.status());
  }

  protected onUnsolicited(name: string, payload: Payload): void {
    if (name === 'Printer.MediaTakenEvent') {
      const id = this.atSlot?.id ?? 0;
      if (this.atSlot) this.atSlot.taken = true;
      this.atSlot = null;
      this.events.emit('mediaTaken', { id });
    } else if (name === 'Common.StatusChangedEvent') this.applyStatus(payload);
  }

  private applyStatus(flat: Payload): void {
    const p = obj(flat.printer);
    const paper = str(obj(p.paper).upper);
    const media = str(p.media);
    this.state = {
      ...this.state,
      ...(str(flat.device) ? { device: str(flat.device) as DeviceState } : {}),
      ...(paper === 'full' || paper === 'low' || paper === 'out' || paper === 'jammed' ? { paper } : {}),
      ...(media === 'present' || media === 'notPresent' || media === 'entering' || media === 'jammed' ? { media } : {}),
    };
    this.events.emit('statusChanged', this.status());
  }
}
