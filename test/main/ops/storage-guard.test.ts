/**
 * Storage guard with real better-sqlite3 errors: a database locked by a second connection's write transaction
 * (busy_timeout 0), a full database (PRAGMA max_page_count), a full device (/dev/full), a corrupt file, a file
 * that is not a database, a read-only connection. Free-space thresholds with a real and an injected statfs.
 */
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindServiceMode, checkFreeSpace, classifyStorageError, StorageGuard, type StorageStatus } from '../../../main/ops/storage-guard';

const dir = mkdtempSync(join(tmpdir(), 'atm-storage-'));
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('classifyStorageError with real SQLite errors', () => {
  it('busy: a second connection holds the write lock', () => {
    const f = join(dir, 'busy.db');
    const a = new Database(f);
    a.pragma('journal_mode = WAL');
    a.exec('CREATE TABLE t(x)');
    a.exec('BEGIN IMMEDIATE');
    a.prepare('INSERT INTO t VALUES (1)').run();
    const b = new Database(f);
    b.pragma('busy_timeout = 0');
    const e = thrown(() => b.prepare('INSERT INTO t VALUES (2)').run());
    expect(e).toBeInstanceOf(Database.SqliteError);
    expect(classifyStorageError(e)).toMatchObject({ fault: 'busy', code: 'SQLITE_BUSY', transient: true, needsOperator: false });
    a.exec('ROLLBACK');
    a.close();
    b.close();
  });

  it('full: the database reached max_page_count', () => {
    const db = new Database(join(dir, 'full.db'));
    db.exec('CREATE TABLE t(x)');
    db.pragma('max_page_count = 8');
    const e = thrown(() => {
      for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(4000));
    });
    expect(classifyStorageError(e)).toMatchObject({ fault: 'full', code: 'SQLITE_FULL', transient: false });
    db.close();
  });

  it.skipIf(!existsSync('/dev/full'))('full: the device is full (ENOSPC from /dev/full)', () => {
    const e = thrown(() => new Database('/dev/full').exec('CREATE TABLE t(x)'));
    expect(classifyStorageError(e)).toMatchObject({ fault: 'full', code: 'SQLITE_FULL' });
  });

  it('corrupt: a damaged page, and a file that is not a database', () => {
    const f = join(dir, 'corrupt.db');
    const db = new Database(f);
    db.exec('CREATE TABLE t(x); CREATE INDEX ti ON t(x)');
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 2000; i++) ins.run(`value ${i}`);
    db.close();
    const fd = openSync(f, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, 4096 * 2);
    closeSync(fd);
    const e = thrown(() => new Database(f).prepare('SELECT * FROM t WHERE x > ?').all('value 5'));
    expect(classifyStorageError(e)).toMatchObject({ fault: 'corrupt', code: 'SQLITE_CORRUPT', needsOperator: true });

    const g = join(dir, 'garbage.db');
    const fd2 = openSync(g, 'w');
    writeSync(fd2, Buffer.alloc(8192, 0x41));
    closeSync(fd2);
    const e2 = thrown(() => new Database(g).prepare('SELECT * FROM sqlite_master').all());
    expect(classifyStorageError(e2)).toMatchObject({ fault: 'corrupt', code: 'SQLITE_NOTADB' });
  });

  it('read-only connection', () => {
    const f = join(dir, 'ro.db');
    new Database(f).exec('CREATE TABLE t(x)');
    const e = thrown(() => new Database(f, { readonly: true }).exec('INSERT INTO t VALUES (1)'));
    expect(classifyStorageError(e)).toMatchObject({ fault: 'readonly', code: 'SQLITE_READONLY', needsOperator: true });
  });

  it('extended codes, locked, I/O and fs errno codes; other errors are not storage errors', () => {
    const E = (code: string) => new Database.SqliteError('x', code);
    expect(classifyStorageError(E('SQLITE_IOERR_FSYNC'))).toMatchObject({ fault: 'io', code: 'SQLITE_IOERR_FSYNC' });
    expect(classifyStorageError(E('SQLITE_IOERR_WRITE'))?.fault).toBe('io');
    expect(classifyStorageError(E('SQLITE_LOCKED'))).toMatchObject({ fault: 'locked', transient: true });
    expect(classifyStorageError(E('SQLITE_LOCKED_SHAREDCACHE'))?.fault).toBe('locked');
    expect(classifyStorageError(E('SQLITE_BUSY_SNAPSHOT'))?.fault).toBe('busy');
    expect(classifyStorageError(E('SQLITE_CORRUPT_INDEX'))?.fault).toBe('corrupt');
    expect(classifyStorageError(E('SQLITE_CANTOPEN'))?.fault).toBe('cantopen');
    expect(classifyStorageError(E('SQLITE_CONSTRAINT_UNIQUE'))).toBeNull();
    expect(classifyStorageError(Object.assign(new Error('x'), { code: 'ENOSPC' }))?.fault).toBe('full');
    expect(classifyStorageError(Object.assign(new Error('x'), { code: 'EIO' }))?.fault).toBe('io');
    expect(classifyStorageError(Object.assign(new Error('x'), { code: 'EROFS' }))?.fault).toBe('readonly');
    expect(classifyStorageError(new Error('boom'))).toBeNull();
    expect(classifyStorageError('SQLITE_FULL')).toBeNull();
  });
});

describe('free space', () => {
  const fake = (freeMb: number) => async () => ({ bavail: freeMb * 256, bsize: 4096, blocks: 1_000_000 });

  it('reads the real file system of the data directory', async () => {
    const v = await checkFreeSpace(dir, { minFreeMb: 1, warnFreeMb: 2 });
    expect(v.freeBytes).toBeGreaterThan(0);
    expect(v.totalBytes).toBeGreaterThanOrEqual(v.freeBytes);
    expect((await checkFreeSpace(dir, { minFreeMb: 1e12, warnFreeMb: 1e12 })).level).toBe('critical');
  });

  it('applies the thresholds', async () => {
    const t = { minFreeMb: 200, warnFreeMb: 1024 };
    expect((await checkFreeSpace(dir, t, fake(5000))).level).toBe('ok');
    expect((await checkFreeSpace(dir, t, fake(500))).level).toBe('low');
    expect((await checkFreeSpace(dir, t, fake(100))).level).toBe('critical');
  });
});

describe('StorageGuard', () => {
  function kiosk() {
    const modes: string[] = [];
    return { modes, setServiceMode: (m: 'in' | 'out', by: string) => modes.push(`${m}:${by}`) };
  }

  it('takes the kiosk out of service when space runs out and back when it returns', async () => {
    let freeMb = 5000;
    const guard = new StorageGuard({ dataDir: dir, minFreeMb: 200, warnFreeMb: 1024, intervalMs: 60_000, statfs: async () => ({ bavail: freeMb * 256, bsize: 4096, blocks: 1e7 }) });
    const k = kiosk();
    const warned: number[] = [];
    guard.on('warn', (d) => warned.push(d.freeBytes));
    bindServiceMode(guard, k);
    expect((await guard.check()).ok).toBe(true);
    freeMb = 800;
    expect((await guard.check()).ok).toBe(true);
    expect(warned).toHaveLength(1);
    freeMb = 50;
    const s = await guard.check();
    expect(s).toMatchObject({ ok: false, reason: 'free space 50 MB < 200 MB' });
    freeMb = 5000;
    expect((await guard.check()).ok).toBe(true);
    expect(k.modes).toEqual(['out:storage-guard', 'in:storage-guard']);
  });

  it('a real locked database: out of service after busyLimit failed probes, back when the lock is released', async () => {
    const f = join(dir, 'probe.db');
    const kioskDb = new Database(f);
    kioskDb.pragma('journal_mode = WAL');
    kioskDb.pragma('busy_timeout = 0');
    kioskDb.exec('CREATE TABLE t(x)');
    const other = new Database(f);
    const changes: StorageStatus[] = [];
    const guard = new StorageGuard({ dataDir: dir, minFreeMb: 1, warnFreeMb: 1, intervalMs: 60_000, busyLimit: 3, probe: () => kioskDb.exec('BEGIN IMMEDIATE; ROLLBACK') });
    guard.on('change', (s) => changes.push(s));
    expect((await guard.check()).ok).toBe(true);
    other.exec('BEGIN IMMEDIATE');
    expect((await guard.check()).ok).toBe(true);
    expect((await guard.check()).ok).toBe(true);
    const s = await guard.check();
    expect(s.ok).toBe(false);
    expect(s.lastError).toMatchObject({ fault: 'busy', code: 'SQLITE_BUSY' });
    other.exec('ROLLBACK');
    expect((await guard.check()).ok).toBe(true);
    expect(changes.map((c) => c.ok)).toEqual([false, true]);
    kioskDb.close();
    other.close();
  });

  it('a real full database reported by the core stays out of service until a write succeeds; corrupt needs an operator', async () => {
    const db = new Database(join(dir, 'full2.db'));
    db.exec('CREATE TABLE t(x)');
    db.pragma('max_page_count = 8');
    const guard = new StorageGuard({ dataDir: dir, minFreeMb: 1, warnFreeMb: 1, intervalMs: 60_000 });
    const k = kiosk();
    bindServiceMode(guard, k);
    try {
      for (let i = 0; i < 100; i++) db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(4000));
    } catch (e) {
      expect(guard.reportError(e)?.fault).toBe('full');
    }
    expect(guard.status()).toMatchObject({ ok: false, reason: 'disk or database full' });
    db.pragma('max_page_count = 100000');
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(4000));
    guard.reportSuccess();
    expect(guard.status().ok).toBe(true);
    guard.reportError(new Database.SqliteError('x', 'SQLITE_CORRUPT'));
    guard.reportSuccess();
    expect(guard.status()).toMatchObject({ ok: false, reason: 'database corrupt' });
    expect(k.modes).toEqual(['out:storage-guard', 'in:storage-guard', 'out:storage-guard']);
    db.close();
  });
});
