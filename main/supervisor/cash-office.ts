/**
 * The custodian's cash work: replenishment through the dispenser's StartExchange/EndExchange, totals
 * (cassette, trial, day) printed on the receipt printer and journaled, and the balancing report that
 * compares the notes the custodian counted with the counters.
 *
 * Counters (the kiosk's `counters` table, written with the journal row in one SQLite transaction):
 * `unit:<id>:loaded` (notes put in), `unit:<id>:removed` (notes taken out of a cassette or emptied from a
 * bin), `unit:<id>:test` (test notes to the reject bin), next to the existing `unit:<id>:dispensed` and
 * `type:<type>:approved|declined`. The baseline at each
 * exchange (count loaded, dispensed counter) is kept in `supervisor_cash_baseline`, so "what the journal
 * says should be in the cassette" = loaded - dispensed since. Business periods (day totals) are kept in
 * `supervisor_periods`: a day total closes the period; a trial total does not.
 */
import type { Db } from '../../journals/database';
import type { Journal } from '../../journals/journal';
import type { TransactionStore } from '../../journals/transactions';
import type { CashUnit, DispenserService } from '../../devices/dispenser/types';
import type { PrinterService } from '../../devices/printer/types';
import { isSuccess } from '../../devices/common/types';
import { RECEIPT_WIDTH } from '../../devices/printer/forms';
import { cassetteDelivered, journalDelivered } from '../core/invariants';
import type { TableCell } from '../common/contract';
import { unitStateCell, unitTypeCell } from './cells';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS supervisor_cash_baseline (
    unit TEXT PRIMARY KEY,
    denomination INTEGER NOT NULL,
    loaded INTEGER NOT NULL,
    dispensed_counter INTEGER NOT NULL,
    at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS supervisor_periods (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    start_seq INTEGER NOT NULL,
    counters TEXT NOT NULL
  );`;

/** What the custodian does to one unit during an exchange. */
export type UnitAction =
  /** New/refilled cassette: this many notes (and optionally a new denomination). */
  | { kind: 'set'; count: number; denomination?: number }
  /** Notes added on top of what is there. */
  | { kind: 'add'; notes: number }
  /** Reject/retract bin emptied. */
  | { kind: 'empty' };

export class CashInputError extends Error {
  override name = 'CashInputError';
  constructor(
    /** Catalogue key for the screen. */
    readonly key: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${key} ${JSON.stringify(params)}`);
  }
}

export interface UnitChangeRecord {
  id: string;
  type: CashUnit['type'];
  action: UnitAction['kind'];
  denomination: number;
  before: number;
  after: number;
}

export interface BalanceLine {
  id: string;
  denomination: number;
  /** The dispenser's own count (its non-volatile counters). */
  device: number;
  /** Loaded at the last exchange minus dispensed since (journal counters); bins: the device count. */
  journal: number;
  physical: number;
  /** physical - device. */
  difference: number;
}

export interface Totals {
  kind: 'trial' | 'day';
  from: string;
  to: string;
  /** Transactions by type and result since the period started. */
  transactions: Record<string, number>;
  /** Notes dispensed per unit since the period started. */
  notes: Record<string, number>;
  /** Cash customers took since the period started (minor units). */
  delivered: number;
}

/** Parses a count typed by the operator: digits only, a whole number. */
export function parseCount(text: string): number {
  if (!/^\d{1,6}$/.test(text)) throw new CashInputError('sup.badNumber');
  return Number(text);
}

export class CashOffice {
  constructor(
    private readonly d: {
      db: Db;
      journal: Journal;
      txns: TransactionStore;
      dispenser: DispenserService;
      printer: PrinterService;
      terminal: string;
      currency: string;
      now?: () => Date;
      formatMoney: (minor: number) => string;
    },
  ) {
    d.db.exec(SCHEMA);
  }

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }

  units(): CashUnit[] {
    return this.d.dispenser.cashUnits();
  }

  exchangeActive(): boolean {
    return this.d.dispenser.status().exchangeActive;
  }

  async startExchange(by: string): Promise<CashUnit[]> {
    const r = await this.d.dispenser.startExchange();
    this.d.journal.append('cash.exchangeStarted', { by, completion: r.completionCode, error: isSuccess(r) ? null : (r.errorCode ?? r.errorDescription ?? null) });
    if (!isSuccess(r)) throw new CashInputError('sup.deviceRefused', { detail: r.errorDescription ?? r.completionCode });
    return r.payload.units;
  }

  /** Checks one unit action against the unit (capacity, bins only emptied, denominations). */
  validate(unit: CashUnit, a: UnitAction): number {
    if (unit.type !== 'dispense') {
      if (a.kind !== 'empty') throw new CashInputError('sup.binOnlyEmpty', { unit: unit.id });
      return 0;
    }
    if (a.kind === 'empty') return 0;
    const after = a.kind === 'set' ? a.count : unit.count + a.notes;
    if (!Number.isSafeInteger(after) || after < 0) throw new CashInputError('sup.badNumber');
    if (after > unit.capacity) throw new CashInputError('sup.overCapacity', { unit: unit.id, capacity: unit.capacity });
    if (a.kind === 'set' && a.denomination !== undefined && (!Number.isSafeInteger(a.denomination) || a.denomination <= 0)) throw new CashInputError('sup.badNumber');
    return after;
  }

  /**
   * Ends the exchange with the planned changes (an empty plan closes it unchanged). Journal row, counters
   * and baselines are committed in one SQLite transaction after the device accepted the new counts.
   */
  async endExchange(plan: Map<string, UnitAction>, by: string, confirmedBy: string | null): Promise<UnitChangeRecord[]> {
    const before = this.units();
    const changes: UnitChangeRecord[] = [];
    const req: Array<{ id: string; count?: number; denomination?: number }> = [];
    for (const [id, a] of plan) {
      const u = before.find((x) => x.id === id);
      if (!u) throw new CashInputError('sup.unknownUnit', { unit: id });
      const after = this.validate(u, a);
      const denomination = a.kind === 'set' && a.denomination !== undefined ? a.denomination : u.denomination;
      req.push({ id, count: after, ...(denomination !== u.denomination ? { denomination } : {}) });
      changes.push({ id, type: u.type, action: a.kind, denomination, before: u.count, after });
    }
    // Only the units whose count is set restart their device counters.
    const deliveredBefore = cassetteDelivered(before.filter((u) => plan.has(u.id)));
    const r = await this.d.dispenser.endExchange({ units: req });
    if (!isSuccess(r)) {
      this.d.journal.append('cash.exchangeFailed', { by, completion: r.completionCode, error: r.errorCode ?? r.errorDescription ?? null });
      throw new CashInputError('sup.deviceRefused', { detail: r.errorDescription ?? r.completionCode });
    }
    const after = r.payload.units;
    const ts = this.now().toISOString();
    this.d.db.transaction(() => {
      for (const c of changes) {
        if (c.action === 'add') this.d.txns.addCounter(`unit:${c.id}:loaded`, c.after - c.before);
        else if (c.action === 'set') {
          if (c.before > 0) this.d.txns.addCounter(`unit:${c.id}:removed`, c.before);
          this.d.txns.addCounter(`unit:${c.id}:loaded`, c.after);
        } else if (c.before > 0) this.d.txns.addCounter(`unit:${c.id}:removed`, c.before);
      }
      const counters = this.d.txns.counters('unit:');
      for (const u of after.filter((x) => x.type === 'dispense')) {
        if (!changes.some((c) => c.id === u.id) && this.baseline(u.id)) continue;
        this.d.db
          .prepare('INSERT INTO supervisor_cash_baseline (unit, denomination, loaded, dispensed_counter, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(unit) DO UPDATE SET denomination = excluded.denomination, loaded = excluded.loaded, dispensed_counter = excluded.dispensed_counter, at = excluded.at')
          .run(u.id, u.denomination, u.count, notesOut(counters, u.id), ts);
      }
      // The device restarts its counters at an exchange: what the cassettes had delivered is carried in the
      // journal, so the money invariant (journal cash = cassette cash) still holds across replenishments.
      this.d.journal.append('cash.exchange', { by, confirmedBy, changes, deliveredBefore });
    })();
    return changes;
  }

  private baseline(unit: string): { denomination: number; loaded: number; dispensed_counter: number; at: string } | undefined {
    return this.d.db.prepare('SELECT * FROM supervisor_cash_baseline WHERE unit = ?').get(unit) as { denomination: number; loaded: number; dispensed_counter: number; at: string } | undefined;
  }

  /** What the journal counters say should be left in a cassette (null before its first exchange). */
  journalExpected(u: CashUnit): number | null {
    if (u.type !== 'dispense') return u.count;
    const b = this.baseline(u.id);
    if (!b) return null;
    return b.loaded - (notesOut(this.d.txns.counters(`unit:${u.id}:`), u.id) - b.dispensed_counter);
  }

  /** Unit, denomination, notes in it, state (loaded/dispensed/rejected are on the printed cassette total). */
  cassetteTable(): TableCell[][] {
    return this.units().map((u) => [
      u.id,
      u.type === 'dispense' ? this.d.formatMoney(u.denomination) : unitTypeCell(u.type),
      String(u.count),
      unitStateCell(u.state),
    ]);
  }

  /** Balancing: physical counts (every unit) against the device and journal counters. */
  balance(physical: Map<string, number>, by: string): BalanceLine[] {
    const lines: BalanceLine[] = this.units().map((u) => {
      const p = physical.get(u.id);
      if (p === undefined) throw new CashInputError('sup.countMissing', { unit: u.id });
      if (p > u.capacity) throw new CashInputError('sup.overCapacity', { unit: u.id, capacity: u.capacity });
      return { id: u.id, denomination: u.denomination, device: u.count, journal: this.journalExpected(u) ?? u.count, physical: p, difference: p - u.count };
    });
    const value = lines.reduce((s, l) => s + l.difference * l.denomination, 0);
    this.d.journal.append('cash.balancing', { by, lines, differenceValue: value, balanced: lines.every((l) => l.difference === 0 && l.journal === l.device) });
    return lines;
  }

  private period(): { id: number; started: string; start_seq: number; counters: Record<string, number> } {
    const r = this.d.db.prepare('SELECT * FROM supervisor_periods ORDER BY id DESC LIMIT 1').get() as { id: number; started: string; start_seq: number; counters: string } | undefined;
    return r ? { ...r, counters: JSON.parse(r.counters) as Record<string, number> } : { id: 0, started: '', start_seq: 0, counters: {} };
  }

  /** Trial total (period stays open) or day total (closes the period and starts the next). Journaled. */
  totals(kind: 'trial' | 'day', by: string): Totals {
    const p = this.period();
    const now = this.d.txns.counters();
    const delta = (prefix: string, suffix: string) =>
      Object.fromEntries(
        Object.entries(now)
          .filter(([k]) => k.startsWith(prefix) && k.endsWith(suffix))
          .map(([k, v]) => [k.slice(prefix.length, k.length - suffix.length), v - (p.counters[k] ?? 0)] as const)
          .filter(([, v]) => v !== 0),
      );
    const to = this.now().toISOString();
    const first = this.d.journal.query({ sinceSeq: p.start_seq, limit: 1 })[0];
    const totals: Totals = {
      kind,
      from: p.started || first?.ts || to,
      to,
      transactions: delta('type:', ''),
      notes: delta('unit:', ':dispensed'),
      delivered: journalDelivered(this.d.journal, p.start_seq),
    };
    this.d.db.transaction(() => {
      const e = this.d.journal.append(kind === 'day' ? 'cash.dayTotal' : 'cash.trialTotal', { by, ...totals });
      if (kind === 'day') this.d.db.prepare('INSERT INTO supervisor_periods (started, start_seq, counters) VALUES (?, ?, ?)').run(to, e.seq, JSON.stringify(now));
    })();
    return totals;
  }

  // ---- printing ----

  async printCassetteTotals(by: string): Promise<boolean> {
    const now = this.now().toISOString();
    const body = this.units()
      .map((u) =>
        u.type === 'dispense'
          ? `${u.id} ${this.d.formatMoney(u.denomination)} LOADED ${u.initial}\n  DISP ${u.dispensed} REJ ${u.rejected} RET ${u.retracted} LEFT ${u.count}`
          : `${u.id} ${u.type.toUpperCase()} BIN ${u.count}`,
      )
      .join('\n');
    const r = await this.d.printer.printForm({ form: 'totals', fields: { date: now.slice(0, 10), time: now.slice(11, 19), terminal: this.d.terminal, body } });
    this.d.journal.append('cash.cassetteTotal', { by, units: this.units().map((u) => ({ id: u.id, denomination: u.denomination, loaded: u.initial, dispensed: u.dispensed, rejected: u.rejected, retracted: u.retracted, count: u.count })), printed: r.completionCode });
    return isSuccess(r);
  }

  async printTotals(t: Totals): Promise<boolean> {
    const lines = [
      center(t.kind === 'day' ? 'DAY TOTAL' : 'TRIAL TOTAL'),
      `TERMINAL ${this.d.terminal}`,
      `FROM ${t.from.slice(0, 19).replace('T', ' ')}`,
      `TO   ${t.to.slice(0, 19).replace('T', ' ')}`,
      '',
      'TRANSACTIONS',
      ...(Object.keys(t.transactions).length ? Object.entries(t.transactions).map(([k, v]) => `  ${k.replace(':', ' ')} ${v}`) : ['  NONE']),
      'NOTES DISPENSED',
      ...(Object.keys(t.notes).length ? Object.entries(t.notes).map(([k, v]) => `  ${k} ${v}`) : ['  NONE']),
      `CASH DELIVERED ${this.d.formatMoney(t.delivered)}`,
      ...(t.kind === 'day' ? ['', center('PERIOD CLOSED')] : []),
    ];
    const r = await this.d.printer.printRaw({ lines });
    this.d.journal.append('cash.totalsPrinted', { kind: t.kind, completion: r.completionCode });
    return isSuccess(r);
  }

  async printBalancing(lines: BalanceLine[]): Promise<boolean> {
    const now = this.now().toISOString();
    const out = [
      center('BALANCING REPORT'),
      `TERMINAL ${this.d.terminal}`,
      `DATE ${now.slice(0, 10)}  TIME ${now.slice(11, 19)}`,
      '',
      'UNIT  DEVICE JOURNAL COUNTED  DIFF',
      ...lines.map((l) => `${l.id.padEnd(5)} ${String(l.device).padStart(6)} ${String(l.journal).padStart(7)} ${String(l.physical).padStart(7)} ${signed(l.difference).padStart(5)}`),
      '',
      `DIFFERENCE ${this.d.formatMoney(lines.reduce((s, l) => s + l.difference * l.denomination, 0))}`,
    ];
    const r = await this.d.printer.printRaw({ lines: out });
    this.d.journal.append('cash.balancingPrinted', { completion: r.completionCode });
    return isSuccess(r);
  }
}

/**
 * Notes that left a cassette by the counters: dispensed to customers plus test notes (technician's test
 * dispense, moved to the reject bin). The baseline's `dispensed_counter` holds this sum at the exchange.
 */
function notesOut(counters: Record<string, number>, unit: string): number {
  return (counters[`unit:${unit}:dispensed`] ?? 0) + (counters[`unit:${unit}:test`] ?? 0);
}

export function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function center(s: string): string {
  return ' '.repeat(Math.max(0, Math.floor((RECEIPT_WIDTH - s.length) / 2))) + s;
}
