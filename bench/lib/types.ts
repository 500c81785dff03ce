/** Shapes of the benchmark results (bench/results/latest.json). */
import { median } from './stats';

export type Scale = 'full' | 'quick' | 'tiny';

export interface Metric {
  /** The headline value: a median over `n` trials (or a percentile over `n` samples, as `unit` says). */
  value: number;
  unit: string;
  /** How many trials (or samples) the value summarises. */
  n: number;
  min?: number;
  max?: number;
  /** Per-trial values, in run order. */
  trials?: number[];
  note?: string;
}

export interface SectionResult {
  section: string;
  title: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  params: Record<string, unknown>;
  metrics: Record<string, Metric>;
  notes: string[];
  durationMs: number;
}

export interface BenchReport {
  schema: 'atm-bench/1';
  startedAt: string;
  finishedAt: string;
  scale: Scale;
  machine: { node: string; platform: string; arch: string; cpus: number; cpuModel: string; memoryGb: number; fs: string; loadavgAtStart: number[]; loadavgAtEnd: number[] };
  git: { commit: string; dirty: boolean };
  sections: SectionResult[];
}

export type SectionRun = (scale: Scale) => Promise<Omit<SectionResult, 'section' | 'durationMs' | 'status'> & { status?: SectionResult['status'] }>;

export function pick<T>(scale: Scale, v: Record<Scale, T>): T {
  return v[scale];
}

/** A metric from per-trial values: the median (nearest rank, so an odd n gives the middle trial). */
export function metricOf(trials: number[], unit: string, note?: string): Metric {
  const m: Metric = { value: median(trials), unit, n: trials.length, min: Math.min(...trials), max: Math.max(...trials), trials };
  if (note) m.note = note;
  return m;
}
