/**
 * ISO 9564-1 clear PIN blocks: formats 0, 1 and 3 (8 bytes, for TDES or any 64-bit block) and the
 * format 4 plaintext PIN field and PAN field (16 bytes each, for AES). Encryption lives in
 * pin-block-crypto.ts. Errors never echo the PIN, the PAN or the block.
 *
 *  format 0: PIN field 0 N P..P F..F        XOR PAN field 0000 + 12 rightmost PAN digits excl. check digit
 *  format 1: PIN field 1 N P..P fill(0-F)  (no PAN)
 *  format 3: PIN field 3 N P..P fill(A-F)  XOR the format 0 PAN field
 *  format 4: PIN field 4 N P..P A..A (to 16 nibbles) + 8 random bytes; PAN field M PAN 0..0,
 *            M = PAN length - 12 (PANs shorter than 12 digits are left-padded with 0 and M = 0)
 */
import { defaultRandom } from './block-cipher';
import { type RandomSource, xor } from './bytes';
import { CryptoError } from './errors';

export type PinBlockFormat = 0 | 1 | 3 | 4;
export const PIN_BLOCK_FORMATS: readonly PinBlockFormat[] = [0, 1, 3, 4];

export interface EncodePinBlockInput {
  format: PinBlockFormat;
  pin: string;
  /** Required for formats 0, 3 and 4. */
  pan?: string;
  /** Fill nibbles as hex (formats 1 and 3: 14 - PIN length nibbles, 3 only A-F; format 4: 16 nibbles). */
  fill?: string;
  random?: RandomSource;
}

export interface DecodePinBlockInput {
  format: PinBlockFormat;
  /** Clear block (formats 0/1/3: 8 bytes) or format 4 plaintext PIN field (16 bytes). */
  block: Uint8Array;
  pan?: string;
}

export function assertPin(pin: string): void {
  if (!/^[0-9]{4,12}$/.test(pin)) throw new CryptoError('BAD_PIN', 'PIN must be 4 to 12 decimal digits');
}

function assertPan(pan: string | undefined): string {
  if (pan === undefined) throw new CryptoError('BAD_PAN', 'this PIN block format needs the PAN');
  if (!/^[0-9]{8,19}$/.test(pan)) throw new CryptoError('BAD_PAN', 'PAN must be 8 to 19 decimal digits');
  return pan;
}

/** Format 0/3 PAN field: 0000 + the 12 rightmost digits excluding the check digit (left-padded with 0). */
export function panField64(pan: string): Buffer {
  const p = assertPan(pan);
  const digits = p.slice(0, -1).slice(-12).padStart(12, '0');
  return Buffer.from(`0000${digits}`, 'hex');
}

/** Format 4 PAN field (16 bytes). */
export function panField128(pan: string): Buffer {
  const p = assertPan(pan);
  const padded = p.padStart(12, '0');
  const m = padded.length - 12;
  return Buffer.from(`${m}${padded}`.padEnd(32, '0'), 'hex');
}

/** Random fill nibbles in [lo, 15] by rejection sampling (unbiased). */
function randomNibbles(count: number, lo: number, random: RandomSource): string {
  const span = 16 - lo;
  const limit = 256 - (256 % span);
  let out = '';
  while (out.length < count) {
    for (const b of random(count * 2)) {
      if (out.length >= count) break;
      if (b < limit) out += (lo + (b % span)).toString(16).toUpperCase();
    }
  }
  return out;
}

function fillNibbles(input: EncodePinBlockInput, count: number, lo: number): string {
  if (input.fill === undefined) return randomNibbles(count, lo, input.random ?? defaultRandom);
  const f = input.fill.toUpperCase();
  if (!/^[0-9A-F]*$/.test(f) || f.length < count) throw new CryptoError('BAD_INPUT', `fill must be at least ${count} hex digits`);
  const used = f.slice(0, count);
  if (lo > 0 && [...used].some((c) => parseInt(c, 16) < lo)) throw new CryptoError('BAD_INPUT', 'format 3 fill digits must be A-F');
  return used;
}

/** Encodes a clear PIN block (formats 0/1/3, 8 bytes) or a format 4 plaintext PIN field (16 bytes). */
export function encodePinBlock(input: EncodePinBlockInput): Buffer {
  const { format, pin } = input;
  assertPin(pin);
  const head = `${format}${pin.length.toString(16).toUpperCase()}${pin}`;
  switch (format) {
    case 0:
      return xor(Buffer.from(head.padEnd(16, 'F'), 'hex'), panField64(assertPan(input.pan)));
    case 1:
      return Buffer.from(head + fillNibbles(input, 16 - head.length, 0), 'hex');
    case 3:
      return xor(Buffer.from(head + fillNibbles(input, 16 - head.length, 10), 'hex'), panField64(assertPan(input.pan)));
    case 4:
      return Buffer.from(head.padEnd(16, 'A') + fillNibbles(input, 16, 0), 'hex');
    default:
      throw new CryptoError('UNSUPPORTED', `unsupported PIN block format ${String(format)}`);
  }
}

/** Decodes a clear block back to the PIN, checking every control and fill nibble. */
export function decodePinBlock(input: DecodePinBlockInput): string {
  const { format, block } = input;
  const size = format === 4 ? 16 : 8;
  if (block.length !== size) throw new CryptoError('BAD_PIN_BLOCK', `format ${format} block must be ${size} bytes`);
  const field = format === 0 || format === 3 ? xor(block, panField64(assertPan(input.pan))) : Buffer.from(block);
  const nib = field.toString('hex').toUpperCase();
  const bad = (): never => {
    throw new CryptoError('BAD_PIN_BLOCK', `not a valid format ${format} PIN block`);
  };
  if (nib[0] !== String(format)) bad();
  const n = parseInt(nib[1] ?? 'X', 16);
  if (!(n >= 4 && n <= 12)) bad();
  const pin = nib.slice(2, 2 + n);
  if (!/^[0-9]+$/.test(pin)) bad();
  const fill = nib.slice(2 + n, 16);
  const fillOk =
    format === 0 ? /^F*$/.test(fill) : format === 3 ? /^[A-F]*$/.test(fill) : format === 4 ? /^A*$/.test(fill) : true;
  if (!fillOk) bad();
  return pin;
}
