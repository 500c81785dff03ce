/**
 * Durable cash-unit counts for a dispenser whose hardware keeps no counters (the LCDM reports per-command
 * counts only). Written after every command outcome; the JSON-file store writes atomically (temp + fsync + rename).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CashUnit } from '../../dispenser/types';

export interface CountsStore {
  /** The saved units, or null when nothing (valid) is saved yet. */
  load(): CashUnit[] | null;
  save(units: CashUnit[]): void;
}

export class MemoryCountsStore implements CountsStore {
  private units: CashUnit[] | null = null;
  saves = 0;
  load(): CashUnit[] | null {
    return this.units ? this.units.map((u) => ({ ...u })) : null;
  }
  save(units: CashUnit[]): void {
    this.saves += 1;
    this.units = units.map((u) => ({ ...u }));
  }
}

const NUMBER_FIELDS = ['denomination', 'initial', 'count', 'dispensed', 'presented', 'rejected', 'retracted', 'lowThreshold', 'capacity'] as const;

function isCashUnit(u: unknown): u is CashUnit {
  if (!u || typeof u !== 'object') return false;
  const r = u as Record<string, unknown>;
  return typeof r.id === 'string' && typeof r.currency === 'string' && typeof r.type === 'string' && typeof r.state === 'string' && NUMBER_FIELDS.every((k) => Number.isInteger(r[k]));
}

export class JsonFileCountsStore implements CountsStore {
  constructor(private readonly path: string) {}

  load(): CashUnit[] | null {
    if (!existsSync(this.path)) return null;
    try {
      const raw: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      const units = (raw as { units?: unknown }).units;
      return Array.isArray(units) && units.every(isCashUnit) ? units : null;
    } catch {
      return null;
    }
  }

  save(units: CashUnit[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ units }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
