/** An external XFS4IoT CashDispenser (+ CashManagement, Storage) service as our DispenserService. */
import { TypedEmitter, type Completion, type DeviceState } from '../common/types';
import type { CashDispenserErrorCode, CashUnit, DispenserEvents, DispenserService, DispenserStatus, MixAlgorithm, NoteCounts } from '../dispenser/types';
import { cashUnitsFromWire, valuesFromWire, valuesToWire } from './cash-units';
import { fromWire } from './codes';
import { Xfs4IotClientBase, obj, str } from './client-base';
import { mixToWire } from './dispenser-adapter';
import type { Payload, WireCompletion } from './messages';
import { toMajor } from './wire-values';

type C<T> = Promise<Completion<T, CashDispenserErrorCode>>;

export class Xfs4IotDispenser extends Xfs4IotClientBase implements DispenserService {
  readonly events = new TypedEmitter<DispenserEvents>();
  private state: DispenserStatus = { device: 'offline', intermediateStacker: 'empty', outputPosition: 'empty', shutter: 'closed', exchangeActive: false };
  private units: CashUnit[] = [];

  status(): DispenserStatus {
    return { ...this.state };
  }
  cashUnits(): CashUnit[] {
    return this.units.map((u) => ({ ...u }));
  }

  async denominate(req: { amount: number; currency: string; mix: MixAlgorithm }): C<{ counts: NoteCounts }> {
    const w = await this.connection.send('CashDispenser.Denominate', { denomination: { currencies: { [req.currency]: toMajor(req.amount, req.currency) } }, mix: mixToWire(req.mix) });
    return fromWire('CashDispenser.Denominate', w, (x) => (x.values ? { counts: valuesFromWire(x.values, this.units) } : undefined));
  }

  async dispense(req: { counts: NoteCounts }): C<{ counts: NoteCounts }> {
    const w = await this.connection.send('CashDispenser.Dispense', { denomination: { denomination: { values: valuesToWire(req.counts) } }, position: 'outDefault' }, {
      onEvent: (name, payload) => {
        if (name === 'CashDispenser.IncompleteDispenseEvent') this.events.emit('incompleteDispense', { counts: valuesFromWire(payload.values, this.units) });
      },
    });
    await this.loadStorage();
    return fromWire('CashDispenser.Dispense', w, (x) => (x.denomination ? { counts: valuesFromWire(obj(x.denomination).values, this.units) } : undefined));
  }

  async present(): C<{ counts: NoteCounts }> {
    const before = this.cashUnits();
    // 2021-1 Present/Reject/Retract report no counts: they are the deltas of the storage unit counters.
    return this.settle('CashDispenser.Present', await this.connection.send('CashDispenser.Present', { position: 'outDefault' }), () => ({ counts: this.delta(before, 'presented') }));
  }

  async reject(): C<{ counts: NoteCounts }> {
    const before = this.cashUnits();
    return this.settle('CashDispenser.Reject', await this.connection.send('CashDispenser.Reject'), () => ({ counts: this.delta(before, 'rejected') }));
  }

  async retract(): C<{ counts: NoteCounts }> {
    const before = this.cashUnits();
    const w = await this.connection.send('CashManagement.Retract', { outputPosition: 'outDefault', retractArea: 'retract' });
    return this.settle('CashManagement.Retract', w, () => ({ counts: this.delta(before, 'retracted') }));
  }

  async startExchange(): C<{ units: CashUnit[] }> {
    return this.settle('Storage.StartExchange', await this.connection.send('Storage.StartExchange'), () => ({ units: this.cashUnits() }));
  }

  async endExchange(req: { units: Array<Pick<CashUnit, 'id'> & Partial<Pick<CashUnit, 'count' | 'denomination' | 'currency' | 'lowThreshold'>>> }): C<{ units: CashUnit[] }> {
    const storage: Payload = {};
    for (const change of req.units) {
      const u = this.units.find((x) => x.id === change.id);
      const currency = change.currency ?? u?.currency ?? 'XXX';
      const configuration: Payload = {
        ...(change.currency ? { currency } : {}),
        ...(change.denomination !== undefined ? { value: toMajor(change.denomination, currency) } : {}),
        ...(change.lowThreshold !== undefined && change.lowThreshold >= 1 ? { lowThreshold: change.lowThreshold } : {}),
      };
      const item = `${currency}${change.denomination ?? u?.denomination ?? 0}`;
      storage[`unit${change.id.replace(/[^0-9A-Za-z]/g, '')}`] = { cash: { configuration, ...(change.count !== undefined ? { status: { initial: { [item]: { fit: change.count } } } } : {}) } };
    }
    if (Object.keys(storage).length) {
      const set = await this.connection.send('Storage.SetStorage', { storage });
      if (set.completionCode !== 'success') return this.settle('Storage.SetStorage', set, () => ({ units: this.cashUnits() }));
    }
    return this.settle('Storage.EndExchange', await this.connection.send('Storage.EndExchange'), () => ({ units: this.cashUnits() }));
  }

  protected async loadState(): Promise<void> {
    const status = await this.commonStatus();
    if (status) this.applyStatus({ ...obj(status.common), cashDispenser: status.cashDispenser });
    await this.loadStorage();
  }

  protected onDisconnected(): void {
    this.state = { ...this.state, device: 'offline' };
    this.events.emit('statusChanged', this.status());
  }

  protected onUnsolicited(name: string, payload: Payload): void {
    if (name === 'CashManagement.ItemsTakenEvent') {
      this.state = { ...this.state, outputPosition: 'empty' };
      this.events.emit('itemsTaken', {});
      void this.loadStorage();
    } else if (name === 'CashManagement.ItemsPresentedEvent') {
      const before = this.cashUnits();
      void this.loadStorage().then(() => this.events.emit('itemsPresented', { counts: this.delta(before, 'presented') }));
    } else if (name === 'Storage.StorageThresholdEvent') {
      for (const unit of cashUnitsFromWire(payload)) this.events.emit('cashUnitThreshold', { unit });
      void this.loadStorage();
    } else if (name === 'Common.StatusChangedEvent') this.applyStatus(payload);
  }

  private delta(before: readonly CashUnit[], field: 'presented' | 'rejected' | 'retracted'): NoteCounts {
    const out: NoteCounts = {};
    for (const u of this.units) {
      if (u.type !== 'dispense') continue;
      const d = u[field] - (before.find((b) => b.id === u.id)?.[field] ?? 0);
      if (d > 0) out[u.id] = d;
    }
    return out;
  }

  /** Refreshes the storage cache after a command that may have moved notes; success data comes from `data`. */
  private async settle<T>(command: string, w: WireCompletion, data: () => T): C<T> {
    await this.loadStorage();
    return w.completionCode === 'success' ? { completionCode: 'success', payload: data() } : fromWire<T, CashDispenserErrorCode>(command, w, () => undefined);
  }

  private async loadStorage(): Promise<void> {
    const s: WireCompletion = await this.connection.send('Storage.GetStorage');
    if (s.completionCode === 'success') this.units = cashUnitsFromWire(s.storage);
  }

  private applyStatus(flat: Payload): void {
    const cd = obj(flat.cashDispenser);
    const pos = obj(Array.isArray(cd.positions) ? cd.positions[0] : undefined);
    const shutter = str(pos.shutter);
    const stacker = str(cd.intermediateStacker);
    this.state = {
      ...this.state,
      ...(str(flat.device) ? { device: str(flat.device) as DeviceState } : {}),
      ...(str(flat.exchange) ? { exchangeActive: flat.exchange === 'active' } : {}),
      ...(stacker ? { intermediateStacker: stacker === 'empty' ? 'empty' : 'notEmpty' } : {}),
      ...(str(pos.positionStatus) ? { outputPosition: pos.positionStatus === 'empty' ? 'empty' : 'notEmpty' } : {}),
      ...(shutter ? { shutter: shutter === 'open' ? 'open' : shutter === 'closed' ? 'closed' : 'jammed' } : {}),
    };
    this.events.emit('statusChanged', this.status());
  }
}
