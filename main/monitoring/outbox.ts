/**
 * Durable outbox for fleet events: messages wait in SQLite (`<dataDir>/monitoring-outbox.db`, its own file so the
 * kiosk database's schema stays the journal's) until the broker acknowledges them (QoS 1 PUBACK), so broker
 * outages and kiosk restarts lose nothing. Bounded: beyond `capacity` the oldest messages are dropped (and
 * counted; the latest status is kept over older events). Retained "latest value" topics (status, active alerts) are coalesced: a newer message replaces the
 * one still waiting. A small key/value `state` table keeps the publisher's own bookkeeping (how far the journal has
 * been summarised), written in the same transaction as the message it goes with.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface OutboxMessage {
  id: number;
  topic: string;
  payload: string;
  retain: boolean;
  createdAt: string;
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly stmts;
  private droppedCount = 0;

  constructor(
    path: string,
    private readonly capacity: number,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      topic TEXT NOT NULL,
      payload TEXT NOT NULL,
      retain INTEGER NOT NULL,
      coalesce_key TEXT,
      created_at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS outbox_coalesce ON outbox(coalesce_key);
    CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    this.stmts = {
      insert: this.db.prepare('INSERT INTO outbox (topic, payload, retain, coalesce_key, created_at) VALUES (?, ?, ?, ?, ?)'),
      dropKey: this.db.prepare('DELETE FROM outbox WHERE coalesce_key = ?'),
      count: this.db.prepare('SELECT COUNT(*) AS n FROM outbox'),
      // Beyond capacity the oldest events go first; latest-value messages (one per key) only when nothing else is left.
      trim: this.db.prepare('DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY coalesce_key IS NOT NULL, id LIMIT ?)'),
      peek: this.db.prepare('SELECT id, topic, payload, retain, created_at FROM outbox ORDER BY id LIMIT 1'),
      ack: this.db.prepare('DELETE FROM outbox WHERE id = ?'),
      getState: this.db.prepare('SELECT value FROM state WHERE key = ?'),
      setState: this.db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
  }

  /**
   * Queues a message; `coalesce` replaces a waiting message with the same key; `state` is written in the same
   * transaction (both or neither survive a crash). Returns its id.
   */
  push(topic: string, payload: string, opts: { retain?: boolean; coalesce?: string; state?: { key: string; value: string } } = {}): number {
    return this.db.transaction(() => {
      if (opts.state) this.stmts.setState.run(opts.state.key, opts.state.value);
      if (opts.coalesce) this.stmts.dropKey.run(opts.coalesce);
      const id = Number(this.stmts.insert.run(topic, payload, opts.retain ? 1 : 0, opts.coalesce ?? null, new Date().toISOString()).lastInsertRowid);
      const over = this.size() - this.capacity;
      if (over > 0) {
        this.stmts.trim.run(over);
        this.droppedCount += over;
      }
      return id;
    })();
  }

  /** The oldest waiting message. */
  peek(): OutboxMessage | undefined {
    const r = this.stmts.peek.get() as { id: number; topic: string; payload: string; retain: number; created_at: string } | undefined;
    return r && { id: r.id, topic: r.topic, payload: r.payload, retain: r.retain === 1, createdAt: r.created_at };
  }

  /** The broker has the message. */
  ack(id: number): void {
    this.stmts.ack.run(id);
  }

  getState(key: string): string | undefined {
    const r = this.stmts.getState.get(key) as { value: unknown } | undefined;
    return r === undefined ? undefined : String(r.value);
  }

  setState(key: string, value: string): void {
    this.stmts.setState.run(key, value);
  }

  size(): number {
    return (this.stmts.count.get() as { n: number }).n;
  }

  /** Messages dropped for capacity since this process opened the outbox. */
  get dropped(): number {
    return this.droppedCount;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
