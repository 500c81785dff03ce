/**
 * The set of simulated devices the kiosk runs on by default, and the fascia's view and controls of them.
 * The fascia talks to these devices only (insert card, press keys, take cash...), never to the machine.
 */
import type { FasciaModel, SimCommand } from '../common/contract';
import { TEST_CARDS } from '../../devices/card-reader/test-cards';
import { CardReaderSimulator, type CardReaderFault } from '../../devices/simulators/card-reader-sim';
import { DispenserSimulator, type DispenserFault } from '../../devices/simulators/dispenser-sim';
import { PinPadSimulator } from '../../devices/simulators/pinpad-sim';
import { PrinterSimulator, type PrinterFault } from '../../devices/simulators/printer-sim';
import { SensorsSimulator } from '../../devices/simulators/sensors-sim';
import { QrReaderSimulator } from '../../devices/simulators/qr-reader-sim';
import type { PadKey } from '../../devices/pinpad/types';
import { maskPan } from '../../journals/pan';
import type { HostFault } from '../host-sim/host-simulator';

export interface HostFaultControl {
  setFault(f: HostFault): void;
  currentFault(): HostFault;
  /** The simulated wallet on the host side (customer's phone). */
  confirmQr?(payload: string, cardId: string): { ok: true; reference: string; amount: number } | { ok: false; error: string };
  issueOneTimeCode?(cardId: string, amount: number, ttlMs?: number): string;
}

const CARD_FAULTS: CardReaderFault[] = ['none', 'readError', 'cardJam', 'offline', 'retainBinFull', 'chipError', 'chipDeclinesAfterApproval'];
const PRINTER_FAULTS: PrinterFault[] = ['none', 'offline', 'paperOut', 'paperOutMidReceipt', 'jam'];
const HOST_FAULTS: HostFault[] = ['none', 'drop', 'delay', 'garble', 'disconnect', 'issuerDown'];

export function parseDispenserFault(s: string): DispenserFault | null {
  if (s === 'none' || s === 'offline' || s === 'shutterJam') return s;
  const m = /^(jamAfterNotes|rejectNotes|powerLossAfterNotes):(\d{1,3})$/.exec(s);
  if (!m) return null;
  const n = Number(m[2]);
  if (m[1] === 'jamAfterNotes') return { jamAfterNotes: n };
  if (m[1] === 'rejectNotes') return { rejectNotes: n };
  return { powerLossAfterNotes: n };
}

function dispenserFaultName(f: DispenserFault): string {
  if (typeof f === 'string') return f;
  const [k, v] = Object.entries(f)[0]!;
  return `${k}:${v}`;
}

export class Simulators {
  private listeners = new Set<() => void>();
  host: HostFaultControl | null = null;
  private phone: { message: string | null; code: string | null } = { message: null, code: null };

  constructor(
    readonly cardReader: CardReaderSimulator,
    readonly dispenser: DispenserSimulator,
    readonly pinpad: PinPadSimulator,
    readonly printer: PrinterSimulator,
    readonly sensors: SensorsSimulator,
    private readonly terminal: { currency: string; locale: string },
    readonly qrReader: QrReaderSimulator = new QrReaderSimulator(),
  ) {
    const changed = () => this.changed();
    for (const ev of ['mediaInserted', 'mediaRemoved', 'cardAction', 'statusChanged'] as const) cardReader.events.on(ev, changed);
    for (const ev of ['itemsPresented', 'itemsTaken', 'statusChanged', 'incompleteDispense'] as const) dispenser.events.on(ev, changed);
    for (const ev of ['mediaPresented', 'mediaTaken', 'statusChanged'] as const) printer.events.on(ev, changed);
    pinpad.events.on('statusChanged', changed);
    qrReader.events.on('statusChanged', changed);
    sensors.events.on('changed', changed);
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  apply(cmd: SimCommand): { ok: true } | { ok: false; error: string } {
    const res = (c: { completionCode: string; errorDescription?: string }) =>
      c.completionCode === 'success' ? ({ ok: true } as const) : ({ ok: false, error: c.errorDescription ?? c.completionCode } as const);
    switch (cmd.type) {
      case 'insertCard': {
        const card = TEST_CARDS.find((c) => c.id === cmd.cardId);
        if (!card) return { ok: false, error: 'unknown test card' };
        return res(this.cardReader.insertCard(card));
      }
      case 'takeCard':
        return res(this.cardReader.takeCard());
      case 'key':
        return res(this.pinpad.pressKey(cmd.key as PadKey));
      case 'takeCash':
        return res(this.dispenser.takeCash());
      case 'takeReceipt':
        return res(this.printer.takeReceipt());
      case 'operatorSwitch':
        this.sensors.set({ operatorSwitch: cmd.position });
        return { ok: true };
      case 'safeDoor':
        this.sensors.set({ safeDoor: cmd.state });
        return { ok: true };
      case 'showCode':
        return this.qrReader.present(cmd.data) ? { ok: true } : { ok: false, error: 'the scanner is off' };
      case 'headphone':
        this.sensors.set({ headphone: cmd.present ? 'present' : 'absent' });
        return { ok: true };
      case 'walletConfirmQr': {
        if (!this.host?.confirmQr) return { ok: false, error: 'wallet not available: host is not simulated' };
        const r = this.host.confirmQr(cmd.payload, cmd.cardId);
        this.phone = { message: r.ok ? 'confirmed' : r.error, code: null };
        this.changed();
        return r.ok ? { ok: true } : { ok: false, error: r.error };
      }
      case 'walletIssueCode': {
        if (!this.host?.issueOneTimeCode) return { ok: false, error: 'wallet not available: host is not simulated' };
        try {
          const code = this.host.issueOneTimeCode(cmd.cardId, cmd.amount);
          this.phone = { message: 'code issued', code };
        } catch (e) {
          this.phone = { message: e instanceof Error ? e.message : 'failed', code: null };
        }
        this.changed();
        return { ok: true };
      }
      case 'fault': {
        const f = cmd.fault;
        if (cmd.device === 'cardReader') {
          if (!CARD_FAULTS.includes(f as CardReaderFault)) return { ok: false, error: 'unknown card reader fault' };
          this.cardReader.injectFault(f as CardReaderFault);
        } else if (cmd.device === 'printer') {
          if (!PRINTER_FAULTS.includes(f as PrinterFault)) return { ok: false, error: 'unknown printer fault' };
          this.printer.injectFault(f as PrinterFault);
        } else if (cmd.device === 'dispenser') {
          const df = parseDispenserFault(f);
          if (!df) return { ok: false, error: 'unknown dispenser fault' };
          this.dispenser.injectFault(df);
        } else {
          if (!this.host) return { ok: false, error: 'host is not simulated' };
          if (!HOST_FAULTS.includes(f as HostFault)) return { ok: false, error: 'unknown host fault' };
          this.host.setFault(f as HostFault);
        }
        this.changed();
        return { ok: true };
      }
    }
    return { ok: false, error: 'unknown simulator command' };
  }

  fasciaModel(): FasciaModel {
    const inReader = this.cardReader.cardInReader();
    const presented = this.dispenser.presentedNotes();
    const units = this.dispenser.cashUnits();
    const notes = Object.entries(presented).map(([id, count]) => ({ denomination: units.find((u) => u.id === id)?.denomination ?? 0, count }));
    const receipt = this.printer.receiptAtSlot();
    const cardState = inReader ? ({ inside: 'inside', gate: 'gate', jammed: 'jammed', none: 'empty' } as const)[inReader.position] : 'empty';
    return {
      cards: TEST_CARDS.map((c) => ({ id: c.id, label: c.label, maskedPan: maskPan(c.pan) })),
      cardSlot: { state: cardState, ...(inReader ? { cardId: inReader.id } : {}), retained: this.cardReader.status().retainBin.count },
      cashSlot: notes.length ? { notes, total: notes.reduce((s, n) => s + n.denomination * n.count, 0) } : null,
      receipt: receipt ? { lines: receipt.lines } : null,
      pinpad: { mode: this.pinpad.status().entryMode },
      operatorSwitch: this.sensors.state().operatorSwitch,
      headphone: this.sensors.state().headphone === 'present',
      safeDoor: this.sensors.state().safeDoor,
      scannerOn: this.qrReader.scanning(),
      cassettes: units.filter((u) => u.type === 'dispense').map((u) => ({ id: u.id, denomination: u.denomination, count: u.count, state: u.state })),
      faults: {
        cardReader: this.cardReader.currentFault(),
        dispenser: dispenserFaultName(this.dispenser.currentFault()),
        printer: this.printer.currentFault(),
        host: this.host?.currentFault() ?? 'none',
      },
      phone: { ...this.phone },
      lights: { card: cardState === 'gate' || cardState === 'empty', cash: notes.length > 0, receipt: receipt !== null },
      currency: this.terminal.currency,
      locale: this.terminal.locale,
    };
  }
}
