/**
 * Supervisor table cells that are words, not data: sent as catalogue references so the renderer shows them
 * in the session language (unit ids, counts, money, key names and journal event kinds stay plain text).
 * A value this build does not know (a new device state, a new transaction type) is sent as plain text
 * rather than as a key with no catalogue entry.
 */
import type { TableCell } from '../common/contract';

/** Each kind of word: its catalogue prefix and the values that have entries. */
const WORDS = {
  unitType: { prefix: 'sup.unitType.', values: ['dispense', 'reject', 'retract'] },
  unitState: { prefix: 'sup.unitState.', values: ['ok', 'low', 'empty', 'inoperative', 'missing', 'full', 'high'] },
  device: { prefix: 'sup.device.', values: ['cardReader', 'dispenser', 'pinpad', 'printer'] },
  deviceState: { prefix: 'sup.deviceState.', values: ['online', 'offline', 'powerOff', 'noDevice', 'hardwareError', 'userError', 'deviceBusy', 'fraudAttempt', 'potentialFraud', 'starting'] },
  operatorState: { prefix: 'sup.operatorState.', values: ['active', 'locked', 'disabled', 'mustChange'] },
} as const;
const TXN_TYPES: readonly string[] = ['withdrawal', 'balance', 'statement', 'pinChange', 'transfer'];
const TXN_RESULTS: readonly string[] = ['approved', 'declined'];

function word(kind: keyof typeof WORDS, value: string): TableCell {
  const w = WORDS[kind];
  return (w.values as readonly string[]).includes(value) ? { key: `${w.prefix}${value}` } : value;
}

export const unitTypeCell = (type: string): TableCell => word('unitType', type);
export const unitStateCell = (state: string): TableCell => word('unitState', state);
export const deviceCell = (device: string): TableCell => word('device', device);
export const deviceStateCell = (state: string): TableCell => word('deviceState', state);
export const operatorStateCell = (state: string): TableCell => word('operatorState', state);

/** Every catalogue key this module can send (the catalogue test checks each is in every language). */
export function tableCellKeys(): string[] {
  return [
    ...Object.values(WORDS).flatMap((w) => w.values.map((v) => `${w.prefix}${v}`)),
    ...TXN_TYPES.flatMap((t) => TXN_RESULTS.map((r) => `sup.total.${t}.${r}`)),
  ];
}

/** A totals row label for a `type:<type>:<result>` counter, e.g. "withdrawal:approved". */
export function txnTotalCell(typeResult: string): TableCell {
  const [type = '', result = ''] = typeResult.split(':');
  return TXN_TYPES.includes(type) && TXN_RESULTS.includes(result) ? { key: `sup.total.${type}.${result}` } : typeResult;
}
