/**
 * Note mix (XFS4IoT CashDispenser.Denominate) algorithms. Pure functions over the available note counts.
 */
import type { MixAlgorithm, NoteCounts } from './types';

export interface MixUnit {
  id: string;
  denomination: number;
  available: number;
}

/** Exact bounded change-making minimising the number of notes; null when the amount cannot be made. */
export function minimumNotes(amount: number, units: MixUnit[], maxNotes: number): NoteCounts | null {
  if (amount <= 0 || !Number.isInteger(amount)) return null;
  const usable = units.filter((u) => u.available > 0 && u.denomination > 0);
  if (usable.length === 0) return null;
  const g = usable.reduce((acc, u) => gcd(acc, u.denomination), 0);
  if (amount % g !== 0) return null;
  const target = amount / g;
  if (target > 1_000_000) return null;
  // best[v] = fewest notes for value v; choice tracking per unit layer.
  const INF = Number.MAX_SAFE_INTEGER;
  let best = new Array<number>(target + 1).fill(INF);
  best[0] = 0;
  const layers: Int32Array[] = [];
  for (const u of usable) {
    const d = u.denomination / g;
    const next = new Array<number>(target + 1).fill(INF);
    const take = new Int32Array(target + 1);
    for (let v = 0; v <= target; v++) {
      const maxK = Math.min(u.available, Math.floor(v / d), maxNotes);
      for (let k = 0; k <= maxK; k++) {
        const prev = best[v - k * d]!;
        if (prev === INF) continue;
        if (prev + k < next[v]!) {
          next[v] = prev + k;
          take[v] = k;
        }
      }
    }
    best = next;
    layers.push(take);
  }
  if (best[target] === INF || best[target]! > maxNotes) return null;
  const counts: NoteCounts = {};
  let v = target;
  for (let i = usable.length - 1; i >= 0; i--) {
    const k = layers[i]![v]!;
    if (k > 0) counts[usable[i]!.id] = k;
    v -= k * (usable[i]!.denomination / g);
  }
  return counts;
}

/** Takes notes one at a time from the fullest cassette that still leaves the rest makeable. */
export function equalEmptying(amount: number, units: MixUnit[], maxNotes: number): NoteCounts | null {
  if (!minimumNotes(amount, units, maxNotes)) return null;
  const avail = new Map(units.map((u) => [u.id, u.available]));
  const counts: NoteCounts = {};
  let remaining = amount;
  let notes = 0;
  while (remaining > 0) {
    const candidates = units
      .filter((u) => (avail.get(u.id) ?? 0) > 0 && u.denomination <= remaining)
      .sort((a, b) => (avail.get(b.id) ?? 0) - (avail.get(a.id) ?? 0) || b.denomination - a.denomination);
    let picked = false;
    for (const u of candidates) {
      const rest = units.map((x) => ({ ...x, available: (avail.get(x.id) ?? 0) - (x.id === u.id ? 1 : 0) }));
      const restAmount = remaining - u.denomination;
      if (restAmount === 0 || minimumNotes(restAmount, rest, maxNotes - notes - 1)) {
        counts[u.id] = (counts[u.id] ?? 0) + 1;
        avail.set(u.id, (avail.get(u.id) ?? 0) - 1);
        remaining = restAmount;
        notes++;
        picked = true;
        break;
      }
    }
    if (!picked) return null;
  }
  return counts;
}

/** As many notes of the preferred denomination as possible, the rest by minimum notes. */
export function preferDenomination(amount: number, units: MixUnit[], maxNotes: number, denomination: number): NoteCounts | null {
  const preferred = units.filter((u) => u.denomination === denomination);
  const maxPreferred = preferred.reduce((n, u) => n + u.available, 0);
  for (let k = Math.min(maxPreferred, Math.floor(amount / denomination), maxNotes); k >= 0; k--) {
    const rest = amount - k * denomination;
    const taken: NoteCounts = {};
    let left = k;
    for (const u of preferred) {
      const t = Math.min(left, u.available);
      if (t > 0) taken[u.id] = t;
      left -= t;
    }
    if (rest === 0) return taken;
    const others = units.map((u) => ({ ...u, available: u.available - (taken[u.id] ?? 0) }));
    const restMix = minimumNotes(rest, others.filter((u) => u.denomination !== denomination), maxNotes - k);
    if (restMix) {
      for (const [id, n] of Object.entries(restMix)) taken[id] = (taken[id] ?? 0) + n;
      return taken;
    }
  }
  return null;
}

export function mix(amount: number, units: MixUnit[], algorithm: MixAlgorithm, maxNotes = 40): NoteCounts | null {
  if (algorithm === 'minimumNotes') return minimumNotes(amount, units, maxNotes);
  if (algorithm === 'equalEmptying') return equalEmptying(amount, units, maxNotes);
  return preferDenomination(amount, units, maxNotes, algorithm.preferDenomination);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
