/**
 * Swipe-only `CardReaderService` on a MagTek USB HID reader. A read waits for the next swipe report (timeout,
 * cancel); a swipe with no read pending is dropped, never buffered. Each swipe emits `mediaInserted` then
 * `mediaRemoved` (the card has already left the head). There is no transport: move/retain and chip commands
 * complete with `unsupportedCommand`. Errors never include report contents.
 */
import type { CardReaderCapabilities, CardReaderErrorCode, CardReaderEvents, CardReaderService, CardReaderStatus, RawCardData } from '../../card-reader/types';
import { TypedEmitter, fail, ok, type Completion } from '../../common/types';
import { realTimers, type Timers } from '../serial/timers';
import { openMagtekDevice, type HidDeviceLike, type HidFactory } from './magtek-hid';
import { ReportError, parseMagtekReport, type MagtekSwipe } from './magtek-report';

type Empty = Record<string, never>;
type Track = 'track1' | 'track2' | 'track3';
type Outcome = { swipe: MagtekSwipe } | { error: string } | 'timeout' | 'canceled' | 'gone';

export class MagtekCardReader implements CardReaderService {
  readonly events = new TypedEmitter<CardReaderEvents>();
  private device: CardReaderStatus['device'] = 'online';
  private waiter: ((o: Outcome) => void) | null = null;

  constructor(
    private readonly hid: HidDeviceLike,
    private readonly timers: Timers = realTimers,
  ) {
    hid.on('data', (data) => this.onReport(data));
    hid.on('error', () => {
      this.device = 'noDevice';
      this.waiter?.('gone');
      this.events.emit('statusChanged', this.status());
    });
  }

  /** Finds and opens the reader; throws NoHidDeviceError with a clear message when none is present. */
  static open(factory: HidFactory, opts: { vendorId?: number; productIds?: readonly number[]; timers?: Timers } = {}): MagtekCardReader {
    return new MagtekCardReader(openMagtekDevice(factory, opts), opts.timers);
  }

  close(): void {
    this.waiter?.('gone');
    this.device = 'noDevice';
    this.hid.close();
  }

  status(): CardReaderStatus {
    return { device: this.device, media: 'notPresent', retainBin: { count: 0, capacity: 0, state: 'ok' } };
  }

  capabilities(): CardReaderCapabilities {
    return { type: 'swipe', readTracks: ['track1', 'track2', 'track3'], chip: false, retainCapable: false };
  }

  async readRawData(req: { tracks: Track[]; chip?: boolean; timeoutMs?: number }, signal?: AbortSignal): Promise<Completion<RawCardData, CardReaderErrorCode>> {
    if (this.device === 'noDevice') return fail('deviceNotReady', 'MagTek reader not connected');
    if (this.waiter) return fail('sequenceError', 'a read is already pending');
    const outcome = await new Promise<Outcome>((resolve) => {
      let timer: unknown = null;
      const done = (o: Outcome) => {
        if (timer !== null) this.timers.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiter = null;
        resolve(o);
      };
      const onAbort = () => done('canceled');
      if (signal?.aborted) return done('canceled');
      signal?.addEventListener('abort', onAbort, { once: true });
      if (req.timeoutMs) timer = this.timers.setTimeout(() => done('timeout'), req.timeoutMs);
      this.waiter = done;
    });
    if (outcome === 'canceled') return fail('canceled', 'read canceled');
    if (outcome === 'timeout') return fail('timeOut', 'no card swiped');
    if (outcome === 'gone') return fail('hardwareError', 'MagTek reader disconnected');
    if ('error' in outcome) return fail('commandErrorCode', outcome.error, 'invalidMedia');
    const data: RawCardData = {};
    const index: Record<Track, 0 | 1 | 2> = { track1: 0, track2: 1, track3: 2 };
    for (const t of req.tracks) {
      const read = outcome.swipe.tracks[index[t]];
      if (read.status === 'ok') data[t] = read.data;
    }
    if (req.tracks.length > 0 && Object.keys(data).length === 0) return fail('commandErrorCode', 'none of the requested tracks could be read', 'invalidMedia');
    return ok(data);
  }

  async move(): Promise<Completion<Empty, CardReaderErrorCode>> {
    return fail('unsupportedCommand', 'swipe reader: no card transport');
  }

  async reset(req?: { to?: 'exit' | 'retain' | 'currentPosition' }): Promise<Completion<Empty, CardReaderErrorCode>> {
    if (req?.to === 'exit' || req?.to === 'retain') return fail('unsupportedCommand', 'swipe reader: no card transport');
    this.events.emit('cardAction', { action: 'reset' });
    return ok({});
  }

  async chipIO(): Promise<Completion<{ response: Uint8Array }, CardReaderErrorCode>> {
    return fail('unsupportedCommand', 'swipe reader: no chip contacts');
  }

  async chipPower(): Promise<Completion<{ atr?: Uint8Array }, CardReaderErrorCode>> {
    return fail('unsupportedCommand', 'swipe reader: no chip contacts');
  }

  cancel(): void {
    this.waiter?.('canceled');
  }

  private onReport(data: Buffer): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.events.emit('mediaInserted', {});
    this.events.emit('mediaRemoved', {});
    try {
      waiter({ swipe: parseMagtekReport(data) });
    } catch (e) {
      if (!(e instanceof ReportError)) throw e;
      waiter({ error: e.message });
    }
  }
}
