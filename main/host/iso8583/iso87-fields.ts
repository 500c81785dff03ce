/**
 * The ISO 8583:1987 data element table shared by ISO87A and ISO87B, following jPOS ISO87APackager /
 * ISO87BPackager (jpos/jPOS, jpos/src/main/java/org/jpos/iso/packager/). jPOS does not tell 'an' from 'ans'
 * (IF_CHAR / LLCHAR); the split below follows ISO 8583:1987, and is lenient ('ans') wherever hosts are known
 * to send punctuation (34, 36, 44-48, 54, 56-63, 98, 101-127).
 *
 * Deliberate differences from jPOS:
 * - field 35 is 'z' (digits and '='), jPOS uses LLNUM without checking the characters;
 * - field 55 (EMV data) is LLLBINARY 999 in both packagers (jPOS: LLLCHAR 999), so ICC TLV travels as bytes;
 *   in ISO87A it is hex text whose LLL prefix counts bytes, as jPOS IFA_LLLBINARY does.
 */
import type { FieldDef, FieldType, LengthPrefix } from './types';

const def = (type: FieldType, length: number, lengthPrefix: LengthPrefix, name: string): FieldDef => ({ type, length, lengthPrefix, name });
const n = (length: number, name: string) => def('n', length, 0, name);
const an = (length: number, name: string) => def('an', length, 0, name);
const ans = (length: number, name: string) => def('ans', length, 0, name);
const b = (length: number, name: string) => def('b', length, 0, name);
const xn = (length: number, name: string) => def('xn', length, 0, name);
const llnum = (length: number, name: string) => def('n', length, 2, name);
const llchar = (length: number, name: string) => def('ans', length, 2, name);
const lllchar = (length: number, name: string) => def('ans', length, 3, name);

const table: Record<number, FieldDef> = {
  2: llnum(19, 'PAN - primary account number'),
  3: n(6, 'processing code'),
  4: n(12, 'amount, transaction'),
  5: n(12, 'amount, settlement'),
  6: n(12, 'amount, cardholder billing'),
  7: n(10, 'transmission date and time'),
  8: n(8, 'amount, cardholder billing fee'),
  9: n(8, 'conversion rate, settlement'),
  10: n(8, 'conversion rate, cardholder billing'),
  11: n(6, 'system trace audit number'),
  12: n(6, 'time, local transaction'),
  13: n(4, 'date, local transaction'),
  14: n(4, 'date, expiration'),
  15: n(4, 'date, settlement'),
  16: n(4, 'date, conversion'),
  17: n(4, 'date, capture'),
  18: n(4, 'merchant type'),
  19: n(3, 'acquiring institution country code'),
  20: n(3, 'PAN extended country code'),
  21: n(3, 'forwarding institution country code'),
  22: n(3, 'point of service entry mode'),
  23: n(3, 'card sequence number'),
  24: n(3, 'network international identifier'),
  25: n(2, 'point of service condition code'),
  26: n(2, 'point of service PIN capture code'),
  27: n(1, 'authorization identification response length'),
  28: xn(9, 'amount, transaction fee'),
  29: xn(9, 'amount, settlement fee'),
  30: xn(9, 'amount, transaction processing fee'),
  31: xn(9, 'amount, settlement processing fee'),
  32: llnum(11, 'acquiring institution identification code'),
  33: llnum(11, 'forwarding institution identification code'),
  34: llchar(28, 'PAN extended'),
  35: def('z', 37, 2, 'track 2 data'),
  36: lllchar(104, 'track 3 data'),
  37: an(12, 'retrieval reference number'),
  38: an(6, 'authorization identification response'),
  39: an(2, 'response code'),
  40: an(3, 'service restriction code'),
  41: ans(8, 'card acceptor terminal identification'),
  42: ans(15, 'card acceptor identification code'),
  43: ans(40, 'card acceptor name/location'),
  44: llchar(25, 'additional response data'),
  45: llchar(76, 'track 1 data'),
  46: lllchar(999, 'additional data - ISO'),
  47: lllchar(999, 'additional data - national'),
  48: lllchar(999, 'additional data - private'),
  49: an(3, 'currency code, transaction'),
  50: an(3, 'currency code, settlement'),
  51: an(3, 'currency code, cardholder billing'),
  52: b(8, 'PIN data'),
  53: n(16, 'security related control information'),
  54: lllchar(120, 'additional amounts'),
  55: def('b', 999, 3, 'ICC data (EMV)'),
  64: b(8, 'message authentication code'),
  65: b(1, 'bitmap, extended'),
  66: n(1, 'settlement code'),
  67: n(2, 'extended payment code'),
  68: n(3, 'receiving institution country code'),
  69: n(3, 'settlement institution country code'),
  70: n(3, 'network management information code'),
  71: n(4, 'message number'),
  72: n(4, 'message number last'),
  73: n(6, 'date, action'),
  90: n(42, 'original data elements'),
  91: an(1, 'file update code'),
  92: an(2, 'file security code'),
  93: an(6, 'response indicator'),
  94: an(7, 'service indicator'),
  95: an(42, 'replacement amounts'),
  96: b(16, 'message security code'),
  97: xn(17, 'amount, net settlement'),
  98: ans(25, 'payee'),
  99: llnum(11, 'settlement institution identification code'),
  100: llnum(11, 'receiving institution identification code'),
  101: llchar(17, 'file name'),
  102: llchar(28, 'account identification 1'),
  103: llchar(28, 'account identification 2'),
  104: lllchar(100, 'transaction description'),
  128: b(8, 'message authentication code 2'),
};
for (const f of [56, 57, 58, 59, 60, 61, 62, 63]) table[f] = lllchar(999, f < 57 ? 'reserved ISO' : f < 60 ? 'reserved national' : 'reserved private');
for (let f = 74; f <= 81; f++) table[f] = n(10, ['credits', 'credits reversal', 'debits', 'debits reversal', 'transfer', 'transfer reversal', 'inquiries', 'authorizations'][f - 74] + ', number');
for (let f = 82; f <= 85; f++) table[f] = n(12, ['credits, processing fee', 'credits, transaction fee', 'debits, processing fee', 'debits, transaction fee'][f - 82] + ' amount');
for (let f = 86; f <= 89; f++) table[f] = n(16, ['credits', 'credits, reversal', 'debits', 'debits, reversal'][f - 86] + ' amount');
for (let f = 105; f <= 127; f++) table[f] = lllchar(999, f <= 111 ? 'reserved ISO' : f <= 119 ? 'reserved national' : 'reserved private');

/** Fields 2..128 (frozen). */
export const ISO87_FIELDS: Readonly<Record<number, FieldDef>> = Object.freeze(table);
