import { systemClock, type Clock } from '../common/types';

/** Mechanical timings of simulated hardware, in milliseconds at timeScale 1 (typical real-device values). */
export const MECHANICAL_MS = {
  cardRead: 600,
  cardEject: 800,
  cardRetain: 1200,
  notePick: 120,
  present: 900,
  retract: 1500,
  printLine: 25,
  cut: 400,
} as const;

export interface SimOptions {
  clock?: Clock;
  /** Multiplies all mechanical delays (0 = instant, for tests). */
  timeScale?: number;
  /** Path of the durable state file, or null for in-memory only. */
  statePath?: string | null;
}

export function simDelay(opts: SimOptions) {
  const clock = opts.clock ?? systemClock;
  const scale = opts.timeScale ?? 1;
  return (ms: number) => clock.sleep(Math.round(ms * scale));
}
