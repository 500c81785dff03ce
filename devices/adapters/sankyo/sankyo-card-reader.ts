/**
 * `CardReaderService` on a Sankyo ICT3K5-family motorised reader. A read permits card entry, polls the status
 * (C1) until the card is inside (-> `mediaInserted`), then reads the requested tracks (C6x) and optionally powers
 * the chip (CI0, ATR). A track that is blank or unreadable is left out; when none of the requested tracks can be
 * read the completion is `invalidMedia`. Eject (C3 0x30) leaves the card at the gate and the adapter polls until
 * it leaves (-> `mediaRemoved`); capture (C3 0x31) counts into the retain bin. Track data never appears in errors.
 */
import type { Duplex } from 'node:stream';
import type { CardReaderCapabilities, CardReaderErrorCode, CardReaderEvents, CardReaderService, CardReaderStatus, MediaStatus, RawCardData } from '../../card-reader/types';
import { TypedEmitter, fail, ok, type Completion } from '../../common/types';
import { ByteLink } from '../serial/byte-link';
import { CommandQueue } from '../serial/command-queue';
import { isLinkError } from '../serial/link-errors';
import { realTimers, sleep, type Timers } from '../serial/timers';
import { CM, PM, ST0, ST1, mapNegative } from './sankyo-codes';
import { SankyoDriver, type SankyoDriverOptions } from './sankyo-driver';

export interface SankyoCardReaderOptions extends SankyoDriverOptions {
  replyTimeoutMs?: number;
  /** Mechanical commands (init, eject, capture) take longer. */
  motionTimeoutMs?: number;
  /** Status poll interval while waiting for a card or for its removal. */
  pollMs?: number;
  retainBinCapacity?: number;
  retainCount?: number;
  timers?: Timers;
  now?: () => number;
}

type Empty = Record<string, never>;
type Track = 'track1' | 'track2' | 'track3';
type Reply = { st1: number; st0: number; data: Buffer };
class Refused {
  constructor(
    readonly completion: Completion<never, CardReaderErrorCode>,
    readonly errorCode: CardReaderErrorCode | undefined,
  ) {}
}

const TRACK_PM: Record<Track, number> = { track1: PM.track1, track2: PM.track2, track3: PM.track3 };

export class SankyoCardReader implements CardReaderService {
  readonly events = new TypedEmitter<CardReaderEvents>();
  private readonly link: ByteLink;
  private readonly driver: SankyoDriver;
  private readonly queue = new CommandQueue();
  private readonly timers: Timers;
  private media: MediaStatus = 'unknown';
  private device: CardReaderStatus['device'] = 'starting';
  private retainCount: number;
  private binState: 'ok' | 'high' | 'full' = 'ok';
  private readAbort: AbortController | null = null;
  private watchingRemoval = false;

  constructor(
    stream: Duplex,
    private readonly opts: SankyoCardReaderOptions = {},
  ) {
    this.timers = opts.timers ?? realTimers;
    this.link = new ByteLink(stream, this.timers);
    this.driver = new SankyoDriver(this.link, opts);
    this.retainCount = opts.retainCount ?? 0;
    this.link.onClosed(() => {
      this.device = 'noDevice';
      this.readAbort?.abort();
      this.emitStatus();
    });
  }

  status(): CardReaderStatus {
    const capacity = this.opts.retainBinCapacity ?? 50;
    const full = this.binState === 'full' || this.retainCount >= capacity;
    return { device: this.device, media: this.media, retainBin: { count: this.retainCount, capacity, state: full ? 'full' : this.binState === 'high' || this.retainCount >= capacity * 0.9 ? 'high' : 'ok' } };
  }

  capabilities(): CardReaderCapabilities {
    return { type: 'motor', readTracks: ['track1', 'track2', 'track3'], chip: true, retainCapable: true };
  }

  /** C0: initialise the mechanism (a card found inside is ejected by default). */
  initialize(onCard: 'exit' | 'retain' | 'currentPosition' = 'exit'): Promise<Completion<Empty, CardReaderErrorCode>> {
    const pm = onCard === 'exit' ? PM.initEject : onCard === 'retain' ? PM.initCapture : PM.initNoMove;
    return this.command(async () => {
      await this.cmd(CM.initialize, pm, [], this.motionTimeout);
      await this.pollStatus();
      this.device = 'online';
      this.emitStatus();
      return ok({});
    });
  }

  async readRawData(req: { tracks: Track[]; chip?: boolean; timeoutMs?: number }, signal?: AbortSignal): Promise<Completion<RawCardData, CardReaderErrorCode>> {
    if (this.readAbort) return fail('sequenceError', 'a read is already pending');
    const abort = new AbortController();
    this.readAbort = abort;
    const onAbort = () => abort.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const inserted = await this.waitForCard(req.timeoutMs ?? 0, abort.signal);
      if (typeof inserted !== 'string') return inserted;
      if (inserted !== 'inside') {
        if (this.link.closed) return fail('deviceNotReady', 'card reader link lost');
        return inserted === 'canceled' ? fail('canceled', 'read canceled') : fail('timeOut', 'no card inserted');
      }
      return await this.command(() => this.readCard(req));
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.readAbort = null;
    }
  }

  move(req: { to: 'exit' | 'retain' }): Promise<Completion<Empty, CardReaderErrorCode>> {
    return this.command(async () => {
      if (req.to === 'exit') {
        const r = await this.cmd(CM.move, PM.eject, [], this.motionTimeout);
        this.applyStatus(r);
        this.events.emit('cardAction', { action: 'ejected' });
        if (r.st1 === ST1.atGate) void this.watchRemoval();
        return ok({});
      }
      const r = await this.cmd(CM.move, PM.capture, [], this.motionTimeout);
      this.retainCount += 1;
      this.applyStatus(r);
      this.events.emit('cardAction', { action: 'retained' });
      return ok({});
    });
  }

  reset(req?: { to?: 'exit' | 'retain' | 'currentPosition' }): Promise<Completion<Empty, CardReaderErrorCode>> {
    return this.command(async () => {
      const to = req?.to ?? 'exit';
      const hadCard = this.media === 'present';
      const r = await this.cmd(CM.initialize, to === 'exit' ? PM.initEject : to === 'retain' ? PM.initCapture : PM.initNoMove, [], this.motionTimeout);
      if (hadCard && to === 'retain') this.retainCount += 1;
      this.applyStatus(r);
      this.device = 'online';
      this.events.emit('cardAction', { action: 'reset' });
      if (r.st1 === ST1.atGate) void this.watchRemoval();
      return ok({});
    });
  }

  chipIO(req: { apdu: Uint8Array }): Promise<Completion<{ response: Uint8Array }, CardReaderErrorCode>> {
    return this.command(async () => {
      const r = await this.cmd(CM.chip, PM.chipApdu, req.apdu, this.replyTimeout);
      return ok({ response: Uint8Array.from(r.data) });
    });
  }

  chipPower(req: { action: 'cold' | 'warm' | 'off' }): Promise<Completion<{ atr?: Uint8Array }, CardReaderErrorCode>> {
    return this.command(async () => {
      const pm = req.action === 'off' ? PM.chipPowerOff : req.action === 'warm' ? PM.chipWarmReset : PM.chipPowerOn;
      const r = await this.cmd(CM.chip, pm, [], this.replyTimeout);
      return ok(req.action === 'off' ? {} : { atr: Uint8Array.from(r.data) });
    });
  }

  cancel(): void {
    this.readAbort?.abort();
  }

  // ---- internals ----

  private get replyTimeout(): number {
    return this.opts.replyTimeoutMs ?? 1000;
  }
  private get motionTimeout(): number {
    return this.opts.motionTimeoutMs ?? 5000;
  }

  private async readCard(req: { tracks: Track[]; chip?: boolean }): Promise<Completion<RawCardData, CardReaderErrorCode>> {
    const data: RawCardData = {};
    let firstError: Completion<RawCardData, CardReaderErrorCode> | null = null;
    for (const track of req.tracks) {
      try {
        const r = await this.cmd(CM.readTrack, TRACK_PM[track], [], this.replyTimeout);
        data[track] = r.data.toString('latin1');
      } catch (e) {
        // A blank or unreadable track is normal on many cards; only give up when no track at all can be read.
        if (!(e instanceof Refused) || e.errorCode !== 'invalidMedia') throw e;
        firstError ??= e.completion;
      }
    }
    if (req.tracks.length > 0 && !data.track1 && !data.track2 && !data.track3) return firstError ?? fail('commandErrorCode', 'no track could be read', 'invalidMedia');
    if (req.chip) {
      const r = await this.cmd(CM.chip, PM.chipPowerOn, [], this.replyTimeout);
      data.chipAtr = Uint8Array.from(r.data);
    }
    return ok(data);
  }

  /** 'inside' when a card is in; a completion when the reader failed before the wait started. */
  private async waitForCard(timeoutMs: number, signal: AbortSignal): Promise<'inside' | 'timeout' | 'canceled' | Completion<never, CardReaderErrorCode>> {
    const first = await this.command(async () => ok(await this.pollStatus()));
    if (first.completionCode !== 'success') return fail(first.completionCode, first.errorDescription ?? 'status request failed', first.errorCode);
    if (first.payload.st1 === ST1.inside) return 'inside';
    const permit = await this.command(async () => ok(await this.cmd(CM.entry, PM.entryPermit, [], this.replyTimeout)));
    if (permit.completionCode !== 'success') return fail(permit.completionCode, permit.errorDescription ?? 'entry permit failed', permit.errorCode);
    const now = this.opts.now ?? Date.now;
    const deadline = timeoutMs > 0 ? now() + timeoutMs : Infinity;
    let outcome: 'inside' | 'timeout' | 'canceled' = 'timeout';
    for (;;) {
      if (signal.aborted) {
        outcome = 'canceled';
        break;
      }
      if (now() >= deadline) break;
      await sleep(this.timers, this.opts.pollMs ?? 100);
      if (signal.aborted) continue;
      const s = await this.command(async () => ok(await this.pollStatus()));
      if (s.completionCode === 'success' && s.payload.st1 === ST1.inside) {
        this.events.emit('mediaInserted', {});
        return 'inside';
      }
      if (this.link.closed) return 'canceled';
    }
    if (!this.link.closed) await this.command(async () => ok(await this.cmd(CM.entry, PM.entryInhibit, [], this.replyTimeout)));
    return outcome;
  }

  private async watchRemoval(): Promise<void> {
    if (this.watchingRemoval) return;
    this.watchingRemoval = true;
    try {
      while (!this.link.closed && this.media === 'entering') {
        await sleep(this.timers, this.opts.pollMs ?? 100);
        const s = await this.command(async () => ok(await this.pollStatus()));
        if (s.completionCode === 'success' && s.payload.st1 === ST1.noCard) {
          this.events.emit('mediaRemoved', {});
          return;
        }
      }
    } finally {
      this.watchingRemoval = false;
    }
  }

  private async pollStatus(): Promise<Reply> {
    const r = await this.cmd(CM.status, PM.status, [], this.replyTimeout);
    this.applyStatus(r);
    return r;
  }

  private applyStatus(r: Reply): void {
    const before = JSON.stringify(this.status());
    this.media = r.st1 === ST1.inside ? 'present' : r.st1 === ST1.atGate ? 'entering' : r.st1 === ST1.noCard ? 'notPresent' : 'unknown';
    this.binState = r.st0 === ST0.binFull ? 'full' : r.st0 === ST0.binNearFull ? 'high' : 'ok';
    if (this.device === 'starting' || this.device === 'hardwareError' || this.device === 'offline') this.device = 'online';
    if (JSON.stringify(this.status()) !== before) this.emitStatus();
  }

  /** Sends one command; a negative reply throws `Refused` with the mapped completion. */
  private async cmd(cm: number, pm: number, data: ArrayLike<number>, timeoutMs: number): Promise<Reply> {
    const r = await this.driver.exchange(cm, pm, data, timeoutMs);
    if (r.kind === 'positive') return r;
    const m = mapNegative(r.e1, r.e0);
    if (m.errorCode === 'mediaJam') {
      this.media = 'jammed';
      this.device = 'hardwareError';
      this.emitStatus();
    }
    if (m.errorCode === 'retainBinFull') this.binState = 'full';
    throw new Refused(fail(m.completionCode, `${m.text} (C${String.fromCharCode(cm, pm)}, code ${m.code})`, m.errorCode), m.errorCode);
  }

  /** Runs a command sequence on the queue and turns link failures and refusals into completions. */
  private command<T>(fn: () => Promise<Completion<T, CardReaderErrorCode>>): Promise<Completion<T, CardReaderErrorCode>> {
    return this.queue.run(async () => {
      if (this.link.closed) return fail('deviceNotReady', 'card reader link closed');
      try {
        return await fn();
      } catch (e) {
        if (e instanceof Refused) return e.completion;
        if (!isLinkError(e)) throw e;
        if (e.kind === 'closed') return fail('hardwareError', `card reader link lost: ${e.message}`);
        this.device = e.kind === 'timeout' ? 'offline' : 'hardwareError';
        this.emitStatus();
        return fail(e.kind === 'timeout' ? 'timeOut' : 'hardwareError', e.message);
      }
    });
  }

  private emitStatus(): void {
    this.events.emit('statusChanged', this.status());
  }
}
