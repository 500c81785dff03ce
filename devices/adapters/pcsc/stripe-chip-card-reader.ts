/**
 * One card reader service from two devices: a stripe reader (e.g. the MagTek HID head that reads the card as it
 * is dipped) for the tracks, and a PC/SC contact reader for the chip. ReadRawData reads the tracks, then, when
 * the chip is asked for, waits up to `chipSettleMs` for the card to sit on the contacts and powers it (ATR).
 * A card that does not reach the contacts in time is returned without `chipAtr`, which the kiosk treats as a chip
 * failure at read (fallback rules apply). Media events and presence are the contact reader's (a swipe head's
 * "inserted then removed" is not the card leaving); ChipPower / ChipIO go to the contact reader.
 */
import type { CardReaderCapabilities, CardReaderErrorCode, CardReaderEvents, CardReaderService, CardReaderStatus, RawCardData } from '../../card-reader/types';
import { TypedEmitter, fail, isSuccess, type Completion } from '../../common/types';
import type { PcscCardReader } from './pcsc-card-reader';

type Empty = Record<string, never>;
type Track = 'track1' | 'track2' | 'track3';

const SEVERITY: Record<CardReaderStatus['device'], number> = {
  online: 0,
  starting: 1,
  deviceBusy: 1,
  offline: 2,
  powerOff: 2,
  userError: 2,
  potentialFraud: 2,
  fraudAttempt: 3,
  hardwareError: 3,
  noDevice: 4,
};

export class StripeChipCardReader implements CardReaderService {
  readonly events = new TypedEmitter<CardReaderEvents>();

  constructor(
    private readonly stripe: CardReaderService,
    private readonly chip: PcscCardReader,
    private readonly opts: { chipSettleMs?: number } = {},
  ) {
    chip.events.on('mediaInserted', (e) => this.events.emit('mediaInserted', e));
    chip.events.on('mediaRemoved', (e) => this.events.emit('mediaRemoved', e));
    chip.events.on('cardAction', (e) => this.events.emit('cardAction', e));
    chip.events.on('statusChanged', () => this.events.emit('statusChanged', this.status()));
    stripe.events.on('statusChanged', () => this.events.emit('statusChanged', this.status()));
  }

  status(): CardReaderStatus {
    const s = this.stripe.status();
    const c = this.chip.status();
    const worst = SEVERITY[c.device] > SEVERITY[s.device] ? c : s;
    const detail = [s.detail && `stripe: ${s.detail}`, c.detail && `chip: ${c.detail}`].filter(Boolean).join('; ');
    return { device: worst.device, media: c.media, retainBin: { count: 0, capacity: 0, state: 'ok' }, ...(detail ? { detail } : {}) };
  }

  capabilities(): CardReaderCapabilities {
    return { type: 'dip', readTracks: this.stripe.capabilities().readTracks, chip: true, retainCapable: false };
  }

  async readRawData(req: { tracks: Track[]; chip?: boolean; timeoutMs?: number }, signal?: AbortSignal): Promise<Completion<RawCardData, CardReaderErrorCode>> {
    const tracks = await this.stripe.readRawData({ ...req, chip: false }, signal);
    if (!isSuccess(tracks) || !req.chip) return tracks;
    const chip = await this.chip.readRawData({ tracks: [], chip: true, timeoutMs: this.opts.chipSettleMs ?? 3000 }, signal);
    if (chip.completionCode === 'canceled') return chip;
    // No chip (not on the contacts in time, mute, reader down): the tracks alone; the kiosk decides on fallback.
    return isSuccess(chip) && chip.payload.chipAtr ? { completionCode: 'success', payload: { ...tracks.payload, chipAtr: chip.payload.chipAtr } } : tracks;
  }

  move(req: { to: 'exit' | 'retain' }): Promise<Completion<Empty, CardReaderErrorCode>> {
    return this.chip.move(req);
  }

  async reset(req?: { to?: 'exit' | 'retain' | 'currentPosition' }): Promise<Completion<Empty, CardReaderErrorCode>> {
    const r = await this.chip.reset(req);
    if (!isSuccess(r)) return r;
    const s = await this.stripe.reset({ to: 'currentPosition' });
    return isSuccess(s) ? r : fail(s.completionCode, `stripe reader: ${s.errorDescription ?? s.completionCode}`, s.errorCode);
  }

  chipIO(req: { apdu: Uint8Array }): Promise<Completion<{ response: Uint8Array }, CardReaderErrorCode>> {
    return this.chip.chipIO(req);
  }

  chipPower(req: { action: 'cold' | 'warm' | 'off' }): Promise<Completion<{ atr?: Uint8Array }, CardReaderErrorCode>> {
    return this.chip.chipPower(req);
  }

  cancel(): void {
    this.stripe.cancel();
    this.chip.cancel();
  }
}
