/** Cash units of a two-cassette LCDM: upper and lower dispense cassettes and the reject tray. */
import type { CashUnit } from '../../dispenser/types';
import type { PuloonDispenserConfig } from './puloon-dispenser';

export const REJECT_UNIT_ID = 'REJ';

export function initialUnits(config: PuloonDispenserConfig): CashUnit[] {
  const cassette = (c: PuloonDispenserConfig['upper']): CashUnit =>
    refreshState({
      id: c.id,
      type: 'dispense',
      currency: config.currency,
      denomination: c.denomination,
      initial: c.initialCount,
      count: c.initialCount,
      dispensed: 0,
      presented: 0,
      rejected: 0,
      retracted: 0,
      lowThreshold: c.lowThreshold,
      capacity: c.capacity,
      state: 'ok',
    });
  return [
    cassette(config.upper),
    cassette(config.lower),
    refreshState({ id: REJECT_UNIT_ID, type: 'reject', currency: config.currency, denomination: 0, initial: 0, count: 0, dispensed: 0, presented: 0, rejected: 0, retracted: 0, lowThreshold: 0, highThreshold: Math.floor(config.rejectCapacity * 0.9), capacity: config.rejectCapacity, state: 'ok' }),
  ];
}

/** Recomputes `state` from the counts (a 'missing' / 'inoperative' unit keeps its state). */
export function refreshState(u: CashUnit): CashUnit {
  if (u.state === 'missing' || u.state === 'inoperative') return u;
  if (u.type === 'dispense') u.state = u.count <= 0 ? 'empty' : u.count <= u.lowThreshold ? 'low' : 'ok';
  else u.state = u.count >= u.capacity ? 'full' : u.highThreshold !== undefined && u.count >= u.highThreshold ? 'high' : 'ok';
  return u;
}
