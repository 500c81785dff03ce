/**
 * Durable JSON state for simulated hardware (cassette counts, retain bin, paper). A real device keeps these
 * in its own non-volatile memory; the simulator writes them atomically (temp file + fsync + rename) after
 * every physical change so a power cut never leaves a half-written file.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class StateFile<T> {
  constructor(
    private readonly path: string | null,
    private readonly validate: (raw: unknown) => T | null,
  ) {}

  load(): T | null {
    if (!this.path || !existsSync(this.path)) return null;
    try {
      return this.validate(JSON.parse(readFileSync(this.path, 'utf8')));
    } catch {
      // A corrupt file is reported by the caller as "state lost" and re-initialised from config; never a crash.
      return null;
    }
  }

  save(state: T): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
