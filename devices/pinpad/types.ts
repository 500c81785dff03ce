import type { CommonStatus, Completion, TypedEmitter } from '../common/types';

export type KeyboardErrorCode = 'keyInvalid' | 'keyNotSupported' | 'noActiveKeys' | 'noTerminatekeys' | 'minimumLength' | 'tooManyFrames' | 'partialFrame' | 'framingError';
export type PinPadErrorCode = 'keyNotFound' | 'useViolation' | 'noPin' | 'formatNotSupported' | 'accessDenied' | 'invalidKeyLength' | 'keyNoValue' | 'modeNotSupported';

/** Function keys of an encrypting PIN pad plus the FDKs beside the screen. */
export type FunctionKey = 'enter' | 'cancel' | 'clear' | 'backspace' | 'help' | 'fdk01' | 'fdk02' | 'fdk03' | 'fdk04' | 'fdk05' | 'fdk06' | 'fdk07' | 'fdk08';
export type DigitKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '00';
export type PadKey = DigitKey | FunctionKey;

/**
 * A key event. In secure PIN entry `digit` is never present: the event only says "a digit was accepted"
 * (XFS4IoT Keyboard.KeyEvent with `digit` masked). In data entry the digit is given in clear.
 */
export type KeyEvent =
  | { kind: 'pinDigit'; length: number }
  | { kind: 'dataDigit'; digit: DigitKey }
  | { kind: 'function'; key: FunctionKey };

export interface PinPadStatus extends CommonStatus {
  entryMode: 'idle' | 'pin' | 'data';
  keysLoaded: number;
}

export interface PinPadEvents extends Record<string, unknown> {
  key: KeyEvent;
  statusChanged: PinPadStatus;
}

export interface PinEntryResult {
  digits: number;
  completion: 'enter' | 'cancel' | 'auto' | 'fdk';
  fdk?: FunctionKey;
}

export interface PinPadService {
  readonly events: TypedEmitter<PinPadEvents>;
  status(): PinPadStatus;
  /** Secure PIN entry: digits stay inside the device; only masked key events come out. */
  pinEntry(req: { minLen: number; maxLen: number; autoEnd: boolean; timeoutMs?: number; activeFdks?: FunctionKey[] }, signal?: AbortSignal): Promise<Completion<PinEntryResult, KeyboardErrorCode>>;
  /** Clear-text data entry (amounts), digits reported in clear. */
  dataEntry(req: { maxLen: number; timeoutMs?: number; activeFdks?: FunctionKey[] }, signal?: AbortSignal): Promise<Completion<{ digits: string; completion: 'enter' | 'cancel' | 'fdk'; fdk?: FunctionKey }, KeyboardErrorCode>>;
  /**
   * Builds an ISO 9564 PIN block from the PIN held since the last pinEntry and encrypts it under the named key.
   * The clear PIN is wiped afterwards. Returns only the encrypted block.
   */
  getPinBlock(req: { keyName: string; format: 0 | 1 | 3 | 4; pan: string }): Promise<Completion<{ pinBlock: Uint8Array }, PinPadErrorCode>>;
  /** Listens for function keys (FDKs, cancel) outside of PIN/data entry. */
  cancel(): void;
}
