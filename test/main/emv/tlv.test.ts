import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildDolData,
  decodeTlv,
  describeTlv,
  encodeDol,
  encodeTlv,
  findAllTags,
  findTag,
  fitDolValue,
  parseDol,
  splitDolData,
  tlv,
  TlvError,
  type TlvNode,
} from '../../../main/emv/tlv';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const hx = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

describe('BER-TLV decode', () => {
  it('decodes a GPO format 2 response with nested template and multi-byte tags', () => {
    const nodes = decodeTlv(h('77 13 82 02 1980 94 04 08010100 9F36 02 0001 9F27 01 80'));
    expect(nodes).toHaveLength(1);
    expect(nodes[0]!.tag).toBe('77');
    expect(nodes[0]!.children!.map((n) => n.tag)).toEqual(['82', '94', '9F36', '9F27']);
    expect(hx(findTag(nodes, '94')!.value)).toBe('08010100');
    expect(hx(findTag(nodes, '9f36')!.value)).toBe('0001');
  });

  it('decodes long-form lengths 81 and 82', () => {
    const v = 'AB'.repeat(200);
    const nodes = decodeTlv(h(`70 81 CB 9F46 81 C8 ${v} 5F24 03 301231`.replace('CB', (200 + 4 + 6).toString(16))));
    expect(findTag(nodes, '9F46')!.value).toHaveLength(200);
    const big = new Uint8Array(300).fill(7);
    const enc = encodeTlv(tlv('90', big));
    expect(hx(enc.subarray(0, 4))).toBe('9082012C');
    expect(decodeTlv(enc)[0]!.value).toEqual(big);
  });

  it('skips 00 padding between objects', () => {
    expect(decodeTlv(h('00 00 9F36 02 0001 00')).map((n) => n.tag)).toEqual(['9F36']);
    expect(() => decodeTlv(h('00 9F36 02 0001'), { allowPadding: false })).toThrow(TlvError);
  });

  it.each([
    ['9F', 'truncated tag', 0],
    ['9F36', 'missing length', 2],
    ['9F36 05 0001', 'exceeds', 2],
    ['82 80', 'indefinite', 1],
    ['82 85 0000000001 00', 'length field of 5 bytes', 1],
    ['82 82 01', 'truncated length', 1],
    ['9F FF FF FF 7F 01 00', 'tag longer than 4 bytes', 0],
    ['70 04 9F36 05 00', 'exceeds', 4],
  ])('rejects %s (%s) with offset', (data, msg, offset) => {
    try {
      decodeTlv(h(data));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TlvError);
      expect((e as TlvError).message).toContain(msg);
      expect((e as TlvError).offset).toBe(offset);
    }
  });

  it('findAllTags walks every level', () => {
    const nodes = decodeTlv(h('71 0B 9F18 04 00000001 86 02 8418 72 04 86 02 8424'));
    expect(findAllTags(nodes, '86').map((n) => hx(n.value))).toEqual(['8418', '8424']);
  });

  it('tlv() rejects ill-formed tags', () => {
    expect(() => tlv('9F', '00')).toThrow(TlvError);
    expect(() => tlv('82 01'.replace(' ', ''), '00')).toThrow(TlvError);
    expect(() => tlv('9F81', '00')).toThrow(TlvError); // last byte still has the continuation bit
    expect(() => tlv('00', '00')).toThrow(TlvError);
    expect(tlv('9f8101', '00').tag).toBe('9F8101');
  });
});

// Random well-formed tag generator (1-3 bytes, primitive or constructed).
const tagArb = (constructed: boolean): fc.Arbitrary<string> =>
  fc
    .record({
      cls: fc.integer({ min: 0, max: 3 }),
      multi: fc.boolean(),
      low: fc.integer({ min: 1, max: 30 }),
      subs: fc.array(fc.integer({ min: 1, max: 127 }), { minLength: 1, maxLength: 2 }),
    })
    .map(({ cls, multi, low, subs }) => {
      const first = (cls << 6) | (constructed ? 0x20 : 0) | (multi ? 0x1f : low);
      const bytes = [first];
      if (multi) subs.forEach((s, i) => bytes.push(i < subs.length - 1 ? 0x80 | s : s));
      return Buffer.from(bytes).toString('hex').toUpperCase();
    })
    .filter((t) => !t.startsWith('FF') && !t.startsWith('00'));

const nodeArb: fc.Arbitrary<TlvNode> = fc.letrec<{ node: TlvNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ tag: tagArb(false), value: fc.uint8Array({ maxLength: 300 }) }),
    fc.record({ tag: tagArb(true), kids: fc.array(tie('node'), { maxLength: 4 }) }).map(({ tag, kids }) => tlv(tag, kids)),
  ),
})).node;

describe('BER-TLV properties', () => {
  it('random trees round-trip', () => {
    fc.assert(
      fc.property(fc.array(nodeArb, { maxLength: 5 }), (nodes) => {
        const enc = encodeTlv(nodes);
        const dec = decodeTlv(enc);
        expect(encodeTlv(dec)).toEqual(enc);
        expect(dec.map((n) => n.tag)).toEqual(nodes.map((n) => n.tag));
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes never throw anything but TlvError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeTlv(bytes);
        } catch (e) {
          if (!(e instanceof TlvError)) throw e;
        }
        try {
          parseDol(bytes);
        } catch (e) {
          if (!(e instanceof TlvError)) throw e;
        }
        expect(typeof describeTlv(bytes)).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('DOL', () => {
  it('parses a PDOL and builds data with Book 3 5.4 padding and truncation', () => {
    const pdol = h('9F66 04 9F02 06 9F37 04 5F2A 02 9F1A 02 9A 03 9C 01');
    const dol = parseDol(pdol);
    expect(dol).toEqual([
      { tag: '9F66', length: 4 },
      { tag: '9F02', length: 6 },
      { tag: '9F37', length: 4 },
      { tag: '5F2A', length: 2 },
      { tag: '9F1A', length: 2 },
      { tag: '9A', length: 3 },
      { tag: '9C', length: 1 },
    ]);
    expect(encodeDol(dol)).toEqual(pdol);
    const src = new Map<string, Uint8Array>([
      ['9F02', h('010000')], // numeric, short -> left-padded
      ['9F37', h('0102030405')], // binary, long -> keep leftmost
      ['5F2A', h('0156')],
      ['9F1A', h('0156')],
      ['9A', h('250102')],
      ['9C', h('01')],
    ]);
    expect(hx(buildDolData(dol, src))).toBe('00000000' + '000000010000' + '01020304' + '0156' + '0156' + '250102' + '01');
  });

  it('fits values per format', () => {
    expect(hx(fitDolValue(h('000000012345'), 4, 'n'))).toBe('00012345'); // numeric truncation keeps the right
    expect(hx(fitDolValue(h('1234'), 4, 'cn'))).toBe('1234FFFF');
    expect(hx(fitDolValue(h('4142'), 4, 'an'))).toBe('41420000');
    expect(hx(fitDolValue(h('41424344'), 2, 'ans'))).toBe('4142');
    expect(hx(fitDolValue(undefined, 3, 'b'))).toBe('000000');
  });

  it('fills constructed tags with zeros and splits data back', () => {
    const dol = h('70 02 9F36 02');
    const data = buildDolData(dol, (t) => (t === '70' ? h('FFFF') : t === '9F36' ? h('0007') : undefined));
    expect(hx(data)).toBe('00000007');
    expect(hx(splitDolData(dol, data).get('9F36')!)).toBe('0007');
    expect(() => splitDolData(dol, h('00'))).toThrow(TlvError);
  });

  it('rejects truncated DOLs', () => {
    expect(() => parseDol(h('9F'))).toThrow(TlvError);
    expect(() => parseDol(h('9F02'))).toThrow(TlvError);
  });
});

describe('describeTlv', () => {
  const record = encodeTlv(
    tlv('70', [
      tlv('57', '4761739001010010D30122011143878089'),
      tlv('5A', '4761739001010010'),
      tlv('5F20', Uint8Array.from(Buffer.from('CARDHOLDER/VISA'))),
      tlv('9F1F', '3132333435'),
      tlv('56', '42343736'),
      tlv('5F24', '301231'),
      tlv('50', Uint8Array.from(Buffer.from('VISA DEBIT'))),
    ]),
  );

  it('names tags and never prints sensitive values', () => {
    const text = describeTlv(record);
    expect(text).toContain('5F24 Application Expiration Date (3) 301231');
    expect(text).toContain('"VISA DEBIT"');
    expect(text).toContain('57 Track 2 Equivalent Data (17) [masked]');
    expect(text).toContain('5A Application Primary Account Number (PAN) (8) [masked]');
    expect(text).not.toContain('4761739001010010');
    expect(text).not.toContain('476173');
    expect(text).not.toContain('CARDHOLDER');
    expect(text).not.toContain('3132333435');
    expect(text).not.toContain('42343736');
  });

  it('does not dump bytes it cannot parse', () => {
    const bad = h('5A 08 4761739001010010 9F');
    const text = describeTlv(bad);
    expect(text).toMatch(/unparseable/);
    expect(text).not.toContain('4761739001010010');
  });
});
