/**
 * Simulated cash dispenser (CashDispenser + CashManagement + Storage). Notes are picked one at a time into
 * the intermediate stacker; every physical change is written to the durable state file before the next one,
 * so after a power cut the counts say exactly which notes left which cassette (as a real dispenser's
 * non-volatile counters do).
 */
import { TypedEmitter, fail, ok, type Completion } from '../common/types';
import type {
  CashDispenserErrorCode,
  CashUnit,
  DispenserEvents,
  DispenserService,
  DispenserStatus,
  MixAlgorithm,
  NoteCounts,
} from '../dispenser/types';
import { mix } from '../dispenser/mix';
import { StateFile } from './state-file';
import { MECHANICAL_MS, simDelay, type SimOptions } from './sim-timing';

export type DispenserFault =
  | 'none'
  | 'offline'
  /** Jams after picking `afterNotes` notes. */
  | { jamAfterNotes: number }
  /** The next pick of each note is rejected (double/skewed note) `times` times. */
  | { rejectNotes: number }
  | 'shutterJam'
  /** Simulates a power cut: the process is killed after `afterNotes` picked notes (crash tests). */
  | { powerLossAfterNotes: number };

interface Persisted {
  units: CashUnit[];
  stacker: NoteCounts;
  presented: NoteCounts;
}

export interface CassetteConfig {
  id: string;
  denomination: number;
  count: number;
  capacity: number;
  lowThreshold: number;
}

export class DispenserSimulator implements DispenserService {
  readonly events = new TypedEmitter<DispenserEvents>();
  private units: CashUnit[];
  private stacker: NoteCounts = {};
  private presented: NoteCounts = {};
  private shutter: 'closed' | 'open' | 'jammed' = 'closed';
  private exchangeActive = false;
  private fault: DispenserFault = 'none';
  private busy = false;
  private readonly store: StateFile<Persisted>;
  private readonly delay: (ms: number) => Promise<void>;
  /** True when the durable state could not be read and the cassettes were reset from configuration. */
  readonly stateWasReset: boolean;

  constructor(
    opts: SimOptions & { currency: string; cassettes: CassetteConfig[]; onPowerLoss?: () => void },
  ) {
    this.delay = simDelay(opts);
    this.onPowerLoss = opts.onPowerLoss ?? (() => process.kill(process.pid, 'SIGKILL'));
    this.store = new StateFile<Persisted>(opts.statePath ?? null, (raw) => {
      const p = raw as Persisted;
      return p && Array.isArray(p.units) && typeof p.stacker === 'object' && typeof p.presented === 'object' ? p : null;
    });
    const saved = this.store.load();
    this.stateWasReset = saved === null;
    if (saved) {
      this.units = saved.units;
      this.stacker = saved.stacker;
      this.presented = saved.presented;
    } else {
      this.units = [
        ...opts.cassettes.map<CashUnit>((c) => ({
          id: c.id,
          type: 'dispense',
          currency: opts.currency,
          denomination: c.denomination,
          initial: c.count,
          count: c.count,
          dispensed: 0,
          presented: 0,
          rejected: 0,
          retracted: 0,
          lowThreshold: c.lowThreshold,
          capacity: c.capacity,
          state: 'ok',
        })),
        { id: 'REJ', type: 'reject', currency: opts.currency, denomination: 0, initial: 0, count: 0, dispensed: 0, presented: 0, rejected: 0, retracted: 0, lowThreshold: 0, highThreshold: 180, capacity: 200, state: 'ok' },
        { id: 'RET', type: 'retract', currency: opts.currency, denomination: 0, initial: 0, count: 0, dispensed: 0, presented: 0, rejected: 0, retracted: 0, lowThreshold: 0, highThreshold: 90, capacity: 100, state: 'ok' },
      ];
      this.refreshStates();
      this.persist();
    }
  }
  private readonly onPowerLoss: () => void;

  // ---- simulator controls ----
  injectFault(fault: DispenserFault): void {
    this.fault = fault;
    this.emitStatus();
  }
  currentFault(): DispenserFault {
    return this.fault;
  }
  /** The customer takes the presented notes. */
  takeCash(): Completion<{ counts: NoteCounts }> {
    if (Object.keys(this.presented).length === 0) return fail('sequenceError', 'no notes presented');
    const counts = this.presented;
    this.presented = {};
    this.shutter = 'closed';
    this.persist();
    this.events.emit('itemsTaken', {});
    this.emitStatus();
    return ok({ counts });
  }
  presentedNotes(): NoteCounts {
    return { ...this.presented };
  }

  // ---- service ----
  status(): DispenserStatus {
    return {
      device: this.fault === 'offline' ? 'offline' : this.shutter === 'jammed' ? 'hardwareError' : this.busy ? 'deviceBusy' : 'online',
      intermediateStacker: Object.keys(this.stacker).length ? 'notEmpty' : 'empty',
      outputPosition: Object.keys(this.presented).length ? 'notEmpty' : 'empty',
      shutter: this.shutter,
      exchangeActive: this.exchangeActive,
    };
  }
  cashUnits(): CashUnit[] {
    return this.units.map((u) => ({ ...u }));
  }

  async denominate(req: { amount: number; currency: string; mix: MixAlgorithm }): Promise<Completion<{ counts: NoteCounts }, CashDispenserErrorCode>> {
    const pre = this.precheck();
    if (pre) return pre;
    const usable = this.units.filter((u) => u.type === 'dispense' && u.currency === req.currency && u.state !== 'inoperative' && u.state !== 'missing');
    if (usable.length === 0) return fail('commandErrorCode', `no ${req.currency} cash units`, 'invalidDenomination');
    const counts = mix(req.amount, usable.map((u) => ({ id: u.id, denomination: u.denomination, available: u.count })), req.mix);
    if (!counts) return fail('commandErrorCode', 'amount cannot be dispensed from the notes available', 'notDispensable');
    return ok({ counts });
  }

  async dispense(req: { counts: NoteCounts }): Promise<Completion<{ counts: NoteCounts }, CashDispenserErrorCode>> {
    const pre = this.precheck();
    if (pre) return pre;
    if (Object.keys(this.stacker).length) return fail('sequenceError', 'stacker not empty: present or reject first');
    for (const [id, n] of Object.entries(req.counts)) {
      const u = this.units.find((x) => x.id === id && x.type === 'dispense');
      if (!u) return fail('commandErrorCode', `unknown cash unit ${id}`, 'cashUnitError');
      if (!Number.isInteger(n) || n < 0) return fail('invalidData', `bad count for ${id}`);
      if (u.count < n) return fail('commandErrorCode', `cash unit ${id} has ${u.count} notes`, 'cashUnitError');
    }
    this.busy = true;
    let picked = 0;
    try {
      for (const [id, n] of Object.entries(req.counts)) {
        const u = this.units.find((x) => x.id === id)!;
        for (let i = 0; i < n; i++) {
          const f = this.fault;
          if (typeof f === 'object' && 'jamAfterNotes' in f && picked >= f.jamAfterNotes) {
            this.fault = 'none';
            this.events.emit('incompleteDispense', { counts: { ...this.stacker } });
            return fail('commandErrorCode', 'note jam in the pick module', 'jam', { counts: { ...this.stacker } });
          }
          if (typeof f === 'object' && 'powerLossAfterNotes' in f && picked >= f.powerLossAfterNotes) {
            this.onPowerLoss();
          }
          await this.delay(MECHANICAL_MS.notePick);
          if (typeof f === 'object' && 'rejectNotes' in f && f.rejectNotes > 0) {
            // A double/skewed note goes to the reject bin; the module picks again.
            u.count -= 1;
            u.rejected += 1;
            this.units.find((x) => x.type === 'reject')!.count += 1;
            this.fault = f.rejectNotes > 1 ? { rejectNotes: f.rejectNotes - 1 } : 'none';
            this.refreshStates();
            this.persist();
            if (u.count === 0) {
              this.events.emit('incompleteDispense', { counts: { ...this.stacker } });
              return fail('commandErrorCode', `cash unit ${id} emptied by rejects`, 'cashUnitError', { counts: { ...this.stacker } });
            }
            i--;
            continue;
          }
          u.count -= 1;
          u.dispensed += 1;
          this.stacker[id] = (this.stacker[id] ?? 0) + 1;
          picked++;
          this.refreshStates();
          this.persist();
        }
      }
      return ok({ counts: { ...this.stacker } });
    } finally {
      this.busy = false;
      this.emitStatus();
    }
  }

  async present(): Promise<Completion<{ counts: NoteCounts }, CashDispenserErrorCode>> {
    const pre = this.precheck();
    if (pre) return pre;
    if (!Object.keys(this.stacker).length) return fail('commandErrorCode', 'nothing to present', 'noItems');
    if (this.fault === 'shutterJam') {
      this.shutter = 'jammed';
      this.emitStatus();
      return fail('commandErrorCode', 'shutter failed to open', 'shutterNotOpen');
    }
    await this.delay(MECHANICAL_MS.present);
    const counts = this.stacker;
    for (const [id, n] of Object.entries(counts)) this.units.find((u) => u.id === id)!.presented += n;
    this.presented = counts;
    this.stacker = {};
    this.shutter = 'open';
    this.persist();
    this.events.emit('itemsPresented', { counts: { ...counts } });
    this.emitStatus();
    return ok({ counts: { ...counts } });
  }

  async reject(): Promise<Completion<{ counts: NoteCounts }, CashDispenserErrorCode>> {
    if (this.fault === 'offline') return fail('deviceNotReady', 'dispenser offline');
    const counts = this.stacker;
    if (!Object.keys(counts).length) return fail('commandErrorCode', 'stacker empty', 'noItems');
    const bin = this.units.find((u) => u.type === 'reject')!;
    for (const [id, n] of Object.entries(counts)) {
      this.units.find((u) => u.id === id)!.rejected += n;
      bin.count += n;
    }
    this.stacker = {};
    this.refreshStates();
    this.persist();
    this.emitStatus();
    return ok({ counts: { ...counts } });
  }

  async retract(): Promise<Completion<{ counts: NoteCounts }, CashDispenserErrorCode>> {
    if (this.fault === 'offline') return fail('deviceNotReady', 'dispenser offline');
    const counts = this.presented;
    if (!Object.keys(counts).length) return fail('commandErrorCode', 'no notes in the output position', 'noItems');
    await this.delay(MECHANICAL_MS.retract);
    const bin = this.units.find((u) => u.type === 'retract')!;
    for (const [id, n] of Object.entries(counts)) {
      this.units.find((u) => u.id === id)!.retracted += n;
      bin.count += n;
    }
    this.presented = {};
    this.shutter = 'closed';
    this.refreshStates();
    this.persist();
    this.emitStatus();
    return ok({ counts: { ...counts } });
  }

  async startExchange(): Promise<Completion<{ units: CashUnit[] }, CashDispenserErrorCode>> {
    if (this.exchangeActive) return fail('commandErrorCode', 'exchange already active', 'exchangeActive');
    this.exchangeActive = true;
    this.emitStatus();
    return ok({ units: this.cashUnits() });
  }

  async endExchange(req: { units: Array<Pick<CashUnit, 'id'> & Partial<Pick<CashUnit, 'count' | 'denomination' | 'currency' | 'lowThreshold'>>> }): Promise<Completion<{ units: CashUnit[] }, CashDispenserErrorCode>> {
    if (!this.exchangeActive) return fail('sequenceError', 'no exchange active');
    for (const change of req.units) {
      const u = this.units.find((x) => x.id === change.id);
      if (!u) return fail('commandErrorCode', `unknown cash unit ${change.id}`, 'cashUnitError');
      if (change.count !== undefined && (!Number.isInteger(change.count) || change.count < 0 || change.count > u.capacity)) {
        return fail('invalidData', `count for ${change.id} must be 0..${u.capacity}`);
      }
    }
    for (const change of req.units) {
      const u = this.units.find((x) => x.id === change.id)!;
      if (change.denomination !== undefined) u.denomination = change.denomination;
      if (change.currency !== undefined) u.currency = change.currency;
      if (change.lowThreshold !== undefined) u.lowThreshold = change.lowThreshold;
      if (change.count !== undefined) {
        u.count = change.count;
        u.initial = change.count;
        u.dispensed = u.presented = u.rejected = u.retracted = 0;
      }
    }
    this.exchangeActive = false;
    this.refreshStates();
    this.persist();
    this.emitStatus();
    return ok({ units: this.cashUnits() });
  }

  private precheck(): Completion<never, CashDispenserErrorCode> | null {
    if (this.fault === 'offline') return fail('deviceNotReady', 'dispenser offline');
    if (this.exchangeActive) return fail('commandErrorCode', 'exchange active', 'exchangeActive');
    if (this.busy) return fail('sequenceError', 'dispenser busy');
    if (this.shutter === 'jammed') return fail('hardwareError', 'shutter jammed');
    return null;
  }

  private refreshStates(): void {
    for (const u of this.units) {
      const before = u.state;
      if (u.type === 'dispense') u.state = u.count === 0 ? 'empty' : u.count <= u.lowThreshold ? 'low' : 'ok';
      else u.state = u.count >= u.capacity ? 'full' : u.highThreshold !== undefined && u.count >= u.highThreshold ? 'high' : 'ok';
      if (u.state !== before) this.events.emit('cashUnitThreshold', { unit: { ...u } });
    }
  }

  private persist(): void {
    this.store.save({ units: this.units, stacker: this.stacker, presented: this.presented });
  }

  private emitStatus(): void {
    this.events.emit('statusChanged', this.status());
  }
}
