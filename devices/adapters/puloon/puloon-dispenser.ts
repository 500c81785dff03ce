/**
 * `DispenserService` on a Puloon LCDM-1000/2000-style two-cassette note dispenser (upper + lower cassette,
 * reject tray).
 *
 * No shutter, no stacker: an LCDM feeds the notes straight out through its exit rollers while dispensing, so
 * there is no separate "stack, then present" step and nothing can be pulled back. The adapter maps:
 * - `dispense`: status check (purge first if notes are left in the path), then 0x45/0x55 per cassette in chunks
 *   of at most `maxNotesPerCommand`; counts are persisted after every device answer. The notes are at the exit
 *   when it completes.
 * - `present`: no device command; marks the notes at the exit as presented, emits `itemsPresented`, and polls the
 *   exit sensor (0x46) until the customer takes them, then emits `itemsTaken`.
 * - `reject`: purge (0x44): clears notes left inside the transport path into the reject tray. Notes already at
 *   the exit are not affected.
 * - `retract`: `unsupportedCommand`; notes not taken stay at the exit (the journal records them as presented).
 * `status().shutter` is reported as 'closed' because the contract has no 'notSupported' value.
 */
import type { Duplex } from 'node:stream';
import { TypedEmitter, fail, ok, type Completion } from '../../common/types';
import { mix } from '../../dispenser/mix';
import type { CashDispenserErrorCode, CashUnit, DispenserEvents, DispenserService, DispenserStatus, MixAlgorithm, NoteCounts } from '../../dispenser/types';
import { ByteLink } from '../serial/byte-link';
import { CommandQueue } from '../serial/command-queue';
import { isLinkError } from '../serial/link-errors';
import { realTimers, sleep, type Timers } from '../serial/timers';
import type { CountsStore } from './counts-store';
import { LcdmDriver, type LcdmDriverOptions } from './lcdm-driver';
import { describeLcdmError } from './lcdm-errors';
import { LcdmCommand, twoDigits } from './lcdm-frame';
import { parseDispense, parseStatus, type LcdmStatus } from './lcdm-responses';
import { initialUnits, refreshState, REJECT_UNIT_ID } from './puloon-units';

export interface PuloonCassetteConfig {
  id: string;
  denomination: number;
  initialCount: number;
  capacity: number;
  lowThreshold: number;
}

export interface PuloonDispenserConfig {
  currency: string;
  upper: PuloonCassetteConfig;
  lower: PuloonCassetteConfig;
  rejectCapacity: number;
  /** The LCDM accepts at most 60 notes per dispense command. */
  maxNotesPerCommand?: number;
}

export interface PuloonDispenserOptions extends LcdmDriverOptions {
  /** Response wait for status/purge. */
  statusTimeoutMs?: number;
  /** Response wait for a dispense command, per note requested, plus statusTimeoutMs. */
  perNoteTimeoutMs?: number;
  /** Exit-sensor poll interval after present. */
  takePollMs?: number;
  timers?: Timers;
}

type Result = Completion<{ counts: NoteCounts }, CashDispenserErrorCode>;

export class PuloonDispenser implements DispenserService {
  readonly events = new TypedEmitter<DispenserEvents>();
  private readonly link: ByteLink;
  private readonly driver: LcdmDriver;
  private readonly queue = new CommandQueue();
  private readonly timers: Timers;
  private units: CashUnit[];
  private atExit: NoteCounts = {};
  private presented = false;
  private exchangeActive = false;
  private device: DispenserStatus['device'] = 'online';
  private detail: string | undefined;

  constructor(
    stream: Duplex,
    private readonly config: PuloonDispenserConfig,
    private readonly store: CountsStore,
    private readonly opts: PuloonDispenserOptions = {},
  ) {
    this.timers = opts.timers ?? realTimers;
    this.link = new ByteLink(stream, this.timers);
    this.driver = new LcdmDriver(this.link, opts);
    this.units = store.load() ?? initialUnits(config);
    this.link.onClosed(() => this.setDevice('noDevice', 'serial port closed'));
  }

  status(): DispenserStatus {
    return {
      device: this.device,
      intermediateStacker: 'empty',
      outputPosition: Object.keys(this.atExit).length ? 'notEmpty' : 'empty',
      shutter: 'closed',
      exchangeActive: this.exchangeActive,
      ...(this.detail ? { detail: this.detail } : {}),
    };
  }

  cashUnits(): CashUnit[] {
    return this.units.map((u) => ({ ...u }));
  }

  async denominate(req: { amount: number; currency: string; mix: MixAlgorithm }): Promise<Result> {
    const usable = this.dispenseUnits().filter((u) => u.currency === req.currency && u.state !== 'missing' && u.state !== 'inoperative');
    if (usable.length === 0) return fail('commandErrorCode', `no ${req.currency} cash units`, 'invalidDenomination');
    const counts = mix(req.amount, usable.map((u) => ({ id: u.id, denomination: u.denomination, available: u.count })), req.mix);
    return counts ? ok({ counts }) : fail('commandErrorCode', 'amount cannot be dispensed from the notes available', 'notDispensable');
  }

  dispense(req: { counts: NoteCounts }): Promise<Result> {
    if (this.exchangeActive) return Promise.resolve(fail('commandErrorCode', 'exchange active', 'exchangeActive'));
    const plan: Array<{ unit: CashUnit; cmd: number; n: number }> = [];
    for (const [id, n] of Object.entries(req.counts)) {
      const unit = this.dispenseUnits().find((u) => u.id === id);
      if (!unit || !Number.isInteger(n) || n < 0) return Promise.resolve(fail('invalidData', `bad note count for unit ${id}`));
      if (n > unit.count) return Promise.resolve(fail('commandErrorCode', `unit ${id} has ${unit.count} notes`, 'notDispensable'));
      if (n > 0) plan.push({ unit, cmd: unit.id === this.config.upper.id ? LcdmCommand.dispenseUpper : LcdmCommand.dispenseLower, n });
    }
    if (plan.length === 0) return Promise.resolve(fail('commandErrorCode', 'nothing to dispense', 'noItems'));
    return this.queue.run(() => this.runDispense(plan));
  }

  private async runDispense(plan: Array<{ unit: CashUnit; cmd: number; n: number }>): Promise<Result> {
    const exited: NoteCounts = {};
    const requested = plan.reduce((s, p) => s + p.n, 0);
    let started = false;
    try {
      const st = await this.readStatus();
      const pre = this.checkReady(st, plan.map((p) => p.unit.id));
      if (pre) return pre;
      if (st.sensors.pathBlocked) await this.purge();
      started = true;
      const max = Math.min(60, this.config.maxNotesPerCommand ?? 60);
      for (const step of plan) {
        let left = step.n;
        while (left > 0) {
          const n = Math.min(max, left);
          const timeout = (this.opts.statusTimeoutMs ?? 2000) + n * (this.opts.perNoteTimeoutMs ?? 1000);
          const data = await this.driver.exchange(step.cmd, twoDigits(n), timeout);
          const r = parseDispense(data);
          if (!r) {
            this.setDevice('hardwareError', 'unreadable dispense counts');
            return this.partial('hardwareError', `dispense response from ${step.unit.id} has unreadable counts`, undefined, exited, requested);
          }
          this.applyCounts(step.unit.id, r.exited, r.rejected);
          if (r.exited > 0) exited[step.unit.id] = (exited[step.unit.id] ?? 0) + r.exited;
          this.mergeAtExit(step.unit.id, r.exited);
          const err = describeLcdmError(r.error);
          if (err.kind !== 'ok' || r.exited < n) return this.dispenseFault(step.unit.id, r.error, exited, requested);
          left -= n;
        }
      }
      this.setDevice('online');
      return ok({ counts: exited });
    } catch (e) {
      if (!isLinkError(e)) throw e;
      if (e.kind === 'timeout' || e.kind === 'nak') this.setDevice('hardwareError', 'dispenser does not answer');
      if (!started && e.kind === 'closed') return fail('deviceNotReady', `dispenser link lost: ${e.message}`);
      const code = e.kind === 'timeout' ? 'timeOut' : 'hardwareError';
      return this.partial(code, `${started ? 'dispense outcome unknown' : 'status check failed'}: ${e.message}`, undefined, exited, requested);
    }
  }

  private dispenseFault(unitId: string, error: number, exited: NoteCounts, requested: number): Result {
    const err = describeLcdmError(error);
    const text = `${unitId}: ${err.text}`;
    switch (err.kind) {
      case 'jam':
        this.setDevice('hardwareError', text);
        return this.partial('commandErrorCode', text, 'jam', exited, requested);
      case 'cashUnit':
        this.markUnit(unitId, error);
        return this.partial('commandErrorCode', text, 'cashUnitError', exited, requested);
      case 'hardware':
        this.setDevice('hardwareError', text);
        return this.partial('hardwareError', text, undefined, exited, requested);
      case 'invalid':
        return this.partial('internalError', text, undefined, exited, requested);
      default:
        return this.partial('commandErrorCode', text, 'incompleteDispense', exited, requested);
    }
  }

  private partial(code: Exclude<Result['completionCode'], 'success'>, text: string, errorCode: CashDispenserErrorCode | undefined, exited: NoteCounts, requested: number): Result {
    const total = Object.values(exited).reduce((s, n) => s + n, 0);
    if (total > 0 && total < requested) this.events.emit('incompleteDispense', { counts: { ...exited } });
    return fail<CashDispenserErrorCode, { counts: NoteCounts }>(code, text, errorCode, { counts: { ...exited } });
  }

  async present(): Promise<Result> {
    const counts = { ...this.atExit };
    if (Object.keys(counts).length === 0) return fail('commandErrorCode', 'no notes at the exit', 'noItems');
    if (!this.presented) {
      this.presented = true;
      for (const [id, n] of Object.entries(counts)) this.unit(id).presented += n;
      this.persist();
      this.events.emit('itemsPresented', { counts });
      void this.watchForTake();
    }
    return ok({ counts });
  }

  reject(): Promise<Result> {
    return this.queue.run(async () => {
      try {
        await this.purge();
        return ok({ counts: {} });
      } catch (e) {
        if (!isLinkError(e)) throw e;
        return fail(e.kind === 'timeout' ? 'timeOut' : e.kind === 'closed' ? 'deviceNotReady' : 'hardwareError', `purge failed: ${e.message}`);
      }
    });
  }

  async retract(): Promise<Result> {
    return fail('unsupportedCommand', 'the LCDM has no retract mechanism: notes at the exit stay there');
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
      if (!u) return fail('invalidData', `unknown unit ${change.id}`);
      if (change.count !== undefined && (!Number.isInteger(change.count) || change.count < 0 || change.count > u.capacity)) return fail('invalidData', `bad count for ${u.id}`);
    }
    for (const change of req.units) {
      const u = this.unit(change.id);
      if (change.denomination !== undefined) u.denomination = change.denomination;
      if (change.currency !== undefined) u.currency = change.currency;
      if (change.lowThreshold !== undefined) u.lowThreshold = change.lowThreshold;
      if (change.count !== undefined) Object.assign(u, { count: change.count, initial: change.count, dispensed: 0, presented: 0, rejected: 0, retracted: 0 });
      refreshState(u);
    }
    this.exchangeActive = false;
    this.persist();
    this.emitStatus();
    return ok({ units: this.cashUnits() });
  }

  /** Polls the device status (for start-up and monitoring). */
  refreshStatus(): Promise<Completion<DispenserStatus>> {
    return this.queue.run(async () => {
      try {
        const st = await this.readStatus();
        this.checkReady(st, []);
        return ok(this.status());
      } catch (e) {
        if (!isLinkError(e)) throw e;
        if (e.kind !== 'closed') this.setDevice('hardwareError', 'dispenser does not answer');
        return fail(e.kind === 'timeout' ? 'timeOut' : e.kind === 'closed' ? 'deviceNotReady' : 'hardwareError', e.message);
      }
    });
  }

  private async readStatus(): Promise<LcdmStatus> {
    return parseStatus(await this.driver.exchange(LcdmCommand.status, [], this.opts.statusTimeoutMs ?? 2000));
  }

  private async purge(): Promise<void> {
    const data = await this.driver.exchange(LcdmCommand.purge, [], (this.opts.statusTimeoutMs ?? 2000) * 5);
    const err = describeLcdmError(data[0]!);
    if (err.kind !== 'ok') this.setDevice('hardwareError', `purge: ${err.text}`);
  }

  /** Applies cassette presence/near-end sensors; returns a completion when the units needed are not usable. */
  private checkReady(st: LcdmStatus, needed: string[]): Result | null {
    const { upper, lower } = this.config;
    const missing = { [upper.id]: st.sensors.upperMissing, [lower.id]: st.sensors.lowerMissing };
    for (const u of this.dispenseUnits()) {
      const before = u.state;
      if (missing[u.id]) u.state = 'missing';
      else if (u.state === 'missing') {
        u.state = 'ok';
        refreshState(u);
      }
      if (u.state !== before) this.emitThreshold(u);
    }
    const err = describeLcdmError(st.error);
    if (err.kind === 'hardware' || err.kind === 'jam') {
      this.setDevice('hardwareError', err.text);
      return fail(err.kind === 'jam' ? 'commandErrorCode' : 'hardwareError', err.text, err.kind === 'jam' ? 'jam' : undefined);
    }
    this.setDevice('online');
    if (!st.sensors.exitBlocked && this.presented) this.taken();
    const gone = needed.find((id) => missing[id]);
    return gone ? fail('commandErrorCode', `cassette ${gone} not present`, 'cashUnitError') : null;
  }

  private async watchForTake(): Promise<void> {
    while (this.presented && !this.link.closed) {
      await sleep(this.timers, this.opts.takePollMs ?? 500);
      if (!this.presented || this.link.closed) return;
      await this.queue.run(async () => {
        if (!this.presented) return;
        try {
          const st = await this.readStatus();
          if (!st.sensors.exitBlocked) this.taken();
        } catch {
          // The next poll retries; a closed link ends the loop.
        }
      });
    }
  }

  private taken(): void {
    this.presented = false;
    this.atExit = {};
    this.events.emit('itemsTaken', {});
    this.emitStatus();
  }

  private applyCounts(unitId: string, exited: number, rejected: number): void {
    const u = this.unit(unitId);
    u.count = Math.max(0, u.count - exited - rejected);
    u.dispensed += exited;
    u.rejected += rejected;
    const rej = this.unit(REJECT_UNIT_ID);
    rej.count += rejected;
    const before = [u.state, rej.state];
    refreshState(u);
    refreshState(rej);
    this.persist();
    if (u.state !== before[0]) this.emitThreshold(u);
    if (rej.state !== before[1]) this.emitThreshold(rej);
  }

  private markUnit(unitId: string, error: number): void {
    const target = error === 0x3f ? REJECT_UNIT_ID : unitId;
    const u = this.unit(target);
    u.state = error === 0x45 || error === 0x46 || error === 0x3f ? 'missing' : 'empty';
    this.persist();
    this.emitThreshold(u);
  }

  private mergeAtExit(unitId: string, n: number): void {
    if (n <= 0) return;
    if (this.presented) {
      // A new dispense while earlier notes are still at the exit: they are all one bundle now.
      this.presented = false;
    }
    this.atExit[unitId] = (this.atExit[unitId] ?? 0) + n;
  }

  private dispenseUnits(): CashUnit[] {
    return this.units.filter((u) => u.type === 'dispense');
  }
  private unit(id: string): CashUnit {
    const u = this.units.find((x) => x.id === id);
    if (!u) throw new Error(`unknown cash unit ${id}`);
    return u;
  }
  private persist(): void {
    this.store.save(this.units);
  }
  private emitThreshold(u: CashUnit): void {
    if (u.state !== 'ok') this.events.emit('cashUnitThreshold', { unit: { ...u } });
  }
  private setDevice(device: DispenserStatus['device'], detail?: string): void {
    if (device === this.device && detail === this.detail) return;
    this.device = device;
    this.detail = detail;
    this.emitStatus();
  }
  private emitStatus(): void {
    this.events.emit('statusChanged', this.status());
  }
}
