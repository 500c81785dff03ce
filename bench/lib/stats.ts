/** Small statistics helpers for the benchmarks: medians over trials, percentiles over samples. */

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100) of the samples; NaN for an empty list. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  if (p <= 0) return s[0]!;
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1]!;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Number of trials (or samples) summarised. */
  n: number;
}

export function summarize(xs: readonly number[]): Summary {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** Rounds to a few significant digits for the report (JSON keeps full precision in `trials`). */
export function sig(x: number, digits = 3): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const p = Math.pow(10, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  return Math.round(x * p) / p;
}

/** Wall clock in ms with sub-ms resolution, comparable across processes on this machine (epoch based). */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
