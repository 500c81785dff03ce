/** Value encodings shared by the endpoint and the client (base64 data, storage unit ids, amounts, keys). */
import type { DigitKey, FunctionKey } from '../pinpad/types';

export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
export const fromBase64 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'base64'));
/** Track data is ASCII on the wire as base64 (2021-1 `contentEncoding: base64`). */
export const textToBase64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');
export const base64ToText = (s: string): string => Buffer.from(s, 'base64').toString('latin1');
export const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Storage unit names must match ^unit[0-9A-Za-z]+$: our cash unit ids are prefixed with "unit". */
export const unitName = (id: string): string => `unit${id.replace(/[^0-9A-Za-z]/g, '')}`;
export const unitId = (name: string): string => name.replace(/^unit/, '');
/** The card reader's retain bin as a storage unit / CardReader.Move target. */
export const RETAIN_UNIT = 'unitRETAIN';

/** Amounts are decimal major units on the wire, minor units in our contracts. */
export const DEFAULT_EXPONENT: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, BHD: 3, KWD: 3, JOD: 3, OMR: 3, TND: 3 };
export const exponentOf = (currency: string, table: Readonly<Record<string, number>> = DEFAULT_EXPONENT): number => table[currency] ?? 2;
export const toMajor = (minor: number, currency: string): number => minor / 10 ** exponentOf(currency);
export const toMinor = (major: number, currency: string): number => Math.round(major * 10 ** exponentOf(currency));

const DIGIT_NAMES: Readonly<Record<DigitKey, string>> = {
  '0': 'zero', '1': 'one', '2': 'two', '3': 'three', '4': 'four', '5': 'five', '6': 'six', '7': 'seven', '8': 'eight', '9': 'nine', '00': 'doubleZero',
};
export const digitKeyName = (d: DigitKey): string => DIGIT_NAMES[d];
export const digitFromKeyName = (name: string): DigitKey | undefined =>
  (Object.entries(DIGIT_NAMES) as Array<[DigitKey, string]>).find(([, n]) => n === name)?.[0];
export const FUNCTION_KEYS: readonly FunctionKey[] = ['enter', 'cancel', 'clear', 'backspace', 'help', 'fdk01', 'fdk02', 'fdk03', 'fdk04', 'fdk05', 'fdk06', 'fdk07', 'fdk08'];
export const isFunctionKey = (s: string): s is FunctionKey => (FUNCTION_KEYS as readonly string[]).includes(s);
/** The Keyboard `completion` value a function key ends or continues an entry with. */
export const keyCompletion = (k: FunctionKey): 'enter' | 'cancel' | 'clear' | 'backspace' | 'help' | 'fdk' =>
  k.startsWith('fdk') ? 'fdk' : (k as 'enter' | 'cancel' | 'clear' | 'backspace' | 'help');
