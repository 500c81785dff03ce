/**
 * Data Object Lists (PDOL 9F38, CDOL1 8C, CDOL2 8D, DDOL 9F49): a list of tag + length with no
 * values. Building DOL-related data follows EMV Book 3 section 5.4.
 */
import { TlvError, isConstructedTag } from './tlv-codec';
import { tagInfo, type TagFormat } from './tag-dictionary';

export interface DolEntry {
  tag: string;
  length: number;
}

/** Parses a DOL (tag, length pairs). Throws TlvError on truncated data. */
export function parseDol(dol: Uint8Array): DolEntry[] {
  const out: DolEntry[] = [];
  let pos = 0;
  while (pos < dol.length) {
    const start = pos;
    const first = dol[pos++]!;
    if ((first & 0x1f) === 0x1f) {
      for (;;) {
        if (pos >= dol.length) throw new TlvError('truncated tag in DOL', start);
        const b = dol[pos++]!;
        if (pos - start > 4) throw new TlvError('DOL tag longer than 4 bytes', start);
        if ((b & 0x80) === 0) break;
      }
    }
    const tag = Buffer.from(dol.subarray(start, pos)).toString('hex').toUpperCase();
    if (pos >= dol.length) throw new TlvError(`DOL entry ${tag} without length`, pos);
    const lenByte = dol[pos]!;
    // DOL lengths are a single byte in practice; a long form would be ambiguous here.
    if (lenByte >= 0x80) throw new TlvError(`DOL entry ${tag}: length byte ${lenByte.toString(16)} not supported`, pos);
    pos++;
    out.push({ tag, length: lenByte });
  }
  return out;
}

export function encodeDol(entries: readonly DolEntry[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(entries.map((e) => Buffer.concat([Buffer.from(e.tag, 'hex'), Buffer.of(e.length)]))));
}

/** Fits one value to a DOL length: EMV Book 3 5.4 rules. */
export function fitDolValue(value: Uint8Array | undefined, length: number, format: TagFormat): Uint8Array {
  const out = new Uint8Array(length);
  if (!value) return out; // absent or unknown: hex zeros
  if (value.length === length) {
    out.set(value);
    return out;
  }
  if (value.length > length) {
    // Numeric keeps the rightmost bytes; every other format keeps the leftmost.
    out.set(format === 'n' ? value.subarray(value.length - length) : value.subarray(0, length));
    return out;
  }
  if (format === 'n') {
    out.set(value, length - value.length); // leading hex zeros
  } else {
    out.set(value, 0);
    if (format === 'cn') out.fill(0xff, value.length); // trailing FF
  }
  return out;
}

export type DolSource = ReadonlyMap<string, Uint8Array> | ((tag: string) => Uint8Array | undefined);

/**
 * Builds the concatenated data for a DOL from a source of values. Constructed tags and tags the
 * source does not know are filled with zeros (EMV Book 3 5.4).
 */
export function buildDolData(dol: readonly DolEntry[] | Uint8Array, source: DolSource): Uint8Array {
  const entries = dol instanceof Uint8Array ? parseDol(dol) : dol;
  const get = typeof source === 'function' ? source : (t: string): Uint8Array | undefined => source.get(t);
  const parts = entries.map((e) => {
    const value = isConstructedTag(e.tag) ? undefined : get(e.tag);
    return fitDolValue(value, e.length, tagInfo(e.tag)?.format ?? 'b');
  });
  return Uint8Array.from(Buffer.concat(parts));
}

/** Splits DOL data back into tag -> value using the DOL (the inverse of buildDolData for exact lengths). */
export function splitDolData(dol: readonly DolEntry[] | Uint8Array, data: Uint8Array): Map<string, Uint8Array> {
  const entries = dol instanceof Uint8Array ? parseDol(dol) : dol;
  const total = entries.reduce((s, e) => s + e.length, 0);
  if (total !== data.length) throw new TlvError(`DOL data is ${data.length} bytes, DOL wants ${total}`, 0);
  const out = new Map<string, Uint8Array>();
  let pos = 0;
  for (const e of entries) {
    out.set(e.tag, data.slice(pos, pos + e.length));
    pos += e.length;
  }
  return out;
}
