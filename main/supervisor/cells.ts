/**
 * Supervisor table cells that are words, not data: sent as catalogue references so the renderer shows them
 * in the session language (unit ids, counts, money, key names and journal event kinds stay plain text).
 * A value this build does not know (a new device state, a new transaction type) is sent as plain text
 * rather than as a key with no catalogue entry.
 */
import type { TableCell } from '../common/contract';

const UNIT_TYPES = new Set(['dispense', 'reject', 'retract']);
const UNIT_STATES = new Set(['ok', 'low', 'empty', 'inoperative', 'missing', 'full', 'high']);
const DEVICES = new Set(['cardReader', 'dispenser', 'pinpad', 'printer']);
const DEVICE_STATES = new Set(['online', 'offline', 'powerOff', 'noDevice', 'hardwareError', 'userError', 'deviceBusy', 'fraudAttempt', 'potentialFraud', 'starting']);
const OPERATOR_STATES = new Set(['active', 'locked', 'disabled', 'mustChange']);
const TXN_TYPES = new Set(['withdrawal', 'balance', 'statement', 'pinChange', 'transfer']);
const TXN_RESULTS = new Set(['approved', 'declined']);

function word(known: Set<string>, prefix: string, value: string): TableCell {
  return known.has(value) ? { key: `${prefix}${value}` } : value;
}

export const unitTypeCell = (type: string): TableCell => word(UNIT_TYPES, 'sup.unitType.', type);
export const unitStateCell = (state: string): TableCell => word(UNIT_STATES, 'sup.unitState.', state);
export const deviceCell = (device: string): TableCell => word(DEVICES, 'sup.device.', device);
export const deviceStateCell = (state: string): TableCell => word(DEVICE_STATES, 'sup.deviceState.', state);
export const operatorStateCell = (state: string): TableCell => word(OPERATOR_STATES, 'sup.operatorState.', state);

/** Every catalogue key this module can send (the catalogue test checks each is in every language). */
export function tableCellKeys(): string[] {
  const keys = (known: Set<string>, prefix: string) => [...known].map((v) => `${prefix}${v}`);
  return [
    ...keys(UNIT_TYPES, 'sup.unitType.'),
    ...keys(UNIT_STATES, 'sup.unitState.'),
    ...keys(DEVICES, 'sup.device.'),
    ...keys(DEVICE_STATES, 'sup.deviceState.'),
    ...keys(OPERATOR_STATES, 'sup.operatorState.'),
    ...[...TXN_TYPES].flatMap((t) => [...TXN_RESULTS].map((r) => `sup.total.${t}.${r}`)),
  ];
}

/** A totals row label for a `type:<type>:<result>` counter, e.g. "withdrawal:approved". */
export function txnTotalCell(typeResult: string): TableCell {
  const [type = '', result = ''] = typeResult.split(':');
  return TXN_TYPES.has(type) && TXN_RESULTS.has(result) ? { key: `sup.total.${type}.${result}` } : typeResult;
}
