import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { equalEmptying, minimumNotes, mix, preferDenomination } from '../../../devices/dispenser/mix';

const units = [
  { id: 'A', denomination: 2000, available: 100 },
  { id: 'B', denomination: 5000, available: 100 },
  { id: 'C', denomination: 10000, available: 100 },
];
const value = (c: Record<string, number>) => Object.entries(c).reduce((s, [id, n]) => s + units.find((u) => u.id === id)!.denomination * n, 0);

describe('note mix', () => {
  it('minimum notes handles amounts greedy cannot (60 = 3x20, 80 = 4x20 not 50+...)', () => {
    expect(minimumNotes(6000, units, 40)).toEqual({ A: 3 });
    expect(minimumNotes(8000, units, 40)).toEqual({ A: 4 });
    expect(minimumNotes(11000, units, 40)).toEqual({ A: 3, B: 1 });
    expect(minimumNotes(20000, units, 40)).toEqual({ C: 2 });
  });
  it('returns null for amounts that cannot be made', () => {
    expect(minimumNotes(3000, units, 40)).toBeNull();
    expect(minimumNotes(1000, units, 40)).toBeNull();
    expect(minimumNotes(6000, [{ id: 'A', denomination: 2000, available: 2 }], 40)).toBeNull();
  });
  it('respects the note limit', () => {
    expect(minimumNotes(100000, [{ id: 'A', denomination: 2000, available: 1000 }], 40)).toBeNull();
  });
  it('equal emptying draws from the fullest cassette', () => {
    const u = [
      { id: 'A', denomination: 2000, available: 10 },
      { id: 'B', denomination: 2000, available: 500 },
    ];
    expect(equalEmptying(4000, u, 40)).toEqual({ B: 2 });
  });
  it('prefers the chosen denomination', () => {
    expect(preferDenomination(10000, units, 40, 2000)).toEqual({ A: 5 });
    expect(preferDenomination(10000, units, 40, 5000)).toEqual({ B: 2 });
  });
  it('every mix pays exactly the amount from available notes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.constantFrom<'minimumNotes' | 'equalEmptying'>('minimumNotes', 'equalEmptying'), (k, alg) => {
        const amount = k * 1000;
        const r = mix(amount, units, alg);
        if (r === null) return amount % 1000 === 0 && minimumNotes(amount, units, 40) === null;
        return value(r) === amount && Object.entries(r).every(([id, n]) => n <= units.find((u) => u.id === id)!.available);
      }),
    );
  });
});
