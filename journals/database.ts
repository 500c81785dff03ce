/**
 * The kiosk's SQLite database: journal, transactions (write-ahead records for cash), counters, sequences
 * and the reversal (store-and-forward) queue. Durability pragmas are re-applied on every open:
 * WAL + synchronous=FULL, so a committed row survives a power cut.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

const MIGRATIONS: string[] = [
  `CREATE TABLE journal (
     seq INTEGER PRIMARY KEY,
     ts TEXT NOT NULL,
     terminal TEXT NOT NULL,
     txn INTEGER,
     kind TEXT NOT NULL,
     masked_pan TEXT,
     data TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE INDEX journal_txn ON journal(txn);
   CREATE INDEX journal_ts ON journal(ts);
   CREATE INDEX journal_pan ON journal(masked_pan);
   CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
   CREATE TABLE transactions (
     txn INTEGER PRIMARY KEY,
     type TEXT NOT NULL,
     state TEXT NOT NULL,
     amount INTEGER NOT NULL DEFAULT 0,
     currency TEXT NOT NULL,
     masked_pan TEXT,
     stan TEXT,
     rrn TEXT,
     auth_code TEXT,
     response_code TEXT,
     requested_counts TEXT,
     dispensed_counts TEXT,
     dispensed_amount INTEGER,
     original_data TEXT,
     created TEXT NOT NULL,
     updated TEXT NOT NULL
   );
   CREATE INDEX transactions_state ON transactions(state);
   CREATE TABLE counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE reversal_queue (
     id INTEGER PRIMARY KEY,
     txn INTEGER NOT NULL,
     kind TEXT NOT NULL,
     payload TEXT NOT NULL,
     state TEXT NOT NULL DEFAULT 'pending',
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     created TEXT NOT NULL,
     completed TEXT
   );
   CREATE INDEX reversal_queue_state ON reversal_queue(state, id);`,
  // v2: journal rotation. Rows up to the anchor may be archived and deleted; later rows never.
  `CREATE TABLE journal_anchor (seq INTEGER NOT NULL, hash TEXT NOT NULL, archive TEXT NOT NULL, at TEXT NOT NULL);
   CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
     WHEN OLD.seq > (SELECT COALESCE(MAX(seq), 0) FROM journal_anchor)
     BEGIN SELECT RAISE(ABORT, 'journal rows can only be deleted after they are archived'); END;`,
];

export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  let version = row?.version ?? 0;
  if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  while (version < MIGRATIONS.length) {
    const sql = MIGRATIONS[version]!;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
    })();
    version++;
  }
}

/** Next value of a named sequence (STAN, transaction number), durable and gap-free. */
export function nextSequence(db: Db, name: string, modulo?: number): number {
  return db.transaction(() => {
    const row = db.prepare('SELECT value FROM sequences WHERE name = ?').get(name) as { value: number } | undefined;
    let next = (row?.value ?? 0) + 1;
    if (modulo && next >= modulo) next = 1;
    db.prepare('INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run(name, next);
    return next;
  })();
}
