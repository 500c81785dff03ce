/**
 * Completion and error codes between our device contracts (devices/common/types.ts, 2024-03 names) and
 * the 2021-1 wire. Every command has its own errorCode enum in the spec; a code of ours that the command
 * does not define is either renamed (table below) or sent as a plain completion without errorCode.
 */
import type { Completion, CompletionCode } from '../common/types';
import type { Payload, WireCompletion, WireCompletionCode } from './messages';

const WIRE_CODES: ReadonlySet<string> = new Set<WireCompletionCode>([
  'success', 'commandErrorCode', 'canceled', 'deviceNotReady', 'hardwareError', 'internalError', 'invalidCommand',
  'invalidRequestID', 'timeOut', 'unsupportedCommand', 'invalidData', 'userError', 'unsupportedData', 'fraudAttempt',
  'sequenceError', 'authorizationRequired', 'noCommandNonce', 'invalidToken', 'invalidTokenNonce', 'invalidTokenHMAC',
  'invalidTokenFormat', 'invalidTokenKeyNoValue', 'notEnoughSpace',
]);

export function toWireCode(code: CompletionCode): WireCompletionCode {
  return code === 'authorisationRequired' ? 'authorizationRequired' : code;
}

export function fromWireCode(code: string): CompletionCode {
  if (code === 'authorizationRequired') return 'authorisationRequired';
  if (code === 'notEnoughSpace') return 'hardwareError';
  return WIRE_CODES.has(code) ? (code as CompletionCode) : 'internalError';
}

interface ErrorCodeRule {
  /** The command's errorCode enum (2021-1). */
  wire: readonly string[];
  /** Our code -> wire code, where the names differ. */
  rename?: Readonly<Record<string, string>>;
  /** Our codes that the spec reports as another completion code (no errorCode). */
  completion?: Readonly<Record<string, WireCompletionCode>>;
}

/** errorCode enums of the commands we map, copied from `$defs.messages` of the 2021-1 schema. */
export const ERROR_CODES: Readonly<Record<string, ErrorCodeRule>> = {
  'CardReader.ReadRawData': { wire: ['mediaJam', 'shutterFail', 'noMedia', 'invalidMedia', 'cardTooShort', 'cardTooLong', 'securityFail', 'cardCollision'] },
  'CardReader.Move': { wire: ['mediaJam', 'shutterFail', 'noMedia', 'occupied', 'full', 'mediaRetained'], rename: { retainBinFull: 'full' } },
  'CardReader.Reset': { wire: ['mediaJam', 'shutterFail', 'retainBinFull'] },
  'CardReader.ChipIO': { wire: ['mediaJam', 'noMedia', 'invalidMedia', 'invalidData', 'protocolNotSupported', 'atrNotObtained', 'cardCollision'] },
  'CardReader.ChipPower': { wire: ['chipPowerNotSupported', 'mediaJam', 'noMedia', 'invalidMedia', 'invalidData', 'atrNotObtained'] },
  'CashDispenser.Denominate': { wire: ['invalidCurrency', 'invalidTellerID', 'cashUnitError', 'invalidDenomination', 'invalidMixNumber', 'noCurrencyMix', 'notDispensable', 'tooManyItems', 'exchangeActive', 'noCashBoxPresent', 'amountNotInMixTable'] },
  'CashDispenser.Dispense': {
    wire: ['invalidCurrency', 'invalidTellerID', 'cashUnitError', 'invalidDenomination', 'invalidMixNumber', 'noCurrencyMix', 'notDispensable', 'tooManyItems', 'unsupportedPosition', 'exchangeActive', 'noCashBoxPresent', 'amountNotInMixTable', 'itemsLeft', 'shutterOpen'],
    // A jam mid-dispense is a hardware error with a CashDispenser.IncompleteDispenseEvent in XFS4IoT.
    completion: { jam: 'hardwareError', incompleteDispense: 'hardwareError' },
  },
  'CashDispenser.Present': { wire: ['shutterNotOpen', 'shutterOpen', 'noItems', 'exchangeActive', 'presentErrorNoItems', 'presentErrorItems', 'presentErrorUnknown', 'unsupportedPosition'] },
  'CashDispenser.Reject': { wire: ['cashUnitError', 'noItems', 'exchangeActive'] },
  'CashManagement.Retract': { wire: ['cashUnitError', 'noItems', 'exchangeActive', 'shutterNotClosed', 'itemsTaken', 'invalidRetractPosition', 'notRetractArea', 'foreignItemsDetected', 'incompleteRetract'] },
  'Storage.StartExchange': { wire: ['storageUnitError', 'exchangeActive', 'transactionActive'], rename: { cashUnitError: 'storageUnitError' } },
  'Storage.SetStorage': { wire: ['invalidUnit', 'noExchangeActive', 'storageUnitError'], rename: { cashUnitError: 'invalidUnit' } },
  'Storage.EndExchange': { wire: ['storageUnitError', 'noExchangeActive'], rename: { cashUnitError: 'storageUnitError' } },
  'Keyboard.PinEntry': { wire: ['keyInvalid', 'keyNotSupported', 'noActivekeys', 'noTerminatekeys', 'minimumLength', 'tooManyFrames', 'partialFrame', 'entryTimeout'], rename: { noActiveKeys: 'noActivekeys' } },
  'Keyboard.DataEntry': { wire: ['keyInvalid', 'keyNotSupported', 'noActivekeys'], rename: { noActiveKeys: 'noActivekeys' } },
  'PinPad.GetPinBlock': { wire: ['keyNotFound', 'accessDenied', 'keyNoValue', 'useViolation', 'noPin', 'formatNotSupported', 'invalidKeyLength', 'algorithmNotSupported', 'dukptOverflow', 'cryptoMethodNotSupported'] },
  'Printer.PrintForm': { wire: ['formNotFound', 'flushFail', 'mediaOverflow', 'fieldSpecFailure', 'fieldError', 'mediaNotFound', 'mediaInvalid', 'formInvalid', 'mediaSkewed', 'retractBinFull', 'stackerFull', 'pageTurnFail', 'mediaTurnFail', 'shutterFail', 'mediaJammed', 'charSetData', 'paperJammed', 'paperOut', 'inkOut', 'tonerOut', 'sequenceInvalid', 'sourceInvalid', 'mediaRetained', 'blackMark', 'mediaSize', 'mediaRejected', 'mediaRetracted', 'msfError', 'noMSF'] },
  'Printer.PrintRaw': { wire: ['shutterFail', 'mediaJammed', 'paperJammed', 'paperOut', 'tonerOut', 'mediaRetained', 'blackMark', 'mediaRetracted'] },
  'Common.Cancel': { wire: ['noMatchingRequestIDs'] },
};

/** Our completion of `command` as the completion fields of the wire payload (without command data). */
export function completionFields(command: string, c: Completion<unknown, string>): WireCompletion {
  const description = c.completionCode === 'success' ? undefined : c.errorDescription;
  const base = (code: WireCompletionCode, errorCode?: string): WireCompletion => ({
    completionCode: code,
    ...(description ? { errorDescription: description } : {}),
    ...(errorCode ? { errorCode } : {}),
  });
  if (c.completionCode === 'success') return base('success');
  const ours = c.errorCode;
  const rule = ERROR_CODES[command];
  if (!ours || !rule) return base(toWireCode(c.completionCode));
  const asCompletion = rule.completion?.[ours];
  if (asCompletion) return base(asCompletion);
  const wire = rule.rename?.[ours] ?? ours;
  return rule.wire.includes(wire) ? base(toWireCode(c.completionCode), wire) : base(toWireCode(c.completionCode));
}

/** The wire errorCode of `command` as our code (inverse of the rename table). */
export function fromWireErrorCode(command: string, wire: string | undefined): string | undefined {
  if (!wire) return undefined;
  const rename = ERROR_CODES[command]?.rename ?? {};
  for (const [ours, w] of Object.entries(rename)) if (w === wire) return ours;
  return wire;
}

/**
 * Our completion as a wire completion payload: completion fields plus the command's data, taken from the
 * success payload or from the partial payload a failure may carry (e.g. notes picked before a jam).
 */
export function toWire<T>(command: string, c: Completion<T, string>, fields?: (payload: Partial<T>) => Payload): WireCompletion {
  const data = fields && c.payload !== undefined ? fields(c.payload) : {};
  return { ...data, ...completionFields(command, c) };
}

/** A wire completion as our Completion; `decode` builds the payload (for success, and partial data on failure). */
export function fromWire<T, E extends string>(command: string, w: WireCompletion, decode: (w: WireCompletion) => T | Partial<T> | undefined): Completion<T, E> {
  const code = fromWireCode(w.completionCode);
  if (code === 'success') return { completionCode: 'success', payload: decode(w) as T };
  const errorCode = fromWireErrorCode(command, typeof w.errorCode === 'string' ? w.errorCode : undefined) as E | undefined;
  const partial = decode(w);
  return {
    completionCode: code,
    ...(errorCode ? { errorCode } : {}),
    ...(typeof w.errorDescription === 'string' ? { errorDescription: w.errorDescription } : {}),
    ...(partial !== undefined ? { payload: partial as Partial<T> } : {}),
  };
}
