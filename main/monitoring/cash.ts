/** Cash units as remote monitoring sees them: levels, thresholds and the flags an operator acts on. */
import type { CashUnit } from '../../devices/dispenser/types';

export interface CashUnitView {
  id: string;
  type: CashUnit['type'];
  currency: string;
  denomination: number;
  count: number;
  capacity: number;
  /** count / capacity, 0..1. */
  level: number;
  /** count * denomination, in minor units (0 for bins). */
  value: number;
  lowThreshold: number;
  highThreshold: number | null;
  state: CashUnit['state'];
  low: boolean;
  empty: boolean;
  high: boolean;
  full: boolean;
}

export function cashView(u: CashUnit): CashUnitView {
  const dispense = u.type === 'dispense';
  const full = !dispense && (u.state === 'full' || u.count >= u.capacity);
  const high = !dispense && (full || u.state === 'high' || (u.highThreshold !== undefined && u.count >= u.highThreshold));
  const empty = dispense && (u.state === 'empty' || u.count === 0);
  const low = dispense && (empty || u.state === 'low' || u.count <= u.lowThreshold);
  return {
    id: u.id,
    type: u.type,
    currency: u.currency,
    denomination: u.denomination,
    count: u.count,
    capacity: u.capacity,
    level: u.capacity > 0 ? Math.min(1, u.count / u.capacity) : 0,
    value: dispense ? u.count * u.denomination : 0,
    lowThreshold: u.lowThreshold,
    highThreshold: u.highThreshold ?? null,
    state: u.state,
    low,
    empty,
    high,
    full,
  };
}
