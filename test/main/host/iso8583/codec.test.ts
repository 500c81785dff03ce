import { describe, expect, it } from 'vitest';
import { ISO87A, ISO87B, ISO87_FIELDS, Iso8583Error, packIso, unpackIso, type IsoMessage, type Packager } from '../../../../main/host/iso8583';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string) => Buffer.from(s, 'latin1');

function expectIsoError(fn: () => unknown, field: number | null, offset: number): Iso8583Error {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Iso8583Error);
    const err = e as Iso8583Error;
    expect({ field: err.field, offset: err.offset }).toEqual({ field, offset });
    return err;
  }
  throw new Error('expected an Iso8583Error');
}

describe('field table (jPOS ISO87APackager / ISO87BPackager)', () => {
  it('defines fields 2..128 with the jPOS lengths the ATM relies on', () => {
    for (let f = 2; f <= 128; f++) expect(ISO87_FIELDS[f], `field ${f}`).toBeDefined();
    const spec = (f: number) => {
      const d = ISO87_FIELDS[f]!;
      return `${d.type}${d.lengthPrefix ? '.'.repeat(d.lengthPrefix) : ''}${d.length}`;
    };
    expect(spec(2)).toBe('n..19');
    expect([3, 4, 7, 11, 12, 13, 14, 18, 22, 23, 25].map(spec)).toEqual(['n6', 'n12', 'n10', 'n6', 'n6', 'n4', 'n4', 'n4', 'n3', 'n3', 'n2']);
    expect(spec(32)).toBe('n..11');
    expect(spec(35)).toBe('z..37');
    expect([37, 38, 39, 41, 42, 43, 49].map(spec)).toEqual(['an12', 'an6', 'an2', 'ans8', 'ans15', 'ans40', 'an3']);
    expect([52, 53, 54, 55, 64].map(spec)).toEqual(['b8', 'n16', 'ans...120', 'b...999', 'b8']);
    expect([70, 90, 95, 102, 103, 128].map(spec)).toEqual(['n3', 'n42', 'an42', 'ans..28', 'ans..28', 'b8']);
    expect([28, 97].map(spec)).toEqual(['xn9', 'xn17']);
  });
});

describe('published and hand-derived fixtures', () => {
  // Network management message from an interchange specification quoted on the jPOS users list
  // ("LLVAR Format", https://groups.google.com/g/jpos-users/c/fXU38vT63aY, 2009): ASCII MTI, hex bitmaps,
  // field 7 n10, 11 n6, 33 LLVAR n..11 ("06" + "600002"), 70 n3. That is exactly the ISO87A layout.
  const echo: IsoMessage = { mti: '0800', fields: { 7: '0707000205', 11: '000205', 33: '600002', 70: '301' } };
  const echoA = '0800' + '8220000080000000' + '0400000000000000' + '0707000205' + '000205' + '06600002' + '301';

  it('ISO87A: the jPOS-users 0800 fixture packs and unpacks byte for byte', () => {
    expect(echoA).toBe('080082200000800000000400000000000000070700020500020506600002301');
    expect(packIso(echo, ISO87A).toString('latin1')).toBe(echoA);
    expect(unpackIso(ascii(echoA), ISO87A)).toEqual(echo);
  });

  it('ISO87A: the pyiso8583 README example (default_ascii spec, field 2 LLVAR)', () => {
    // https://pypi.org/project/pyiso8583/ "Encoding & Decoding": b'02004000000000000000101234567890'
    const raw = '02004000000000000000101234567890';
    expect(unpackIso(ascii(raw), ISO87A)).toEqual({ mti: '0200', fields: { 2: '1234567890' } });
    expect(packIso({ mti: '0200', fields: { 2: '1234567890' } }, ISO87A).toString('latin1')).toBe(raw);
  });

  it('ISO87B: the same 0800 by hand (BCD MTI, binary bitmaps, BCD LL, n3 left-padded)', () => {
    const b = hex('0800 8220000080000000 0400000000000000 0707000205 000205 06 600002 0301');
    expect(packIso(echo, ISO87B)).toEqual(b);
    expect(unpackIso(b, ISO87B)).toEqual(echo);
  });

  it('ISO87B: IFB_LLNUM and IFB_AMOUNT shapes from jPOS unit tests', () => {
    // jPOS IFB_LLNUMTest: "1234" -> 04 12 34. IFB_AMOUNTTest: "D123" in 6 -> 'D' 00 01 23.
    expect(packIso({ mti: '0100', fields: { 32: '1234' } }, ISO87B)).toEqual(hex('0100 0000000100000000 04 1234'));
    // field 28 is x+n 9: 'C'/'D' + 8 digits -> 1 + 4 bytes
    expect(packIso({ mti: '0100', fields: { 28: 'D123' } }, ISO87B)).toEqual(hex('0100 0000001000000000 44 00000123'));
    expect(packIso({ mti: '0100', fields: { 28: 'D123' } }, ISO87A).toString('latin1')).toBe('0100' + '0000001000000000' + 'D00000123');
  });

  // A withdrawal request derived by hand, field by field, in both packagers.
  const pinBlock = hex('0123456789ABCDEF');
  const icc = hex('9F0206000000010000');
  const withdrawal: IsoMessage = {
    mti: '0200',
    fields: { 2: '4761739001010119', 3: '010000', 4: '10000', 11: '42', 22: '051', 35: '4761739001010119=2212', 41: 'ATM00001', 49: '978', 52: pinBlock, 55: icc },
  };
  // bitmap bytes: 2,3,4 -> 70; 11 -> 20; 22 -> 04; (25-32) 00; 35 -> 20; 41 -> 80; 49,52,55 -> 80|10|02 = 92; (57-64) 00
  const bitmap = '7020040020809200';

  it('ISO87A withdrawal', () => {
    const expected =
      '0200' + bitmap + '16' + '4761739001010119' + '010000' + '000000010000' + '000042' + '051' +
      '21' + '4761739001010119=2212' + 'ATM00001' + '978' + '0123456789ABCDEF' + '009' + '9F0206000000010000';
    expect(packIso(withdrawal, ISO87A).toString('latin1')).toBe(expected);
    expect(unpackIso(ascii(expected), ISO87A)).toEqual({ mti: '0200', fields: { ...withdrawal.fields, 4: '000000010000', 11: '000042' } });
  });

  it('ISO87B withdrawal (odd LLNUM right-padded, "=" as nibble D, LLL prefix 2 bytes)', () => {
    const expected = hex(
      '0200' + bitmap + '16 4761739001010119' + '010000' + '000000010000' + '000042' + '0051' +
      '21 4761739001010119D2212 0' + ascii('ATM00001').toString('hex') + ascii('978').toString('hex') +
      '0123456789ABCDEF' + '0009 9F0206000000010000',
    );
    expect(packIso(withdrawal, ISO87B)).toEqual(expected);
    expect(unpackIso(expected, ISO87B)).toEqual({ mti: '0200', fields: { ...withdrawal.fields, 4: '000000010000', 11: '000042' } });
  });

  it('secondary bitmap only when a field 65..128 is present', () => {
    expect(packIso({ mti: '0800', fields: { 11: '1' } }, ISO87A).toString('latin1').slice(4, 20)).toBe('0020000000000000');
    const withSecondary = packIso({ mti: '0800', fields: { 11: '1', 128: Buffer.alloc(8) } }, ISO87A).toString('latin1');
    // bit 1 (secondary present) -> 80, bit 11 -> 20 in byte 1; bit 128 -> last bit of the secondary bitmap
    expect(withSecondary.slice(4, 36)).toBe('8020000000000000' + '0000000000000001');
  });
});

const allTypes: Array<[number, string | Buffer, string | Buffer]> = [
  [3, '12', '000012'], // n fixed: left zero pad
  [2, '123456789012345', '123456789012345'], // n LLVAR
  [28, 'C5', 'C00000005'], // xn
  [35, '1234=5678', '1234=5678'], // z LLVAR
  [37, 'ABC12', 'ABC12       '], // an fixed: right space pad
  [43, 'Main St. #1, Zürich'.replace('ü', 'u'), 'Main St. #1, Zurich'.padEnd(40)], // ans fixed
  [44, 'x-y', 'x-y'], // ans LLVAR
  [48, '{"a":1}', '{"a":1}'], // ans LLLVAR
  [52, hex('FFEEDDCCBBAA9988'), hex('FFEEDDCCBBAA9988')], // b fixed
  [55, Buffer.alloc(0), Buffer.alloc(0)], // b LLLVAR, empty
  [70, '1', '001'], // secondary-bitmap n fixed
  [96, Buffer.alloc(16, 0xa5), Buffer.alloc(16, 0xa5)], // b16
  [97, 'D1', 'D0000000000000001'], // xn 17
  [102, '', ''], // ans LLVAR, empty
];

describe.each([ISO87A, ISO87B])('$name round trip per field type', (p: Packager) => {
  it.each(allTypes)('field %i', (f, value, expected) => {
    const out = unpackIso(packIso({ mti: '0210', fields: { [f]: value } }, p), p);
    expect(out).toEqual({ mti: '0210', fields: { [f]: expected } });
  });

  it('maximum lengths of variable fields', () => {
    const msg: IsoMessage = { mti: '0110', fields: { 2: '9'.repeat(19), 35: '1'.repeat(36) + '=', 48: 'z'.repeat(999), 55: Buffer.alloc(999, 7), 127: ' '.repeat(999) } };
    expect(unpackIso(packIso(msg, p), p)).toEqual(msg);
  });
});

describe.each([ISO87A, ISO87B])('$name pack rejects', (p: Packager) => {
  const at = p.encoding === 'ascii' ? 20 : 10; // after MTI + primary bitmap
  it.each([
    ['non-digits in n', { 3: '01000A' }, 3],
    ['over-length n', { 3: '1234567' }, 3],
    ['over-length LLVAR', { 2: '1'.repeat(20) }, 2],
    ['over-length an', { 39: '000' }, 39],
    ['punctuation in an', { 39: '0-' }, 39],
    ['non-ASCII in ans', { 43: 'Zürich' }, 43],
    ['control char in ans', { 41: 'ATM\n0001' }, 41],
    ['xn without sign', { 28: '100' }, 28],
    ['wrong size b', { 52: Buffer.alloc(7) }, 52],
    ['string for b', { 52: '0123456789ABCDEF' }, 52],
    ['Buffer for n', { 4: Buffer.from('1') }, 4],
    ['"D" in z', { 35: '1234D5678' }, 35],
  ])('%s', (_name, fields, field) => {
    expectIsoError(() => packIso({ mti: '0200', fields: fields as IsoMessage['fields'] }, p), field, at);
  });

  it('bad MTI, field 1, field 0/129, unknown field', () => {
    expectIsoError(() => packIso({ mti: '200', fields: {} }, p), 0, 0);
    expectIsoError(() => packIso({ mti: '02x0', fields: {} }, p), 0, 0);
    const mtiLen = p.encoding === 'ascii' ? 4 : 2;
    expectIsoError(() => packIso({ mti: '0200', fields: { 1: Buffer.alloc(8) } }, p), 1, mtiLen);
    expectIsoError(() => packIso({ mti: '0200', fields: { 129: '1' } }, p), null, mtiLen);
    expectIsoError(() => packIso({ mti: '0200', fields: { 0: '1' } }, p), null, mtiLen);
    const small: Packager = { name: 'SMALL', encoding: p.encoding, fields: { 3: ISO87_FIELDS[3]! } };
    expectIsoError(() => packIso({ mti: '0200', fields: { 4: '1' } }, small), 4, mtiLen);
  });

  it('reports the output offset of the failing field', () => {
    const size = packIso({ mti: '0200', fields: { 3: '0' } }, p).length;
    expectIsoError(() => packIso({ mti: '0200', fields: { 3: '0', 4: 'x' } }, p), 4, size);
  });

  it('skips undefined values', () => {
    expect(unpackIso(packIso({ mti: '0200', fields: { 3: '0', 4: undefined as unknown as string } }, p), p).fields).toEqual({ 3: '000000' });
  });
});

describe('ISO87A unpack rejects', () => {
  it('truncated MTI, bitmap, fields', () => {
    expectIsoError(() => unpackIso(ascii('080'), ISO87A), 0, 0);
    expectIsoError(() => unpackIso(ascii('08008220'), ISO87A), 1, 4);
    expectIsoError(() => unpackIso(ascii('0800' + 'A220000080000000'), ISO87A), 1, 20); // secondary missing
    expectIsoError(() => unpackIso(ascii('0800' + '8220000080000000' + '0400000000000000' + '07070002'), ISO87A), 7, 36);
    expectIsoError(() => unpackIso(ascii('0200' + '4000000000000000' + '1'), ISO87A), 2, 20); // LL prefix truncated
    expectIsoError(() => unpackIso(ascii('0200' + '4000000000000000' + '10123'), ISO87A), 2, 22); // data truncated
  });
  it('bad length prefix: not digits, over maximum', () => {
    expectIsoError(() => unpackIso(ascii('0200' + '4000000000000000' + '1A0123456789'), ISO87A), 2, 21);
    expectIsoError(() => unpackIso(ascii('0200' + '4000000000000000' + '20' + '1'.repeat(20)), ISO87A), 2, 20);
  });
  it('non-numeric data in a numeric field, with the exact byte offset', () => {
    expectIsoError(() => unpackIso(ascii('0200' + '2000000000000000' + '01000X'), ISO87A), 3, 25);
    expectIsoError(() => unpackIso(ascii('0x00' + '2000000000000000' + '010000'), ISO87A), 0, 1);
  });
  it('non-hex bitmap and binary text', () => {
    expectIsoError(() => unpackIso(ascii('0200' + '200000000000000G' + '010000'), ISO87A), 1, 19);
    expectIsoError(() => unpackIso(ascii('0200' + '0000000000001000' + '0123456789ABCDEZ'), ISO87A), 52, 35);
  });
  it('accepts lower-case hex in bitmap and binary fields', () => {
    // bits 49, 51, 52 -> byte 6 = 80|20|10 = "b0"
    const raw = ascii('0200' + '000000000000b000' + '978' + '978' + '0123456789abcdef');
    expect(unpackIso(raw, ISO87A).fields).toEqual({ 49: '978', 51: '978', 52: hex('0123456789ABCDEF') });
  });
  it('field present in bitmap but not defined', () => {
    const small: Packager = { name: 'SMALL', encoding: 'ascii', fields: { 3: ISO87_FIELDS[3]! } };
    expectIsoError(() => unpackIso(ascii('0200' + '3000000000000000' + '010000' + '1'), small), 4, 26);
  });
  it('trailing garbage', () => {
    expectIsoError(() => unpackIso(ascii('0200' + '2000000000000000' + '010000' + '  '), ISO87A), null, 26);
  });
});

describe('ISO87B unpack rejects', () => {
  it('non-BCD MTI, length prefix, numeric nibbles, pad nibbles', () => {
    expectIsoError(() => unpackIso(hex('0A00 2000000000000000 010000'), ISO87B), 0, 0);
    expectIsoError(() => unpackIso(hex('0200 4000000000000000 1A 0123456789'), ISO87B), 2, 10);
    expectIsoError(() => unpackIso(hex('0200 4000000000000000 20 01234567890123456789'), ISO87B), 2, 10); // 20 > 19
    expectIsoError(() => unpackIso(hex('0200 2000000000000000 0100B0'), ISO87B), 3, 12);
    expectIsoError(() => unpackIso(hex('0200 4000000000000000 03 1234'), ISO87B), 2, 12); // right pad nibble must be 0
    expectIsoError(() => unpackIso(hex('0800 8000000000000000 0400000000000000 1301'), ISO87B), 70, 18); // left pad nibble must be 0
  });
  it('LLL prefix with a non-zero leading nibble, and a too-long LLL', () => {
    expectIsoError(() => unpackIso(hex('0200 0000000000000200 1001 41'), ISO87B), 55, 10);
    expectIsoError(() => unpackIso(hex('0200 0000000000000400 0121' + '41'.repeat(121)), ISO87B), 54, 10);
  });
  it('truncated and trailing', () => {
    expectIsoError(() => unpackIso(hex('02'), ISO87B), 0, 0);
    expectIsoError(() => unpackIso(hex('0200 20000000'), ISO87B), 1, 2);
    expectIsoError(() => unpackIso(hex('0200 2000000000000000 0100'), ISO87B), 3, 10);
    expectIsoError(() => unpackIso(hex('0200 2000000000000000 010000 00'), ISO87B), null, 13);
  });
  it('amount sign must be C or D', () => {
    expectIsoError(() => unpackIso(hex('0200 0000001000000000 45 00000001'), ISO87B), 28, 10);
  });
});

describe('errors never carry card data', () => {
  it('a bad PAN, track 2 or PIN block is described by field and offset only', () => {
    const pan = '4761739001010119';
    const errors = [
      () => packIso({ mti: '0200', fields: { 2: pan + 'X' } }, ISO87A),
      () => packIso({ mti: '0200', fields: { 35: pan + 'D2212' } }, ISO87B),
      () => unpackIso(ascii('0200' + '4000000000000000' + '17' + pan + 'X'), ISO87A),
      () => unpackIso(ascii('0200' + '0000000000001000' + '47611739001010119'.slice(0, 15) + 'Q'), ISO87A),
    ];
    for (const fn of errors) {
      try {
        fn();
        throw new Error('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(Iso8583Error);
        expect((e as Error).message).not.toMatch(/4761|7390|0119/);
      }
    }
  });
});

describe('never another exception type on hostile input', () => {
  it('non-bytes input and malformed messages from untyped callers', () => {
    expectIsoError(() => unpackIso('0800' as unknown as Uint8Array, ISO87A), null, 0);
    expectIsoError(() => unpackIso(null as unknown as Uint8Array, ISO87A), null, 0);
    expectIsoError(() => packIso(null as unknown as IsoMessage, ISO87A), null, 0);
    expectIsoError(() => packIso({ mti: '0800', fields: null } as unknown as IsoMessage, ISO87A), null, 4);
    expectIsoError(() => packIso({ mti: 800 } as unknown as IsoMessage, ISO87A), 0, 0);
    expectIsoError(() => packIso({ mti: '0800', fields: { 3: 123 } } as unknown as IsoMessage, ISO87A), 3, 20);
  });
  it('a Uint8Array view with an offset is read correctly', () => {
    const backing = new Uint8Array(100);
    const packed = packIso({ mti: '0800', fields: { 70: '301' } }, ISO87B);
    backing.set(packed, 37);
    expect(unpackIso(backing.subarray(37, 37 + packed.length), ISO87B)).toEqual({ mti: '0800', fields: { 70: '301' } });
  });
});
