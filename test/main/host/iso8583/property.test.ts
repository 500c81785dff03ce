import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ISO87A, ISO87B, Iso8583Error, packIso, unpackIso, type Packager } from '../../../../main/host/iso8583';
import { expectedAfterRoundTrip, messageArb } from './arbitraries';

const SEED = 8583;

describe.each([ISO87A, ISO87B])('$name properties', (p: Packager) => {
  it('random valid messages round-trip (unpack . pack = normalise)', () => {
    fc.assert(
      fc.property(messageArb(p), (msg) => {
        const packed = packIso(msg, p);
        expect(unpackIso(packed, p)).toEqual(expectedAfterRoundTrip(msg, p));
        // and packing is canonical: pack(unpack(x)) = x
        expect(packIso(unpackIso(packed, p), p)).toEqual(packed);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('random bytes never throw anything but Iso8583Error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          unpackIso(bytes, p);
        } catch (e) {
          expect(e).toBeInstanceOf(Iso8583Error);
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('random bytes behind a plausible header never throw anything but Iso8583Error', () => {
    const header = p.encoding === 'ascii' ? Buffer.from('0200', 'latin1') : Buffer.from('0200', 'hex');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 300 }), (bytes) => {
        const data = Buffer.concat([header, Buffer.from(bytes)]);
        try {
          const msg = unpackIso(data, p);
          expect(unpackIso(packIso(msg, p), p)).toEqual(msg);
        } catch (e) {
          expect(e).toBeInstanceOf(Iso8583Error);
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
