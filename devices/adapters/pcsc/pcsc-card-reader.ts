/**
 * `CardReaderService` on a PC/SC contact (dip) reader: the chip only, no stripe head and no card transport.
 * ReadRawData waits for a card (event-driven) and returns its ATR; ChipPower / ChipIO are SCardConnect /
 * SCardReconnect / SCardTransmit with the T=0 transport handled (./apdu-exchange). mediaInserted / mediaRemoved
 * follow the reader's card presence; a reader detached or pcscd stopped is `noDevice` until it comes back.
 * Combine it with a stripe reader in ./stripe-chip-card-reader for a complete card reader.
 */
import type { CardReaderCapabilities, CardReaderErrorCode, CardReaderEvents, CardReaderService, CardReaderStatus, RawCardData } from '../../card-reader/types';
import { ApduFormatError } from '../../card-reader/chip/apdu';
import { TypedEmitter, fail, ok, type Completion } from '../../common/types';
import { CommandQueue } from '../serial/command-queue';
import { PcscChipAccess, type PcscChipAccessOptions } from './pcsc-chip-access';
import { PcscError } from './pcsc-errors';

type Empty = Record<string, never>;
type Track = 'track1' | 'track2' | 'track3';

/** A chip failure as a completion (XFS4IoT CardReader codes). */
export function chipFailure<T>(e: unknown): Completion<T, CardReaderErrorCode> {
  if (e instanceof ApduFormatError) return fail('invalidData', e.message);
  if (!(e instanceof PcscError)) throw e;
  switch (e.kind) {
    case 'unavailable':
    case 'serviceUnavailable':
    case 'noReader':
      return fail('deviceNotReady', e.message);
    case 'noCard':
    case 'cardRemoved':
      return fail('commandErrorCode', e.message, 'noMedia');
    case 'unresponsive':
      return fail('commandErrorCode', e.message, 'invalidMedia');
    case 'notPowered':
    case 'cardReset':
      return fail('sequenceError', e.message);
    case 'sharingViolation':
      return fail('deviceNotReady', e.message);
    case 'timeout':
      return fail('timeOut', e.message);
    case 'communication':
    case 'protocol':
    case 'other':
      return fail('hardwareError', e.message);
  }
}

export class PcscCardReader implements CardReaderService {
  readonly events = new TypedEmitter<CardReaderEvents>();
  readonly chip: PcscChipAccess;
  private readonly queue = new CommandQueue();
  private readAbort: AbortController | null = null;

  constructor(opts: PcscChipAccessOptions | PcscChipAccess = {}) {
    this.chip = opts instanceof PcscChipAccess ? opts : new PcscChipAccess(opts);
    this.chip.events.on('cardInserted', () => {
      this.events.emit('mediaInserted', {});
      this.emitStatus();
    });
    this.chip.events.on('cardRemoved', () => {
      this.events.emit('mediaRemoved', {});
      this.emitStatus();
    });
    for (const ev of ['readerAttached', 'readerDetached', 'serviceLost', 'serviceRestored'] as const) this.chip.events.on(ev, () => this.emitStatus());
  }

  /** Loads the library and connects to pcscd (PcscError `unavailable` / `serviceUnavailable` when it cannot). */
  async open(): Promise<void> {
    await this.chip.start();
    this.emitStatus();
  }

  close(): void {
    this.readAbort?.abort();
    this.chip.close();
  }

  status(): CardReaderStatus {
    const s = this.chip.state();
    const device: CardReaderStatus['device'] = s.service === 'up' ? (s.reader ? 'online' : 'noDevice') : s.service === 'down' ? 'noDevice' : 'starting';
    const detail = s.service === 'down' ? s.detail : s.service === 'up' && !s.reader ? 'no PC/SC reader attached' : undefined;
    return { device, media: s.reader ? (s.cardPresent ? 'present' : 'notPresent') : 'unknown', retainBin: { count: 0, capacity: 0, state: 'ok' }, ...(detail ? { detail } : {}) };
  }

  capabilities(): CardReaderCapabilities {
    return { type: 'dip', readTracks: [], chip: true, retainCapable: false };
  }

  async readRawData(req: { tracks: Track[]; chip?: boolean; timeoutMs?: number }, signal?: AbortSignal): Promise<Completion<RawCardData, CardReaderErrorCode>> {
    if (!req.chip) return fail('unsupportedData', 'PC/SC contact reader: no magnetic stripe head');
    if (this.readAbort) return fail('sequenceError', 'a read is already pending');
    const s = this.chip.state();
    if (s.service !== 'up' || !s.reader) return fail('deviceNotReady', this.status().detail ?? 'PC/SC reader not ready');
    const abort = new AbortController();
    this.readAbort = abort;
    const onAbort = () => abort.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const outcome = await this.chip.waitForCard(req.timeoutMs ?? 0, abort.signal);
      if (outcome === 'canceled') return fail('canceled', 'read canceled');
      if (outcome === 'timeout') return fail('timeOut', 'no card inserted');
      if (outcome === 'gone') return fail('deviceNotReady', this.status().detail ?? 'PC/SC reader gone');
      return await this.queue.run(async () => {
        try {
          return ok({ chipAtr: (await this.chip.powerOn('cold')).atr });
        } catch (e) {
          return chipFailure<RawCardData>(e);
        }
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.readAbort = null;
    }
  }

  /**
   * A dip reader has no transport: `exit` powers the chip down and leaves the card to the cardholder (a card
   * already pulled is already at the exit: success too); `retain` is unsupported.
   */
  async move(req: { to: 'exit' | 'retain' }): Promise<Completion<Empty, CardReaderErrorCode>> {
    if (req.to === 'retain') return fail('unsupportedCommand', 'dip reader: cannot retain cards');
    return this.queue.run(async () => {
      this.chip.powerOff();
      if (this.chip.state().cardPresent) this.events.emit('cardAction', { action: 'ejected' });
      return ok({});
    });
  }

  async reset(req?: { to?: 'exit' | 'retain' | 'currentPosition' }): Promise<Completion<Empty, CardReaderErrorCode>> {
    if (req?.to === 'retain') return fail('unsupportedCommand', 'dip reader: cannot retain cards');
    return this.queue.run(async () => {
      this.chip.powerOff();
      this.events.emit('cardAction', { action: 'reset' });
      return ok({});
    });
  }

  chipIO(req: { apdu: Uint8Array }): Promise<Completion<{ response: Uint8Array }, CardReaderErrorCode>> {
    return this.queue.run(async () => {
      try {
        return ok({ response: await this.chip.transmit(req.apdu) });
      } catch (e) {
        return chipFailure<{ response: Uint8Array }>(e);
      }
    });
  }

  chipPower(req: { action: 'cold' | 'warm' | 'off' }): Promise<Completion<{ atr?: Uint8Array }, CardReaderErrorCode>> {
    return this.queue.run(async () => {
      if (req.action === 'off') {
        this.chip.powerOff();
        return ok({});
      }
      try {
        return ok({ atr: (await this.chip.powerOn(req.action)).atr });
      } catch (e) {
        return chipFailure<{ atr?: Uint8Array }>(e);
      }
    });
  }

  cancel(): void {
    this.readAbort?.abort();
  }

  private emitStatus(): void {
    this.events.emit('statusChanged', this.status());
  }
}
