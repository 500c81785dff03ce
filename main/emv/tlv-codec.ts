/**
 * BER-TLV codec as used by EMV (EMV Book 3 Annex B, ISO/IEC 8825-1 subset):
 * multi-byte tags, short and long-form lengths (up to 4 length bytes), constructed objects
 * (tag byte 1 bit 6 set) decoded recursively. Malformed input raises TlvError with the offset.
 */

/** A decoded data object. `tag` is upper-case hex ("9F02"). Constructed objects carry `children`. */
export interface TlvNode {
  tag: string;
  /** The raw value field (for constructed objects: the encoded children). */
  value: Uint8Array;
  children?: TlvNode[];
}

export class TlvError extends Error {
  override name = 'TlvError';
  constructor(
    message: string,
    /** Byte offset (from the start of the outermost buffer) where the problem was found. */
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

export interface DecodeOptions {
  /** Skip 00 / FF filler bytes between objects (EMV Book 3 Annex B allows 00 padding). Default true. */
  allowPadding?: boolean;
  /** Decode constructed objects into `children`. Default true. */
  recursive?: boolean;
  /** Maximum nesting depth before TlvError. Default 16. */
  maxDepth?: number;
}

const MAX_TAG_BYTES = 4;
const MAX_LENGTH_BYTES = 4;

export function isConstructedTag(tag: string): boolean {
  const first = parseInt(tag.slice(0, 2), 16);
  return (first & 0x20) !== 0;
}

/** Validates the hex form of a tag and returns its bytes. Throws TlvError (offset -1) if ill-formed. */
export function tagBytes(tag: string): Uint8Array {
  if (!/^(?:[0-9A-Fa-f]{2}){1,4}$/.test(tag)) throw new TlvError(`bad tag "${tag}"`, -1);
  const b = Uint8Array.from(Buffer.from(tag, 'hex'));
  if (b[0] === 0x00 || b[0] === 0xff) throw new TlvError(`tag ${tag}: 00 and FF are filler, not tags`, -1);
  const multi = (b[0]! & 0x1f) === 0x1f;
  if (!multi && b.length !== 1) throw new TlvError(`tag ${tag}: single-byte tag form with extra bytes`, -1);
  if (multi) {
    if (b.length < 2) throw new TlvError(`tag ${tag}: multi-byte tag without subsequent byte`, -1);
    for (let i = 1; i < b.length; i++) {
      const more = (b[i]! & 0x80) !== 0;
      if (more !== (i < b.length - 1)) throw new TlvError(`tag ${tag}: bad continuation bits`, -1);
    }
  }
  return b;
}

function readTag(buf: Uint8Array, pos: number, base: number): { tag: string; next: number } {
  const start = pos;
  const first = buf[pos++]!;
  if ((first & 0x1f) === 0x1f) {
    for (;;) {
      if (pos >= buf.length) throw new TlvError('truncated tag', base + start);
      const b = buf[pos++]!;
      if (pos - start > MAX_TAG_BYTES) throw new TlvError('tag longer than 4 bytes', base + start);
      if ((b & 0x80) === 0) break;
    }
  }
  return { tag: Buffer.from(buf.subarray(start, pos)).toString('hex').toUpperCase(), next: pos };
}

function readLength(buf: Uint8Array, pos: number, base: number): { length: number; next: number } {
  if (pos >= buf.length) throw new TlvError('missing length', base + pos);
  const first = buf[pos]!;
  if (first < 0x80) return { length: first, next: pos + 1 };
  if (first === 0x80) throw new TlvError('indefinite length not allowed', base + pos);
  const n = first & 0x7f;
  if (n > MAX_LENGTH_BYTES) throw new TlvError(`length field of ${n} bytes`, base + pos);
  if (pos + 1 + n > buf.length) throw new TlvError('truncated length', base + pos);
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + buf[pos + 1 + i]!;
  return { length, next: pos + 1 + n };
}

function decodeAt(buf: Uint8Array, base: number, opts: Required<DecodeOptions>, depth: number): TlvNode[] {
  if (depth > opts.maxDepth) throw new TlvError('nesting too deep', base);
  const out: TlvNode[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const b = buf[pos]!;
    if (b === 0x00 || b === 0xff) {
      if (!opts.allowPadding) throw new TlvError(`invalid tag byte ${b.toString(16).padStart(2, '0')}`, base + pos);
      pos++;
      continue;
    }
    const { tag, next: afterTag } = readTag(buf, pos, base);
    const { length, next: valueStart } = readLength(buf, afterTag, base);
    const valueEnd = valueStart + length;
    if (valueEnd > buf.length) {
      throw new TlvError(`tag ${tag}: length ${length} exceeds the ${buf.length - valueStart} bytes left`, base + afterTag);
    }
    const value = buf.slice(valueStart, valueEnd);
    const node: TlvNode = { tag, value };
    if (opts.recursive && isConstructedTag(tag)) node.children = decodeAt(value, base + valueStart, opts, depth + 1);
    out.push(node);
    pos = valueEnd;
  }
  return out;
}

/** Decodes a sequence of BER-TLV objects. Throws TlvError on malformed data (never anything else). */
export function decodeTlv(data: Uint8Array, options: DecodeOptions = {}): TlvNode[] {
  const opts: Required<DecodeOptions> = {
    allowPadding: options.allowPadding ?? true,
    recursive: options.recursive ?? true,
    maxDepth: options.maxDepth ?? 16,
  };
  return decodeAt(data, 0, opts, 0);
}

export function encodeLength(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new TlvError(`bad length ${n}`, -1);
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.from([0x80 | bytes.length, ...bytes]);
}

/** Encodes one node or a list. Nodes with `children` are encoded from the children (value ignored). */
export function encodeTlv(nodes: TlvNode | readonly TlvNode[]): Uint8Array {
  const list = Array.isArray(nodes) ? (nodes as readonly TlvNode[]) : [nodes as TlvNode];
  const parts: Uint8Array[] = [];
  for (const n of list) {
    const t = tagBytes(n.tag);
    const value = n.children ? encodeTlv(n.children) : n.value;
    parts.push(t, encodeLength(value.length), value);
  }
  return Uint8Array.from(Buffer.concat(parts));
}

/** Builds a primitive node from hex or bytes, or a constructed node from children. */
export function tlv(tag: string, value: string | Uint8Array | readonly TlvNode[]): TlvNode {
  const t = tag.toUpperCase();
  tagBytes(t);
  if (typeof value === 'string') return { tag: t, value: Uint8Array.from(Buffer.from(value, 'hex')) };
  if (value instanceof Uint8Array) return { tag: t, value };
  const children = [...value];
  return { tag: t, value: encodeTlv(children), children };
}

/** Depth-first search for the first object with `tag` (searches inside constructed objects). */
export function findTag(nodes: readonly TlvNode[], tag: string): TlvNode | undefined {
  const want = tag.toUpperCase();
  for (const n of nodes) {
    if (n.tag === want) return n;
    if (n.children) {
      const hit = findTag(n.children, want);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Every object with `tag`, depth-first, in order. */
export function findAllTags(nodes: readonly TlvNode[], tag: string): TlvNode[] {
  const want = tag.toUpperCase();
  const out: TlvNode[] = [];
  const walk = (list: readonly TlvNode[]): void => {
    for (const n of list) {
      if (n.tag === want) out.push(n);
      if (n.children) walk(n.children);
    }
  };
  walk(nodes);
  return out;
}

/** Flattens primitive objects into a map tag -> value (first occurrence wins). */
export function tlvToMap(nodes: readonly TlvNode[], into: Map<string, Uint8Array> = new Map()): Map<string, Uint8Array> {
  for (const n of nodes) {
    if (n.children) tlvToMap(n.children, into);
    else if (!into.has(n.tag)) into.set(n.tag, n.value);
  }
  return into;
}
