/**
 * Storage guard: the kiosk must not take a customer's card or count cash when it cannot journal. Two inputs:
 *   - SQLite errors (better-sqlite3 `SqliteError.code`, extended codes included) and fs errno codes, classified
 *     by classifyStorageError(): disk full, busy/locked, I/O error, corrupt, read-only, cannot open;
 *   - a periodic free-space check of the data directory's file system (fs.statfs) against thresholds.
 * The verdict (`StorageStatus.ok`) drives the service mode: out of service while storage is unusable, back in
 * service when it recovers (only if the guard was the one that took it out):
 *   guard.on('change', (s) => kiosk.setServiceMode(s.ok ? 'in' : 'out', 'storage-guard'))
 * Busy/locked is transient (another connection holds the write lock): only `busyLimit` such errors in a row
 * (or a failing write probe) take the kiosk out of service.
 */
import { EventEmitter } from 'node:events';
import { statfs as statfsCb } from 'node:fs';
import { promisify } from 'node:util';

export type StorageFault = 'full' | 'busy' | 'locked' | 'io' | 'corrupt' | 'readonly' | 'cantopen';

export interface StorageErrorVerdict {
  fault: StorageFault;
  /** The SQLite (extended) result code or errno code, e.g. SQLITE_IOERR_FSYNC, ENOSPC. */
  code: string;
  /** Retrying soon may succeed (busy, locked). */
  transient: boolean;
  /** Needs an operator (corrupt database, read-only or missing storage). */
  needsOperator: boolean;
  /** Short text for the journal / status (no data from the error message). */
  summary: string;
}

const SUMMARY: Record<StorageFault, string> = {
  full: 'disk or database full',
  busy: 'database busy (another connection holds the lock)',
  locked: 'database table locked',
  io: 'storage I/O error',
  corrupt: 'database corrupt',
  readonly: 'storage read-only',
  cantopen: 'database cannot be opened',
};

function verdict(fault: StorageFault, code: string): StorageErrorVerdict {
  return { fault, code, transient: fault === 'busy' || fault === 'locked', needsOperator: fault === 'corrupt' || fault === 'readonly' || fault === 'cantopen', summary: SUMMARY[fault] };
}

/** Classifies a better-sqlite3 / fs error; null for anything that is not a storage error. */
export function classifyStorageError(e: unknown): StorageErrorVerdict | null {
  const code = e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : null;
  if (!code) return null;
  if (code.startsWith('SQLITE_')) {
    const primary = code.replace(/^(SQLITE_[A-Z]+?)(_[A-Z_]+)?$/, '$1');
    // Extended codes that change the meaning of their primary code.
    if (code === 'SQLITE_IOERR_NOMEM' || code === 'SQLITE_NOMEM') return null;
    if (code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_BUSY_RECOVERY' || code === 'SQLITE_BUSY_TIMEOUT') return verdict('busy', code);
    switch (primary) {
      case 'SQLITE_FULL':
        return verdict('full', code);
      case 'SQLITE_BUSY':
        return verdict('busy', code);
      case 'SQLITE_LOCKED':
        return verdict('locked', code);
      case 'SQLITE_IOERR':
      case 'SQLITE_PROTOCOL':
        return verdict('io', code);
      case 'SQLITE_CORRUPT':
      case 'SQLITE_NOTADB':
        return verdict('corrupt', code);
      case 'SQLITE_READONLY':
        return verdict('readonly', code);
      case 'SQLITE_CANTOPEN':
        return verdict('cantopen', code);
      default:
        return null;
    }
  }
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return verdict('full', code);
    case 'EIO':
      return verdict('io', code);
    case 'EROFS':
      return verdict('readonly', code);
    default:
      return null;
  }
}

export type DiskLevel = 'ok' | 'low' | 'critical';

export interface DiskVerdict {
  level: DiskLevel;
  path: string;
  freeBytes: number;
  totalBytes: number;
}

export interface FreeSpaceThresholds {
  /** Below this: critical (out of service). */
  minFreeMb: number;
  /** Below this: low (warning). */
  warnFreeMb: number;
}

type StatFs = (path: string) => Promise<{ bavail: number | bigint; bsize: number | bigint; blocks: number | bigint }>;
const nodeStatfs: StatFs = promisify(statfsCb);
const MB = 1024 * 1024;

/** Free space available to this user on the file system holding `path`. */
export async function checkFreeSpace(path: string, t: FreeSpaceThresholds, statfs: StatFs = nodeStatfs): Promise<DiskVerdict> {
  const s = await statfs(path);
  const freeBytes = Number(s.bavail) * Number(s.bsize);
  const totalBytes = Number(s.blocks) * Number(s.bsize);
  const level: DiskLevel = freeBytes < t.minFreeMb * MB ? 'critical' : freeBytes < t.warnFreeMb * MB ? 'low' : 'ok';
  return { level, path, freeBytes, totalBytes };
}

export interface StorageStatus {
  /** false: the kiosk should be out of service. */
  ok: boolean;
  /** Why not ok: the disk check or the last storage error. */
  reason: string | null;
  disk: DiskVerdict | null;
  lastError: StorageErrorVerdict | null;
}

export interface StorageGuardOptions extends FreeSpaceThresholds {
  dataDir: string;
  intervalMs: number;
  /** Consecutive busy/locked errors that count as an outage. Default 5. */
  busyLimit?: number;
  /** A cheap write test run at every check (e.g. `db.exec('BEGIN IMMEDIATE; ROLLBACK')`); its errors are classified. */
  probe?: () => void;
  statfs?: StatFs;
  log?: { warn(o: object, m: string): void; error(o: object, m: string): void; info(o: object, m: string): void };
}

export class StorageGuard extends EventEmitter<{ change: [StorageStatus]; warn: [DiskVerdict] }> {
  private disk: DiskVerdict | null = null;
  private errorFault: StorageErrorVerdict | null = null;
  private lastError: StorageErrorVerdict | null = null;
  private busyInARow = 0;
  private ok = true;
  private timer: ReturnType<typeof setInterval> | null = null;
  private warned = false;

  constructor(private readonly opts: StorageGuardOptions) {
    super();
  }

  status(): StorageStatus {
    const reason = this.disk?.level === 'critical' ? `free space ${Math.floor(this.disk.freeBytes / MB)} MB < ${this.opts.minFreeMb} MB` : this.errorFault ? this.errorFault.summary : null;
    return { ok: reason === null, reason, disk: this.disk, lastError: this.lastError };
  }

  start(): void {
    if (this.timer) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Runs the free-space check and the write probe now. */
  async check(): Promise<StorageStatus> {
    try {
      this.disk = await checkFreeSpace(this.opts.dataDir, this.opts, this.opts.statfs);
      if (this.disk.level === 'low' && !this.warned) {
        this.warned = true;
        this.opts.log?.warn({ freeMb: Math.floor(this.disk.freeBytes / MB), warnFreeMb: this.opts.warnFreeMb }, 'storage: free space low');
        this.emit('warn', this.disk);
      }
      if (this.disk.level === 'ok') this.warned = false;
    } catch (e) {
      const v = classifyStorageError(e);
      if (v) this.record(v);
    }
    if (this.opts.probe) {
      try {
        this.opts.probe();
        this.reportSuccess();
      } catch (e) {
        if (!this.reportError(e)) this.opts.log?.error({ err: (e as Error).message }, 'storage: probe failed');
      }
    } else if (this.errorFault?.fault === 'full' && this.disk?.level === 'ok') {
      // Without a probe, space coming back clears a disk-full error.
      this.errorFault = null;
    }
    this.publish();
    return this.status();
  }

  /** Feed an error from a database write; returns its classification (null: not a storage error). */
  reportError(e: unknown): StorageErrorVerdict | null {
    const v = classifyStorageError(e);
    if (!v) return null;
    this.record(v);
    this.publish();
    return v;
  }

  /** A database write succeeded: transient and cleared faults end. */
  reportSuccess(): void {
    this.busyInARow = 0;
    if (this.errorFault && !this.errorFault.needsOperator) this.errorFault = null;
    this.publish();
  }

  private record(v: StorageErrorVerdict): void {
    this.lastError = v;
    if (v.transient) {
      this.busyInARow++;
      if (this.busyInARow >= (this.opts.busyLimit ?? 5)) this.errorFault = v;
    } else {
      this.errorFault = v;
    }
    this.opts.log?.[v.transient ? 'warn' : 'error']({ code: v.code, fault: v.fault, inARow: this.busyInARow }, `storage: ${v.summary}`);
  }

  private publish(): void {
    const s = this.status();
    if (s.ok === this.ok) return;
    this.ok = s.ok;
    this.opts.log?.[s.ok ? 'info' : 'error']({ reason: s.reason }, s.ok ? 'storage: recovered' : 'storage: unusable, going out of service');
    this.emit('change', s);
  }
}

/**
 * Wires a guard to the kiosk's service mode: out of service while storage is unusable, back in service when it
 * recovers, only if this guard took it out.
 */
export function bindServiceMode(guard: StorageGuard, kiosk: { setServiceMode(mode: 'in' | 'out', by: string): void }): () => void {
  const on = (s: StorageStatus) => kiosk.setServiceMode(s.ok ? 'in' : 'out', 'storage-guard');
  guard.on('change', on);
  return () => guard.off('change', on);
}
