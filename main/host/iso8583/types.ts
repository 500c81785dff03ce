/**
 * ISO 8583:1987 message and packager types.
 *
 * A packager is a table: for every data element 2..128 a FieldDef, plus one encoding ('ascii' like jPOS
 * ISO87APackager, 'bcd' like jPOS ISO87BPackager) that decides how MTI, bitmap, length prefixes, numerics
 * and binary data are written. Field 1 (the secondary bitmap) is never in a table or in `fields`: it is
 * computed on pack and consumed on unpack.
 */

/** One message. Numeric and alphanumeric fields are strings, binary fields ('b') are Buffers. */
export interface IsoMessage {
  mti: string;
  fields: Record<number, string | Buffer>;
}

/**
 * Field types:
 * - 'n'   digits 0-9. Fixed: left zero-padded on pack. ASCII: one char per digit; BCD: two digits a byte.
 * - 'z'   track 2 data: digits and '=' (BCD: '=' is the nibble D, as jPOS does for IFB_LLNUM).
 * - 'an'  letters, digits and space. Fixed: right space-padded on pack.
 * - 'ans' printable ASCII 0x20-0x7E. Fixed: right space-padded on pack.
 * - 'xn'  amount with sign: 'C' or 'D' then digits (jPOS IFA_AMOUNT / IFB_AMOUNT); digits left zero-padded.
 * - 'b'   binary; `length` counts bytes. ASCII packager writes hex text (2 chars a byte).
 */
export type FieldType = 'n' | 'z' | 'an' | 'ans' | 'xn' | 'b';

/** Length prefix digits: 0 fixed, 2 LLVAR, 3 LLLVAR. */
export type LengthPrefix = 0 | 2 | 3;

export interface FieldDef {
  readonly type: FieldType;
  /** Fixed length, or maximum length of a variable field (characters/digits; bytes for 'b'). */
  readonly length: number;
  readonly lengthPrefix: LengthPrefix;
  readonly name: string;
}

/** 'ascii': ISO87A style. 'bcd': ISO87B style. */
export type PackagerEncoding = 'ascii' | 'bcd';

export interface Packager {
  readonly name: string;
  readonly encoding: PackagerEncoding;
  /** Data elements 2..128 by number; a number not in the table is "not defined" (pack and unpack refuse it). */
  readonly fields: Readonly<Partial<Record<number, FieldDef>>>;
}
