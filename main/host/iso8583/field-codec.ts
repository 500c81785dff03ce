/**
 * Packs and unpacks one data element according to its FieldDef and the packager encoding.
 * Pack normalises fixed fields (numerics left zero-padded, alphanumerics right space-padded, jPOS-style) and
 * refuses over-length values and characters outside the field type. Unpack validates everything it reads.
 * Errors never quote values (card data).
 */
import { bcdByteLength, decodeBcd, encodeBcd } from './bcd';
import { Iso8583Error } from './errors';
import type { FieldDef, FieldType, PackagerEncoding } from './types';

const CHARSET: Record<Exclude<FieldType, 'b'>, RegExp> = {
  n: /^[0-9]*$/,
  z: /^[0-9=]*$/,
  an: /^[A-Za-z0-9 ]*$/,
  ans: /^[\x20-\x7e]*$/,
  xn: /^[CD][0-9]*$/,
};
const CHARSET_NAME: Record<Exclude<FieldType, 'b'>, string> = {
  n: 'digits',
  z: 'digits and "="',
  an: 'letters, digits and space',
  ans: 'printable ASCII',
  xn: '"C" or "D" then digits',
};

const isDigitByte = (c: number) => c >= 0x30 && c <= 0x39;
const isHexByte = (c: number) => isDigitByte(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const BYTE_OK: Record<Exclude<FieldType, 'b'>, (c: number, i: number) => boolean> = {
  n: isDigitByte,
  z: (c) => isDigitByte(c) || c === 0x3d,
  an: (c) => isDigitByte(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x20,
  ans: (c) => c >= 0x20 && c <= 0x7e,
  xn: (c, i) => (i === 0 ? c === 0x43 || c === 0x44 : isDigitByte(c)),
};

/** Normalises and validates a value; returns the text (or bytes) to encode and its logical length. */
function normalise(field: number, def: FieldDef, value: unknown, at: number): string | Buffer {
  if (def.type === 'b') {
    if (!(value instanceof Uint8Array)) throw new Iso8583Error(field, at, 'binary field needs a Buffer');
    const bytes = Buffer.from(value);
    if (def.lengthPrefix === 0 && bytes.length !== def.length) throw new Iso8583Error(field, at, `needs exactly ${def.length} bytes, got ${bytes.length}`);
    if (bytes.length > def.length) throw new Iso8583Error(field, at, `${bytes.length} bytes exceed maximum ${def.length}`);
    return bytes;
  }
  if (typeof value !== 'string') throw new Iso8583Error(field, at, `${def.type} field needs a string`);
  if (!CHARSET[def.type].test(value)) throw new Iso8583Error(field, at, `only ${CHARSET_NAME[def.type]} allowed`);
  if (value.length > def.length) throw new Iso8583Error(field, at, `length ${value.length} exceeds ${def.lengthPrefix ? 'maximum' : 'fixed length'} ${def.length}`);
  if (def.lengthPrefix !== 0) return value;
  switch (def.type) {
    case 'n':
    case 'z':
      return value.padStart(def.length, '0');
    case 'xn':
      return value.slice(0, 1) + value.slice(1).padStart(def.length - 1, '0');
    default:
      return value.padEnd(def.length, ' ');
  }
}

function encodePrefix(len: number, digits: 2 | 3, enc: PackagerEncoding): Buffer {
  const text = String(len).padStart(digits, '0');
  return enc === 'ascii' ? Buffer.from(text, 'latin1') : encodeBcd(text, 'left');
}

export function packField(field: number, def: FieldDef, value: unknown, enc: PackagerEncoding, at: number): Buffer {
  const v = normalise(field, def, value, at);
  const parts: Buffer[] = [];
  if (def.lengthPrefix !== 0) parts.push(encodePrefix(v.length, def.lengthPrefix, enc));
  if (typeof v !== 'string') {
    parts.push(enc === 'ascii' ? Buffer.from(v.toString('hex').toUpperCase(), 'latin1') : v);
  } else if (enc === 'bcd' && (def.type === 'n' || def.type === 'z')) {
    parts.push(encodeBcd(v, def.lengthPrefix === 0 ? 'left' : 'right'));
  } else if (enc === 'bcd' && def.type === 'xn') {
    parts.push(Buffer.from(v.slice(0, 1), 'latin1'), encodeBcd(v.slice(1), 'left'));
  } else {
    parts.push(Buffer.from(v, 'latin1'));
  }
  return Buffer.concat(parts);
}

/** Reads the length prefix at `at`; returns [length, bytes consumed]. */
function readPrefix(field: number, def: FieldDef, data: Buffer, at: number, enc: PackagerEncoding): [number, number] {
  const digits = def.lengthPrefix as 2 | 3;
  const size = enc === 'ascii' ? digits : bcdByteLength(digits);
  if (at + size > data.length) throw new Iso8583Error(field, at, `truncated: length prefix needs ${size} bytes, ${data.length - at} left`);
  let len: number;
  if (enc === 'ascii') {
    for (let i = 0; i < size; i++) {
      if (!isDigitByte(data[at + i] ?? 0)) throw new Iso8583Error(field, at + i, 'bad length prefix: not an ASCII digit');
    }
    len = Number(data.toString('latin1', at, at + size));
  } else {
    const text = decodeBcd(data.subarray(at, at + size), digits, 'left', false);
    if (typeof text !== 'string') throw new Iso8583Error(field, at + text.index, 'bad length prefix: not BCD');
    len = Number(text);
  }
  if (len > def.length) throw new Iso8583Error(field, at, `bad length prefix: ${len} exceeds maximum ${def.length}`);
  return [len, size];
}

/** Encoded size in bytes of `len` units of this field. */
function dataSize(def: FieldDef, len: number, enc: PackagerEncoding): number {
  if (def.type === 'b') return enc === 'ascii' ? len * 2 : len;
  if (enc === 'ascii' || def.type === 'an' || def.type === 'ans') return len;
  if (def.type === 'xn') return 1 + bcdByteLength(len - 1);
  return bcdByteLength(len);
}

/** Unpacks the field at `at`; returns the value and the offset after it. */
export function unpackField(field: number, def: FieldDef, data: Buffer, at: number, enc: PackagerEncoding): [string | Buffer, number] {
  let len = def.length;
  let pos = at;
  if (def.lengthPrefix !== 0) {
    const [l, size] = readPrefix(field, def, data, at, enc);
    len = l;
    pos += size;
  }
  if (def.type === 'xn' && len < 1) throw new Iso8583Error(field, at, 'bad length prefix: amount needs a sign');
  const size = dataSize(def, len, enc);
  if (pos + size > data.length) throw new Iso8583Error(field, pos, `truncated: needs ${size} bytes, ${data.length - pos} left`);
  const raw = data.subarray(pos, pos + size);
  const end = pos + size;

  if (def.type === 'b') {
    if (enc === 'bcd') return [Buffer.from(raw), end];
    for (let i = 0; i < raw.length; i++) {
      if (!isHexByte(raw[i] ?? 0)) throw new Iso8583Error(field, pos + i, 'not hex text');
    }
    return [Buffer.from(raw.toString('latin1'), 'hex'), end];
  }

  if (enc === 'bcd' && (def.type === 'n' || def.type === 'z' || def.type === 'xn')) {
    let prefix = '';
    let bcd = raw;
    let digits = len;
    let bcdAt = pos;
    if (def.type === 'xn') {
      const sign = raw[0] ?? 0;
      if (sign !== 0x43 && sign !== 0x44) throw new Iso8583Error(field, pos, 'amount sign must be "C" or "D"');
      prefix = String.fromCharCode(sign);
      bcd = raw.subarray(1);
      digits = len - 1;
      bcdAt = pos + 1;
    }
    const pad = def.lengthPrefix === 0 || def.type === 'xn' ? 'left' : 'right';
    const text = decodeBcd(bcd, digits, pad, def.type === 'z');
    if (typeof text !== 'string') {
      throw new Iso8583Error(field, bcdAt + text.index, text.kind === 'pad' ? 'BCD pad nibble is not 0' : 'non-numeric BCD nibble');
    }
    return [prefix + text, end];
  }

  const ok = BYTE_OK[def.type];
  for (let i = 0; i < raw.length; i++) {
    if (!ok(raw[i] ?? 0, i)) throw new Iso8583Error(field, pos + i, `bad character: only ${CHARSET_NAME[def.type]} allowed`);
  }
  return [raw.toString('latin1'), end];
}
