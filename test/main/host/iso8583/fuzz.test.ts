/**
 * Mutation fuzzing: valid messages with bit flips, truncations, insertions, deletions and splices.
 * Deterministic (fixed seeds). Every outcome must be either a message that re-packs to an equivalent message,
 * or an Iso8583Error with a field number in range and an offset inside the input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ISO87A, ISO87B, Iso8583Error, packIso, unpackIso, type Packager } from '../../../../main/host/iso8583';
import { messageArb } from './arbitraries';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: Buffer, rnd: () => number): Buffer {
  const int = (n: number) => Math.floor(rnd() * n);
  const b = Buffer.from(src);
  switch (int(6)) {
    case 0: {
      const flips = 1 + int(4);
      for (let i = 0; i < flips && b.length; i++) {
        const at = int(b.length);
        b[at] = (b[at] ?? 0) ^ (1 << int(8));
      }
      return b;
    }
    case 1:
      return b.subarray(0, int(b.length));
    case 2: {
      const at = int(b.length + 1);
      const ins = Buffer.from(Array.from({ length: 1 + int(4) }, () => int(256)));
      return Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
    }
    case 3: {
      const at = int(b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(3))]);
    }
    case 4: {
      const at = int(b.length);
      b[at] = [0x30, 0x39, 0x41, 0x46, 0x3d, 0x00, 0xff, 0x99][int(8)] ?? 0;
      return b;
    }
    default: {
      const from = int(b.length);
      const to = int(b.length);
      return Buffer.concat([b.subarray(0, to), b.subarray(from, from + 1 + int(20)), b.subarray(to)]);
    }
  }
}

describe.each([ISO87A, ISO87B])('$name fuzz', (p: Packager) => {
  it('5000 mutated messages: decode cleanly or fail with a precise Iso8583Error', () => {
    const corpus = fc.sample(messageArb(p, 40), { seed: 4242, numRuns: 100 }).map((m) => packIso(m, p));
    const rnd = mulberry32(p.encoding === 'ascii' ? 1 : 2);
    let ok = 0;
    let rejected = 0;
    for (let i = 0; i < 5000; i++) {
      const input = mutate(corpus[i % corpus.length]!, rnd);
      let msg;
      try {
        msg = unpackIso(input, p);
      } catch (e) {
        if (!(e instanceof Iso8583Error)) throw new Error(`iteration ${i}: ${String(e)}`);
        expect(e.offset).toBeGreaterThanOrEqual(0);
        expect(e.offset).toBeLessThanOrEqual(input.length);
        if (e.field !== null) expect(e.field >= 0 && e.field <= 128).toBe(true);
        rejected++;
        continue;
      }
      expect(unpackIso(packIso(msg, p), p)).toEqual(msg);
      ok++;
    }
    expect(rejected).toBeGreaterThan(1000);
    expect(ok + rejected).toBe(5000);
  });
});
