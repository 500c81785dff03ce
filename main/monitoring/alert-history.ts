/**
 * Cleared alerts on disk (`<dataDir>/monitoring.db`), so the alert history an operator looks at survives kiosk
 * restarts. Bounded to the newest `size` rows. Alerts carry ids, severities, messages and times only.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ClearedAlert } from './monitor';

export class AlertHistoryStore {
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(
    path: string,
    private readonly size: number,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS alert_history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      alert_id TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL, since TEXT NOT NULL, cleared_at TEXT NOT NULL
    )`);
    this.stmts = {
      insert: this.db.prepare('INSERT INTO alert_history (alert_id, severity, message, since, cleared_at) VALUES (?, ?, ?, ?, ?)'),
      trim: this.db.prepare('DELETE FROM alert_history WHERE id <= (SELECT id FROM alert_history ORDER BY id DESC LIMIT 1 OFFSET ?)'),
      newest: this.db.prepare('SELECT alert_id, severity, message, since, cleared_at FROM alert_history ORDER BY id DESC LIMIT ?'),
    };
  }

  add(a: ClearedAlert): void {
    this.stmts.insert.run(a.id, a.severity, a.message, a.since, a.clearedAt);
    this.stmts.trim.run(this.size);
  }

  /** Newest first. */
  list(limit = this.size): ClearedAlert[] {
    return (this.stmts.newest.all(limit) as Array<{ alert_id: string; severity: ClearedAlert['severity']; message: string; since: string; cleared_at: string }>).map((r) => ({
      id: r.alert_id,
      severity: r.severity,
      since: r.since,
      message: r.message,
      clearedAt: r.cleared_at,
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
