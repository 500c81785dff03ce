/**
 * Our CashUnit <-> an XFS4IoT 2021-1 Storage `cash` unit. Counts go per cash item (`<currency><value>`)
 * as `fit` items. 2021-1 has no "current count" field (it is derived from initial and the out/in
 * counters), so we add `cash.status.count` as an extension (the schema allows extra properties); a client
 * without it derives count = initial - dispensed - rejected.
 */
import type { CashUnit, CashUnitState } from '../dispenser/types';
import type { Payload } from './messages';
import { toMajor, toMinor, unitId, unitName } from './wire-values';

type Obj = { [k: string]: unknown };
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** Sum of `fit` (and `unrecognized`) over the cash items of an ItemCounts object. */
const total = (counts: unknown): number => {
  let n = 0;
  for (const [k, v] of Object.entries(obj(counts))) n += k === 'unrecognized' ? (num(v) ?? 0) : (num(obj(v).fit) ?? 0);
  return n;
};

export function cashUnitToWire(u: CashUnit, index: number): Payload {
  const item = `${u.currency}${u.denomination}`;
  const fit = (n: number) => ({ [item]: { fit: n } });
  const types = { cashOut: u.type === 'dispense', reject: u.type === 'reject', cashOutRetract: u.type === 'retract' };
  const replenishment = u.state === 'inoperative' || u.state === 'missing' ? 'empty' : u.state;
  return {
    id: u.id.slice(0, 5),
    capacity: u.capacity,
    status: u.state === 'inoperative' || u.state === 'missing' ? u.state : 'ok',
    cash: {
      capabilities: { types },
      configuration: {
        types,
        currency: u.currency,
        value: toMajor(u.denomination, u.currency),
        name: u.id,
        ...(u.lowThreshold >= 1 ? { lowThreshold: u.lowThreshold } : {}),
        ...(u.highThreshold !== undefined && u.highThreshold >= 1 ? { highThreshold: u.highThreshold } : {}),
      },
      status: {
        index: index + 1,
        initial: fit(u.initial),
        out: { distributed: fit(u.dispensed), presented: fit(u.presented), rejected: fit(u.rejected) },
        in: { retracted: fit(u.retracted) },
        replenishmentStatus: replenishment,
        count: u.count,
      },
    },
  };
}

export const cashUnitsToWire = (units: readonly CashUnit[]): Payload =>
  Object.fromEntries(units.map((u, i) => [unitName(u.id), cashUnitToWire(u, i)]));

export function cashUnitFromWire(name: string, wire: unknown): CashUnit | null {
  const w = obj(wire);
  const cash = obj(w.cash);
  if (!w.cash) return null;
  const cfg = obj(cash.configuration);
  const st = obj(cash.status);
  const types = obj(cfg.types ?? obj(cash.capabilities).types);
  const currency = typeof cfg.currency === 'string' ? cfg.currency : 'XXX';
  const out = obj(st.out);
  const initial = total(st.initial);
  const dispensed = total(out.distributed);
  const rejected = total(out.rejected);
  const unitStatus = typeof w.status === 'string' ? w.status : 'ok';
  const replenishment = typeof st.replenishmentStatus === 'string' ? st.replenishmentStatus : 'ok';
  const state = (unitStatus === 'inoperative' || unitStatus === 'missing' ? unitStatus : replenishment) as CashUnitState;
  const highThreshold = num(cfg.highThreshold);
  return {
    id: typeof cfg.name === 'string' && cfg.name ? cfg.name : unitId(name),
    type: types.reject ? 'reject' : types.cashOutRetract ? 'retract' : 'dispense',
    currency,
    denomination: toMinor(num(cfg.value) ?? 0, currency),
    initial,
    count: num(st.count) ?? initial - dispensed - rejected,
    dispensed,
    presented: total(out.presented),
    rejected,
    retracted: total(obj(st.in).retracted),
    lowThreshold: num(cfg.lowThreshold) ?? 0,
    ...(highThreshold !== undefined ? { highThreshold } : {}),
    capacity: num(w.capacity) ?? 0,
    state,
  };
}

export const cashUnitsFromWire = (storage: unknown): CashUnit[] =>
  Object.entries(obj(storage))
    .map(([name, w]) => cashUnitFromWire(name, w))
    .filter((u): u is CashUnit => u !== null);

/** NoteCounts (by our unit id) <-> `values` (by storage unit name, minimum 1). */
export const valuesToWire = (counts: Readonly<Record<string, number>>): Payload =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0).map(([id, n]) => [unitName(id), n]));
export const valuesFromWire = (values: unknown, units: readonly CashUnit[]): Record<string, number> => {
  const byName = new Map(units.map((u) => [unitName(u.id), u.id]));
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(obj(values))) if (typeof n === 'number') out[byName.get(name) ?? unitId(name)] = n;
  return out;
};
