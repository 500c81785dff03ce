/**
 * Simulated motorised card reader (magstripe). Behaves like the hardware: a card must be inserted before a
 * read completes, an ejected card sits in the gate until taken, a retained card goes to the retain bin
 * (count persisted), and faults can be injected for every error code.
 */
import { TypedEmitter, fail, ok, type Completion } from '../common/types';
import type {
  CardReaderCapabilities,
  CardReaderErrorCode,
  CardReaderEvents,
  CardReaderService,
  CardReaderStatus,
  MediaStatus,
  RawCardData,
} from '../card-reader/types';
import { track2Of, type TestCard } from '../card-reader/test-cards';
import { SimChipCard } from '../card-reader/chip/sim-chip-card';
import { chipProfileForTestCard } from '../card-reader/chip/test-chip-cards';
import { StateFile } from './state-file';
import { MECHANICAL_MS, simDelay, type SimOptions } from './sim-timing';

export type CardReaderFault = 'none' | 'readError' | 'cardJam' | 'offline' | 'retainBinFull' | 'chipError' | 'chipDeclinesAfterApproval';

/** ATR of the simulated contact chip (T=1, EMV-style). */
const SIM_ATR = Uint8Array.from(Buffer.from('3B6800000073C84013009000', 'hex'));

interface Persisted {
  retainCount: number;
}

type Position = 'none' | 'inside' | 'gate' | 'jammed';

export class CardReaderSimulator implements CardReaderService {
  readonly events = new TypedEmitter<CardReaderEvents>();
  private position: Position = 'none';
  private card: TestCard | null = null;
  private chip: SimChipCard | null = null;
  private chipPowered = false;
  private retainCount = 0;
  private fault: CardReaderFault = 'none';
  private waiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private readonly store: StateFile<Persisted>;
  private readonly delay: (ms: number) => Promise<void>;

  constructor(
    private readonly opts: SimOptions & { retainBinCapacity: number },
  ) {
    this.delay = simDelay(opts);
    this.store = new StateFile<Persisted>(opts.statePath ?? null, (raw) =>
      raw && typeof raw === 'object' && Number.isInteger((raw as Persisted).retainCount) ? (raw as Persisted) : null,
    );
    this.retainCount = this.store.load()?.retainCount ?? 0;
  }

  // ---- simulator controls (the fascia, tests) ----
  /** The customer pushes a card into the slot. */
  insertCard(card: TestCard): Completion<Record<string, never>> {
    if (this.fault === 'offline') return fail('deviceNotReady', 'card reader offline');
    if (this.position !== 'none') return fail('sequenceError', 'a card is already in the reader');
    this.card = card;
    const profile = chipProfileForTestCard(card);
    this.chip = profile ? new SimChipCard(this.fault === 'chipDeclinesAfterApproval' ? { ...profile, faults: { ...profile.faults, declineSecondGenAc: true } } : profile) : null;
    this.chipPowered = false;
    this.position = 'inside';
    this.events.emit('mediaInserted', {});
    this.emitStatus();
    this.waiter?.resolve();
    this.waiter = null;
    return ok({});
  }
  /** The customer takes the card out of the gate. */
  takeCard(): Completion<Record<string, never>> {
    if (this.position !== 'gate') return fail('sequenceError', 'no card in the gate');
    this.position = 'none';
    this.card = null;
    this.chip = null;
    this.events.emit('mediaRemoved', {});
    this.emitStatus();
    return ok({});
  }
  injectFault(fault: CardReaderFault): void {
    this.fault = fault;
    this.emitStatus();
  }
  currentFault(): CardReaderFault {
    return this.fault;
  }
  /** Id of the test card in the reader, for the fascia (never the PAN). */
  cardInReader(): { id: string; position: Position } | null {
    return this.card ? { id: this.card.id, position: this.position } : null;
  }
  /** Empties the retain bin (custodian). */
  emptyRetainBin(): number {
    const n = this.retainCount;
    this.retainCount = 0;
    this.store.save({ retainCount: 0 });
    this.emitStatus();
    return n;
  }

  // ---- CardReaderService ----
  status(): CardReaderStatus {
    const media: MediaStatus = { none: 'notPresent', inside: 'present', gate: 'entering', jammed: 'jammed' }[this.position] as MediaStatus;
    const cap = this.opts.retainBinCapacity;
    return {
      device: this.fault === 'offline' ? 'offline' : this.position === 'jammed' ? 'hardwareError' : 'online',
      media,
      retainBin: { count: this.retainCount, capacity: cap, state: this.retainCount >= cap ? 'full' : this.retainCount >= cap * 0.9 ? 'high' : 'ok' },
    };
  }
  capabilities(): CardReaderCapabilities {
    return { type: 'motor', readTracks: ['track1', 'track2', 'track3'], chip: true, retainCapable: true };
  }

  async readRawData(
    req: { tracks: Array<'track1' | 'track2' | 'track3'>; chip?: boolean; timeoutMs?: number },
    signal?: AbortSignal,
  ): Promise<Completion<RawCardData, CardReaderErrorCode>> {
    if (this.fault === 'offline') return fail('deviceNotReady', 'card reader offline');
    if (this.waiter) return fail('sequenceError', 'a read is already pending');
    if (this.position === 'none') {
      const outcome = await new Promise<'inserted' | 'canceled' | 'timeout'>((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const done = (r: 'inserted' | 'canceled' | 'timeout') => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.waiter = null;
          resolve(r);
        };
        const onAbort = () => done('canceled');
        signal?.addEventListener('abort', onAbort, { once: true });
        if (req.timeoutMs) timer = setTimeout(() => done('timeout'), req.timeoutMs);
        this.waiter = { resolve: () => done('inserted'), reject: () => done('canceled') };
      });
      if (outcome === 'canceled') return fail('canceled', 'read canceled');
      if (outcome === 'timeout') return fail('timeOut', 'no card inserted');
    }
    if (this.position !== 'inside' || !this.card) return fail('commandErrorCode', 'no card inside', 'noMedia');
    await this.delay(MECHANICAL_MS.cardRead);
    if (this.fault === 'readError') return fail('commandErrorCode', 'track data unreadable', 'invalidMedia');
    const card = this.card;
    const data: RawCardData = {};
    if (req.tracks.includes('track2')) data.track2 = track2Of(card);
    if (req.tracks.includes('track1')) data.track1 = `B${card.pan}^TEST/CARDHOLDER^${card.expiry}${card.serviceCode}0000000000`;
    if (req.chip && this.chip && this.fault !== 'chipError') {
      this.chip.reset();
      this.chipPowered = true;
      data.chipAtr = SIM_ATR;
    }
    return ok(data);
  }

  async move(req: { to: 'exit' | 'retain' }): Promise<Completion<Record<string, never>, CardReaderErrorCode>> {
    if (this.fault === 'offline') return fail('deviceNotReady', 'card reader offline');
    if (this.position === 'jammed') return fail('commandErrorCode', 'card jammed', 'mediaJam');
    if (this.position === 'none') return fail('commandErrorCode', 'no card', 'noMedia');
    if (req.to === 'exit') {
      if (this.position === 'gate') return ok({});
      await this.delay(MECHANICAL_MS.cardEject);
      if (this.fault === 'cardJam') {
        this.position = 'jammed';
        this.emitStatus();
        return fail('commandErrorCode', 'card jammed during eject', 'mediaJam');
      }
      this.position = 'gate';
      this.events.emit('cardAction', { action: 'ejected' });
      this.emitStatus();
      return ok({});
    }
    if (this.fault === 'retainBinFull' || this.retainCount >= this.opts.retainBinCapacity) {
      return fail('commandErrorCode', 'retain bin full', 'retainBinFull');
    }
    await this.delay(MECHANICAL_MS.cardRetain);
    this.retainCount += 1;
    this.store.save({ retainCount: this.retainCount });
    this.position = 'none';
    this.card = null;
    this.chip = null;
    this.events.emit('cardAction', { action: 'retained' });
    this.emitStatus();
    return ok({});
  }

  async reset(req?: { to?: 'exit' | 'retain' | 'currentPosition' }): Promise<Completion<Record<string, never>, CardReaderErrorCode>> {
    if (this.fault === 'offline') return fail('deviceNotReady', 'card reader offline');
    if (this.position === 'jammed') {
      // A reset clears a jam by retaining the card (what most motorised readers do).
      this.position = 'inside';
      if (this.fault === 'cardJam') this.fault = 'none';
      return this.move({ to: 'retain' });
    }
    if (this.position === 'inside' && req?.to && req.to !== 'currentPosition') return this.move({ to: req.to });
    this.events.emit('cardAction', { action: 'reset' });
    return ok({});
  }

  async chipIO(req: { apdu: Uint8Array }): Promise<Completion<{ response: Uint8Array }, CardReaderErrorCode>> {
    if (this.fault === 'offline') return fail('deviceNotReady', 'card reader offline');
    if (this.position !== 'inside' || !this.card) return fail('commandErrorCode', 'no card inside', 'noMedia');
    if (!this.chip) return fail('commandErrorCode', 'card has no chip', 'invalidMedia');
    if (this.fault === 'chipError') return fail('hardwareError', 'chip does not answer');
    if (!this.chipPowered) return fail('sequenceError', 'chip not powered');
    try {
      return ok({ response: await this.chip.transport(req.apdu) });
    } catch {
      return fail('hardwareError', 'chip communication error');
    }
  }
  async chipPower(req: { action: 'cold' | 'warm' | 'off' }): Promise<Completion<{ atr?: Uint8Array }, CardReaderErrorCode>> {
    if (this.fault === 'offline') return fail('deviceNotReady', 'card reader offline');
    if (this.position !== 'inside' || !this.chip) return fail('commandErrorCode', 'no chip card inside', 'noMedia');
    if (this.fault === 'chipError') return fail('hardwareError', 'chip does not answer to reset');
    if (req.action === 'off') {
      this.chipPowered = false;
      return ok({});
    }
    this.chip.reset();
    this.chipPowered = true;
    return ok({ atr: SIM_ATR });
  }

  cancel(): void {
    this.waiter?.reject(new Error('canceled'));
  }

  private emitStatus(): void {
    this.events.emit('statusChanged', this.status());
  }
}
