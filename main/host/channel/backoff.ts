/**
 * Reconnect delay: exponential (initialMs * 2^attempt, capped at maxMs) with "equal jitter": half the delay
 * fixed, the other half scaled by random() in [0, 1). Attempt 0 is the first retry after a failure.
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export function backoffDelay(attempt: number, b: Backoff, random: () => number): number {
  const exp = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(exp / 2 + (exp / 2) * r);
}
