/**
 * ICT3K5 command and reply codes used by the adapter. Command codes follow the public ICT3K5 command references
 * (and the vendor DLL samples: init 0x30/0x30, status 0x31, eject 0x33/0x30, read track 0x36/0x31-0x33, entry
 * 0x3A/0x30-0x31). Codes marked UNCERTAIN vary between firmware variants: check the reader's own manual.
 */
import type { CardReaderErrorCode } from '../../card-reader/types';
import type { CompletionCode } from '../../common/types';

export const CM = {
  initialize: 0x30,
  status: 0x31,
  move: 0x33,
  readTrack: 0x36,
  entry: 0x3a,
  chip: 0x49, // 'I'
} as const;

export const PM = {
  /** C0 parameters: what to do with a card found at initialisation. UNCERTAIN: 0x30 eject / 0x31 capture / 0x32 no movement. */
  initEject: 0x30,
  initCapture: 0x31,
  initNoMove: 0x32,
  /** C1 status request (some firmware also accepts 0x31 for the same reply). */
  status: 0x30,
  eject: 0x30,
  capture: 0x31,
  track1: 0x31,
  track2: 0x32,
  track3: 0x33,
  /** C: entry permit / inhibit (magnetic card intake enabled or disabled). */
  entryPermit: 0x30,
  entryInhibit: 0x31,
  /** CI0 / CI1: contact chip activate (cold reset, reply data = ATR) / deactivate. */
  chipPowerOn: 0x30,
  chipPowerOff: 0x31,
  /** UNCERTAIN: warm reset of an activated chip. */
  chipWarmReset: 0x38,
  /** UNCERTAIN: APDU exchange with automatic T=0/T=1 selection. */
  chipApdu: 0x39,
} as const;

/** st1 in positive replies: card position. */
export const ST1 = { noCard: 0x30, atGate: 0x31, inside: 0x32 } as const;
/** st0 in positive replies: UNCERTAIN meaning across variants; the adapter uses it as retain-bin state only. */
export const ST0 = { normal: 0x30, binNearFull: 0x31, binFull: 0x32 } as const;

export interface NegativeMapping {
  completionCode: Exclude<CompletionCode, 'success'>;
  errorCode?: CardReaderErrorCode;
  text: string;
  /** A read error: the track is unreadable or blank, the card may still carry other tracks. */
  readError?: boolean;
}

/** Negative reply error codes e1 e0 (two ASCII characters). */
export const NEGATIVE_CODES: Readonly<Record<string, NegativeMapping>> = {
  '00': { completionCode: 'invalidCommand', text: 'undefined command' },
  '01': { completionCode: 'invalidData', text: 'command parameter error' },
  '02': { completionCode: 'sequenceError', text: 'command sequence error' },
  '03': { completionCode: 'unsupportedCommand', text: 'command not supported' },
  '04': { completionCode: 'invalidData', text: 'command data error' },
  '10': { completionCode: 'commandErrorCode', errorCode: 'mediaJam', text: 'card jam' },
  '11': { completionCode: 'commandErrorCode', errorCode: 'shutterFail', text: 'shutter failure' },
  '12': { completionCode: 'hardwareError', text: 'sensor failure' },
  '13': { completionCode: 'commandErrorCode', errorCode: 'cardTooLong', text: 'card too long' },
  '14': { completionCode: 'commandErrorCode', errorCode: 'cardTooShort', text: 'card too short' },
  '16': { completionCode: 'commandErrorCode', errorCode: 'noMedia', text: 'card moved or removed during the command' },
  '20': { completionCode: 'commandErrorCode', errorCode: 'invalidMedia', text: 'read error: parity', readError: true },
  '21': { completionCode: 'commandErrorCode', errorCode: 'invalidMedia', text: 'read error: no start sentinel', readError: true },
  '22': { completionCode: 'commandErrorCode', errorCode: 'invalidMedia', text: 'read error: no end sentinel', readError: true },
  '23': { completionCode: 'commandErrorCode', errorCode: 'invalidMedia', text: 'read error: LRC', readError: true },
  '24': { completionCode: 'commandErrorCode', errorCode: 'invalidMedia', text: 'read error: blank track', readError: true },
  '40': { completionCode: 'commandErrorCode', errorCode: 'noMedia', text: 'card pulled out during capture' },
  '41': { completionCode: 'hardwareError', text: 'IC contact solenoid error' },
  '50': { completionCode: 'commandErrorCode', errorCode: 'retainBinFull', text: 'capture counter overflow (retain bin full)' },
  '60': { completionCode: 'commandErrorCode', errorCode: 'invalidMedia', text: 'chip does not answer' },
  '61': { completionCode: 'commandErrorCode', errorCode: 'invalidMedia', text: 'chip communication error' },
  B0: { completionCode: 'deviceNotReady', text: 'reader not initialised' },
};

export function mapNegative(e1: number, e0: number): NegativeMapping & { code: string } {
  const code = String.fromCharCode(e1, e0);
  return { code, ...(NEGATIVE_CODES[code] ?? { completionCode: 'hardwareError', text: `reader error ${code}` }) };
}
