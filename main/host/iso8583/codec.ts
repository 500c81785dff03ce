/**
 * packIso / unpackIso: MTI, bitmap(s), then the present data elements in ascending order.
 * Both throw only Iso8583Error (field + byte offset), whatever the input.
 */
import { bcdByteLength, decodeBcd, encodeBcd } from './bcd';
import { bitmapFields, buildBitmap, hasSecondary } from './bitmap';
import { Iso8583Error } from './errors';
import { packField, unpackField } from './field-codec';
import type { IsoMessage, Packager } from './types';

export type { FieldDef, FieldType, IsoMessage, LengthPrefix, Packager, PackagerEncoding } from './types';
export { Iso8583Error } from './errors';
export { ISO87A, ISO87B, PACKAGERS, packagerByName } from './packagers';

const MTI_RE = /^[0-9]{4}$/;

function presentFields(msg: IsoMessage, packager: Packager, mtiSize: number): number[] {
  if (typeof msg.fields !== 'object' || msg.fields === null) throw new Iso8583Error(null, mtiSize, 'fields must be an object');
  const out: number[] = [];
  for (const key of Object.keys(msg.fields)) {
    if ((msg.fields as Record<string, unknown>)[key] === undefined) continue;
    const f = /^[0-9]{1,3}$/.test(key) ? Number(key) : NaN;
    if (f === 1) throw new Iso8583Error(1, mtiSize, 'field 1 (secondary bitmap) is computed on pack, leave it out');
    if (!(f >= 2 && f <= 128)) throw new Iso8583Error(null, mtiSize, 'field numbers must be 2..128');
    if (!packager.fields[f]) throw new Iso8583Error(f, mtiSize, `not defined in packager ${packager.name}`);
    out.push(f);
  }
  return out.sort((a, b) => a - b);
}

export function packIso(msg: IsoMessage, packager: Packager): Buffer {
  if (typeof msg !== 'object' || msg === null) throw new Iso8583Error(null, 0, 'message must be an object');
  const ascii = packager.encoding === 'ascii';
  if (typeof msg.mti !== 'string' || !MTI_RE.test(msg.mti)) throw new Iso8583Error(0, 0, 'MTI must be 4 digits');
  const mti = ascii ? Buffer.from(msg.mti, 'latin1') : encodeBcd(msg.mti, 'left');
  const fields = presentFields(msg, packager, mti.length);
  const map = buildBitmap(fields);
  const parts: Buffer[] = [mti, ascii ? Buffer.from(map.toString('hex').toUpperCase(), 'latin1') : map];
  let at = mti.length + parts[1]!.length;
  for (const f of fields) {
    const part = packField(f, packager.fields[f]!, (msg.fields as Record<number, unknown>)[f], packager.encoding, at);
    parts.push(part);
    at += part.length;
  }
  return Buffer.concat(parts);
}

function readBitmapHalf(data: Buffer, at: number, ascii: boolean): Buffer {
  const size = ascii ? 16 : 8;
  if (at + size > data.length) throw new Iso8583Error(1, at, `truncated: bitmap needs ${size} bytes, ${data.length - at} left`);
  const raw = data.subarray(at, at + size);
  if (!ascii) return raw;
  for (let i = 0; i < size; i++) {
    const c = raw[i] ?? 0;
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) throw new Iso8583Error(1, at + i, 'bitmap is not hex text');
  }
  return Buffer.from(raw.toString('latin1'), 'hex');
}

function readMti(data: Buffer, ascii: boolean): string {
  const size = ascii ? 4 : bcdByteLength(4);
  if (data.length < size) throw new Iso8583Error(0, 0, `truncated: MTI needs ${size} bytes, ${data.length} given`);
  if (ascii) {
    for (let i = 0; i < 4; i++) {
      const c = data[i] ?? 0;
      if (c < 0x30 || c > 0x39) throw new Iso8583Error(0, i, 'MTI is not 4 ASCII digits');
    }
    return data.toString('latin1', 0, 4);
  }
  const text = decodeBcd(data.subarray(0, size), 4, 'left', false);
  if (typeof text !== 'string') throw new Iso8583Error(0, text.index, 'MTI is not BCD');
  return text;
}

export function unpackIso(data: Uint8Array, packager: Packager): IsoMessage {
  if (!(data instanceof Uint8Array)) throw new Iso8583Error(null, 0, 'input must be bytes');
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const ascii = packager.encoding === 'ascii';
  const mti = readMti(buf, ascii);
  let at = ascii ? 4 : 2;
  const primary = readBitmapHalf(buf, at, ascii);
  at += ascii ? 16 : 8;
  let map: Buffer = primary;
  if (hasSecondary(primary[0] ?? 0)) {
    map = Buffer.concat([primary, readBitmapHalf(buf, at, ascii)]);
    at += ascii ? 16 : 8;
  }
  const fields: Record<number, string | Buffer> = {};
  for (const f of bitmapFields(map)) {
    const def = packager.fields[f];
    if (!def) throw new Iso8583Error(f, at, `present in bitmap but not defined in packager ${packager.name}`);
    const [value, next] = unpackField(f, def, buf, at, packager.encoding);
    fields[f] = value;
    at = next;
  }
  if (at !== buf.length) throw new Iso8583Error(null, at, `${buf.length - at} trailing bytes after the last field`);
  return { mti, fields };
}
