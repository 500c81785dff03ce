/**
 * Issuer-side PIN verification for the host simulator.
 *  - IBM 3624 PIN offset: validation data (hex digits, typically taken from the PAN) padded on the
 *    right with a pad character to 16 digits, encrypted under the PVK (DES/TDES ECB), decimalised
 *    through a 16-digit decimalisation table; the first L digits are the natural PIN; the offset is
 *    (customer PIN - natural PIN) digit by digit mod 10.
 *  - Visa PVV: TSP = 11 rightmost PAN digits excl. check digit + PVKI + 4 leftmost PIN digits,
 *    encrypted under the PVK pair (2-key TDES ECB); PVV = first 4 decimal digits of the result,
 *    then (if fewer) the hex digits A-F minus 10, scanning left to right.
 */
import { tdesEcbEncrypt } from './block-cipher';
import { equalBytes } from './bytes';
import { CryptoError } from './errors';

export interface Ibm3624Params {
  /** PIN verification key: 8, 16 or 24 bytes. */
  pvk: Uint8Array;
  /** 16 decimal digits mapping hex 0-F to a decimal digit, e.g. "0123456789012345". */
  decimalizationTable: string;
  /** Validation data: 1 to 16 hex digits (e.g. a slice of the PAN, see validationDataFromPan). */
  validationData: string;
  /** One hex digit used to pad the validation data on the right to 16 digits. */
  padChar: string;
}

function checkPvk(pvk: Uint8Array): void {
  if (![8, 16, 24].includes(pvk.length)) throw new CryptoError('BAD_KEY_LENGTH', 'PVK must be 8, 16 or 24 bytes');
}

/** The slice PAN[offset, offset+length) used as IBM 3624 validation data. */
export function validationDataFromPan(pan: string, offset = 0, length = Math.min(16, pan.length)): string {
  if (!/^[0-9]{1,19}$/.test(pan)) throw new CryptoError('BAD_PAN', 'PAN must be 1 to 19 decimal digits');
  if (offset < 0 || length < 1 || length > 16 || offset + length > pan.length) {
    throw new CryptoError('BAD_INPUT', 'validation data offset/length must lie within the PAN (at most 16 digits)');
  }
  return pan.slice(offset, offset + length);
}

/** The IBM 3624 natural PIN of the given length (4 to 16 digits). */
export function ibm3624NaturalPin(p: Ibm3624Params, length: number): string {
  checkPvk(p.pvk);
  if (!/^[0-9]{16}$/.test(p.decimalizationTable)) throw new CryptoError('BAD_INPUT', 'decimalisation table must be 16 decimal digits');
  if (!/^[0-9A-Fa-f]{1,16}$/.test(p.validationData)) throw new CryptoError('BAD_INPUT', 'validation data must be 1 to 16 hex digits');
  if (!/^[0-9A-Fa-f]$/.test(p.padChar)) throw new CryptoError('BAD_INPUT', 'pad character must be one hex digit');
  if (!Number.isInteger(length) || length < 4 || length > 16) throw new CryptoError('BAD_INPUT', 'PIN length must be 4 to 16');
  const data = Buffer.from(p.validationData.padEnd(16, p.padChar), 'hex');
  const hex = tdesEcbEncrypt(p.pvk, data).toString('hex');
  let out = '';
  for (let i = 0; i < length; i++) out += p.decimalizationTable[parseInt(hex[i] ?? '0', 16)];
  return out;
}

const addDigits = (a: string, b: string, sign: 1 | -1): string =>
  [...a].map((c, i) => String((Number(c) + sign * Number(b[i]) + 10) % 10)).join('');

/** Offset for a customer-selected PIN (same length as the PIN). */
export function ibm3624Offset(p: Ibm3624Params, pin: string): string {
  if (!/^[0-9]{4,16}$/.test(pin)) throw new CryptoError('BAD_PIN', 'PIN must be 4 to 16 decimal digits');
  return addDigits(pin, ibm3624NaturalPin(p, pin.length), -1);
}

/** The PIN implied by an offset: natural PIN + offset digit by digit mod 10. */
export function ibm3624PinFromOffset(p: Ibm3624Params, offset: string): string {
  if (!/^[0-9]{4,16}$/.test(offset)) throw new CryptoError('BAD_INPUT', 'offset must be 4 to 16 decimal digits');
  return addDigits(ibm3624NaturalPin(p, offset.length), offset, 1);
}

export function ibm3624Verify(p: Ibm3624Params, pin: string, offset: string): boolean {
  if (!/^[0-9]{4,16}$/.test(pin) || pin.length !== offset.length) return false;
  return equalBytes(Buffer.from(ibm3624PinFromOffset(p, offset)), Buffer.from(pin));
}

export interface VisaPvvParams {
  /** PVK pair (16 bytes; 8 or 24 accepted). */
  pvk: Uint8Array;
  /** PIN verification key index, one digit 0-9. */
  pvki: string;
  pan: string;
}

/** The 16-digit transformed security parameter. */
export function visaTsp(p: VisaPvvParams, pin: string): string {
  if (!/^[0-9]$/.test(p.pvki)) throw new CryptoError('BAD_INPUT', 'PVKI must be one digit 0-9');
  if (!/^[0-9]{12,19}$/.test(p.pan)) throw new CryptoError('BAD_PAN', 'PAN must be 12 to 19 decimal digits');
  if (!/^[0-9]{4,12}$/.test(pin)) throw new CryptoError('BAD_PIN', 'PIN must be 4 to 12 decimal digits');
  return p.pan.slice(-12, -1) + p.pvki + pin.slice(0, 4);
}

export function visaPvv(p: VisaPvvParams, pin: string): string {
  checkPvk(p.pvk);
  const hex = tdesEcbEncrypt(p.pvk, Buffer.from(visaTsp(p, pin), 'hex')).toString('hex').toUpperCase();
  let pvv = [...hex].filter((c) => c >= '0' && c <= '9').join('');
  if (pvv.length < 4) pvv += [...hex].filter((c) => c >= 'A').map((c) => String(parseInt(c, 16) - 10)).join('');
  return pvv.slice(0, 4);
}

export function visaPvvVerify(p: VisaPvvParams, pin: string, pvv: string): boolean {
  if (!/^[0-9]{4}$/.test(pvv)) return false;
  return equalBytes(Buffer.from(visaPvv(p, pin)), Buffer.from(pvv));
}
