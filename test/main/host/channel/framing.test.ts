import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder, FramingError, encodeFrame, swapTpdu, type Framing } from '../../../../main/host/channel';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const payload = Buffer.from('0800822000000000000004000000000000000707000205000205301', 'latin1');

describe('encodeFrame', () => {
  it.each([
    ['binary2', '0037'],
    ['binary4', '00000037'],
    ['ascii4', Buffer.from('0055', 'latin1').toString('hex')],
    ['bcd2', '0055'],
    ['none', ''],
  ] as const)('%s header for a 55-byte message', (length, header) => {
    expect(payload.length).toBe(55);
    expect(encodeFrame(payload, { length })).toEqual(Buffer.concat([hex(header), payload]));
  });

  it('TPDU after the header, counted by it', () => {
    expect(encodeFrame(hex('AABB'), { length: 'binary2', tpdu: '6000010000' })).toEqual(hex('0007 6000010000 AABB'));
    expect(encodeFrame(hex('AABB'), { length: 'ascii4', tpdu: '6000010000' })).toEqual(Buffer.concat([Buffer.from('0007'), hex('6000010000AABB')]));
  });

  it('responses swap TPDU destination and source', () => {
    expect(swapTpdu('6000010002')).toBe('6000020001');
    expect(() => swapTpdu('60')).toThrow(FramingError);
  });

  it('refuses what the header cannot express', () => {
    expect(() => encodeFrame(Buffer.alloc(10_000), { length: 'ascii4' })).toThrow(FramingError);
    expect(() => encodeFrame(Buffer.alloc(10_000), { length: 'bcd2' })).toThrow(FramingError);
    expect(() => encodeFrame(Buffer.alloc(70_000), { length: 'binary2' })).toThrow(FramingError);
    expect(() => encodeFrame(Buffer.alloc(1), { length: 'binary2', tpdu: 'xyz' })).toThrow(FramingError);
  });
});

describe('FrameDecoder', () => {
  const framings: Framing[] = [
    { length: 'binary2' },
    { length: 'binary4' },
    { length: 'ascii4' },
    { length: 'bcd2' },
    { length: 'binary2', tpdu: '6000010000' },
    { length: 'ascii4', tpdu: '6000030004' },
  ];

  it.each(framings)('reassembles frames split at any byte ($length, tpdu $tpdu)', (framing) => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (messages, cuts) => {
          const stream = Buffer.concat(messages.map((m) => encodeFrame(m, framing)));
          const dec = new FrameDecoder(framing);
          const out: Buffer[] = [];
          let at = 0;
          let i = 0;
          while (at < stream.length) {
            const n = cuts[i++ % cuts.length]!;
            out.push(...dec.push(stream.subarray(at, at + n)));
            at += n;
          }
          expect(out).toEqual(messages.map((m) => Buffer.from(m)));
          expect(dec.pending).toBe(0);
          if (framing.tpdu) expect(dec.lastTpdu?.toString('hex')).toBe(framing.tpdu);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it('several frames in one chunk, keep-alive zero-length frames skipped', () => {
    const dec = new FrameDecoder({ length: 'binary2' });
    expect(dec.push(hex('0001 AA 0000 0002 BBCC 00'))).toEqual([hex('AA'), hex('BBCC')]);
    expect(dec.pending).toBe(1);
    expect(dec.push(hex('01 DD'))).toEqual([hex('DD')]);
  });

  it("'none' takes each chunk as one message", () => {
    const dec = new FrameDecoder({ length: 'none' });
    expect(dec.push(hex('0102'))).toEqual([hex('0102')]);
    expect(dec.push(Buffer.alloc(0))).toEqual([]);
  });

  it('oversize length: clear error, and the decoder stays failed', () => {
    const dec = new FrameDecoder({ length: 'binary2' }, 100);
    expect(() => dec.push(hex('0065'))).toThrow(/frame length 101 exceeds maximum 100/);
    expect(() => dec.push(hex('0001 AA'))).toThrow(FramingError);
  });

  it.each([
    [{ length: 'ascii4' } as Framing, Buffer.from('00x1A')],
    [{ length: 'bcd2' } as Framing, hex('0A01 AA')],
    [{ length: 'binary2', tpdu: '6000010000' } as Framing, hex('0003 600001')],
  ])('invalid length header %#', (framing, bytes) => {
    expect(() => new FrameDecoder(framing).push(bytes)).toThrow(FramingError);
  });

  it.each(['binary2', 'binary4', 'ascii4', 'bcd2'] as const)('random bytes (%s) only ever throw FramingError', (length) => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), (chunks) => {
        const dec = new FrameDecoder({ length, tpdu: '6000010000' }, 500);
        try {
          for (const c of chunks) for (const f of dec.push(c)) expect(f.length).toBeLessThanOrEqual(495);
        } catch (e) {
          expect(e).toBeInstanceOf(FramingError);
        }
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it('binary4 default max frame 8192', () => {
    expect(() => new FrameDecoder({ length: 'binary4' }).push(hex('00002001'))).toThrow(FramingError);
    expect(new FrameDecoder({ length: 'binary4' }).push(Buffer.concat([hex('00002000'), Buffer.alloc(8192)]))).toHaveLength(1);
  });
});
