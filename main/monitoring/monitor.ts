/**
 * Watches a kiosk for remote monitoring: re-reads the status whenever the machine, a device, the host link
 * or the journal moves (and every `pollMs`), and emits status changes, alerts raised/cleared and journal
 * appends to subscribers (the WebSocket, metrics, the MQTT publisher). Reads only; never commands.
 */
import type { Kiosk } from '../core/kiosk';
import type { KioskStatus } from '../core/status';
import type { JournalEntry } from '../../journals/journal';
import { AlertTracker, type Alert } from './alerts';

/** What monitoring needs from the kiosk core. */
export type MonitoredKiosk = Pick<Kiosk, 'status' | 'setServiceMode' | 'journal' | 'actor' | 'devices' | 'host' | 'config' | 'db'>;

/** A cleared alert as kept in the history. */
export type ClearedAlert = Alert & { clearedAt: string };

export type MonitorEvent =
  | { type: 'status'; status: KioskStatus }
  | { type: 'alert.raised'; alert: Alert }
  | { type: 'alert.cleared'; alert: ClearedAlert }
  | { type: 'journal'; entry: JournalEntry };

export interface MonitorOptions {
  pollMs: number;
  reversalQueueMinutes: number;
  /** Cleared alerts kept (newest first). Default 500. */
  historySize?: number;
  /** Durable history: loaded at start, every cleared alert added. */
  historyStore?: { add(a: ClearedAlert): void; list(limit: number): ClearedAlert[] };
  now?: () => number;
}

export class KioskMonitor {
  private readonly listeners = new Set<(e: MonitorEvent) => void>();
  private readonly tracker: AlertTracker;
  private readonly cleared: ClearedAlert[] = [];
  private readonly historySize: number;
  private readonly store: MonitorOptions['historyStore'];
  private readonly now: () => number;
  private readonly disposers: Array<() => void> = [];
  private last: KioskStatus;
  private lastKey: string;
  private pending = false;
  private closed = false;

  constructor(
    private readonly kiosk: MonitoredKiosk,
    opts: MonitorOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.historySize = opts.historySize ?? 500;
    this.store = opts.historyStore;
    if (this.store) this.cleared.push(...this.store.list(this.historySize));
    this.tracker = new AlertTracker(opts.reversalQueueMinutes * 60_000, this.now);
    this.last = kiosk.status();
    this.lastKey = statusKey(this.last);
    this.tracker.update(this.last);
    const schedule = () => this.schedule();
    const sub = kiosk.actor.subscribe(schedule);
    this.disposers.push(() => sub.unsubscribe());
    const d = kiosk.devices;
    this.disposers.push(
      d.cardReader.events.on('statusChanged', schedule),
      d.dispenser.events.on('statusChanged', schedule),
      d.dispenser.events.on('cashUnitThreshold', schedule),
      d.pinpad.events.on('statusChanged', schedule),
      d.printer.events.on('statusChanged', schedule),
      d.sensors.events.on('changed', schedule),
      kiosk.journal.onAppend((entry) => {
        this.emit({ type: 'journal', entry });
        schedule();
      }),
    );
    kiosk.host.on('online', schedule);
    kiosk.host.on('offline', schedule);
    this.disposers.push(() => {
      kiosk.host.off('online', schedule);
      kiosk.host.off('offline', schedule);
    });
    const timer = setInterval(() => this.refresh(), opts.pollMs);
    timer.unref();
    this.disposers.push(() => clearInterval(timer));
  }

  status(): KioskStatus {
    return this.last;
  }

  alerts(): Alert[] {
    return this.tracker.list();
  }

  /** Cleared alerts, newest first. */
  history(): ClearedAlert[] {
    return this.cleared.map((a) => ({ ...a }));
  }

  on(fn: (e: MonitorEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Re-reads the status now; emits a status event if it changed and alert events for what changed. */
  refresh(): void {
    if (this.closed) return;
    let s: KioskStatus;
    try {
      s = this.kiosk.status();
    } catch {
      return; // the kiosk is stopping (database closed)
    }
    const key = statusKey(s);
    const changed = key !== this.lastKey;
    this.last = s;
    this.lastKey = key;
    if (changed) this.emit({ type: 'status', status: s });
    const diff = this.tracker.update(s);
    for (const alert of diff.raised) this.emit({ type: 'alert.raised', alert });
    for (const alert of diff.cleared) {
      const c: ClearedAlert = { ...alert, clearedAt: new Date(this.now()).toISOString() };
      this.cleared.unshift(c);
      if (this.cleared.length > this.historySize) this.cleared.length = this.historySize;
      try {
        this.store?.add(c);
      } catch {
        // a full disk loses history, never the kiosk
      }
      this.emit({ type: 'alert.cleared', alert: c });
    }
  }

  close(): void {
    this.closed = true;
    for (const d of this.disposers.splice(0)) d();
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.pending || this.closed) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.refresh();
    });
  }

  private emit(e: MonitorEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a subscriber's failure must not stop the others (or the journal append that triggered it)
      }
    }
  }
}

function statusKey(s: KioskStatus): string {
  const { at: _at, ...rest } = s;
  return JSON.stringify(rest);
}
