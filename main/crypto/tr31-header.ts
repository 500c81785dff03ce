/**
 * TR-31 / ANSI X9.143 key block header: parse and format.
 *  0 version ID | 1-4 block length (decimal, whole block in characters) | 5-6 key usage | 7 algorithm |
 *  8 mode of use | 9-10 key version number | 11 exportability | 12-13 number of optional blocks (decimal) |
 *  14-15 reserved / key context | optional blocks: ID (2) + length (2 hex, whole block; "00" means an
 *  extended length: 2 hex digits giving the count of hex length digits that follow) + data.
 */
import { CryptoError } from './errors';

export interface Tr31OptionalBlock {
  id: string;
  data: string;
}

export interface Tr31Header {
  versionId: string;
  blockLength: number;
  keyUsage: string;
  algorithm: string;
  modeOfUse: string;
  keyVersionNumber: string;
  exportability: string;
  reserved: string;
  optionalBlocks: Tr31OptionalBlock[];
}

const bad = (msg: string): never => {
  throw new CryptoError('KEY_BLOCK', msg);
};

const PRINTABLE = /^[\x20-\x7e]*$/;

/** Parses the header; returns it and its length in characters. */
export function parseTr31Header(block: string): { header: Tr31Header; length: number } {
  if (block.length < 16 || !PRINTABLE.test(block)) bad('TR-31 key block must be printable ASCII of at least 16 characters');
  const lenField = block.slice(1, 5);
  if (!/^[0-9]{4}$/.test(lenField)) bad('TR-31 block length field must be 4 digits');
  const blockLength = Number(lenField);
  if (blockLength !== block.length) bad(`TR-31 block length field says ${blockLength}, block has ${block.length} characters`);
  const count = block.slice(12, 14);
  if (!/^[0-9]{2}$/.test(count)) bad('TR-31 optional block count must be 2 digits');
  const optionalBlocks: Tr31OptionalBlock[] = [];
  let pos = 16;
  for (let i = 0; i < Number(count); i++) {
    const id = block.slice(pos, pos + 2);
    let lenHex = block.slice(pos + 2, pos + 4);
    if (id.length < 2 || !/^[0-9A-Fa-f]{2}$/.test(lenHex)) bad(`TR-31 optional block ${i + 1} is truncated or malformed`);
    let headLen = 4;
    if (lenHex === '00') {
      const ll = parseInt(block.slice(pos + 4, pos + 6), 16);
      lenHex = block.slice(pos + 6, pos + 6 + ll);
      if (!(ll > 0) || !/^[0-9A-Fa-f]+$/.test(lenHex)) bad(`TR-31 optional block ${i + 1} has a bad extended length`);
      headLen = 6 + ll;
    }
    const total = parseInt(lenHex, 16);
    if (total < headLen || pos + total > block.length) bad(`TR-31 optional block ${i + 1} length is out of range`);
    optionalBlocks.push({ id, data: block.slice(pos + headLen, pos + total) });
    pos += total;
  }
  return {
    header: {
      versionId: block.slice(0, 1),
      blockLength,
      keyUsage: block.slice(5, 7),
      algorithm: block.slice(7, 8),
      modeOfUse: block.slice(8, 9),
      keyVersionNumber: block.slice(9, 11),
      exportability: block.slice(11, 12),
      reserved: block.slice(14, 16),
      optionalBlocks,
    },
    length: pos,
  };
}

export type Tr31HeaderInput = Omit<Tr31Header, 'blockLength' | 'reserved' | 'optionalBlocks'> & {
  reserved?: string;
  optionalBlocks?: Tr31OptionalBlock[];
};

function formatOptionalBlock(b: Tr31OptionalBlock): string {
  if (b.id.length !== 2 || !PRINTABLE.test(b.id + b.data)) bad('TR-31 optional block ID must be 2 printable characters');
  const total = 4 + b.data.length;
  if (total <= 0xff) return b.id + total.toString(16).toUpperCase().padStart(2, '0') + b.data;
  const len = (6 + 4 + b.data.length).toString(16).toUpperCase().padStart(4, '0');
  return `${b.id}0004${len}${b.data}`;
}

/** Formats the header with a given total block length; pads with a PB block to `align` characters. */
export function formatTr31Header(h: Tr31HeaderInput, blockLength: number, align = 1): string {
  const fields: [string, string, number][] = [
    ['versionId', h.versionId, 1],
    ['keyUsage', h.keyUsage, 2],
    ['algorithm', h.algorithm, 1],
    ['modeOfUse', h.modeOfUse, 1],
    ['keyVersionNumber', h.keyVersionNumber, 2],
    ['exportability', h.exportability, 1],
    ['reserved', h.reserved ?? '00', 2],
  ];
  for (const [name, v, n] of fields) if (v.length !== n || !PRINTABLE.test(v)) bad(`TR-31 header ${name} must be ${n} character(s)`);
  const blocks = [...(h.optionalBlocks ?? [])];
  let opt = blocks.map(formatOptionalBlock).join('');
  if (blocks.length > 0 && (16 + opt.length) % align !== 0) {
    let padLen = align - ((16 + opt.length + 4) % align);
    if (padLen === align) padLen = 0;
    blocks.push({ id: 'PB', data: '0'.repeat(padLen) });
    opt += formatOptionalBlock({ id: 'PB', data: '0'.repeat(padLen) });
  }
  if (blocks.length > 99) bad('TR-31 allows at most 99 optional blocks');
  if (blockLength > 9999) bad('TR-31 block too long');
  return (
    h.versionId +
    String(blockLength).padStart(4, '0') +
    h.keyUsage +
    h.algorithm +
    h.modeOfUse +
    h.keyVersionNumber +
    h.exportability +
    String(blocks.length).padStart(2, '0') +
    (h.reserved ?? '00') +
    opt
  );
}
