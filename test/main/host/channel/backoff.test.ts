import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../../main/host/channel';

describe('backoffDelay', () => {
  const b = { initialMs: 500, maxMs: 30_000 };
  it('doubles from initialMs, capped at maxMs; jitter spans the upper half', () => {
    expect([0, 1, 2, 3, 6, 7, 50].map((n) => backoffDelay(n, b, () => 0))).toEqual([250, 500, 1000, 2000, 15_000, 15_000, 15_000]);
    expect([0, 1, 2, 3, 6, 7, 50].map((n) => backoffDelay(n, b, () => 0.999999))).toEqual([500, 1000, 2000, 4000, 30_000, 30_000, 30_000]);
  });
  it('clamps a misbehaving random source and negative attempts', () => {
    expect(backoffDelay(0, b, () => 5)).toBe(500);
    expect(backoffDelay(0, b, () => -1)).toBe(250);
    expect(backoffDelay(-3, b, () => 0)).toBe(250);
  });
});
