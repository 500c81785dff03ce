/**
 * Alerts derived from the kiosk status: a pure rule set (`deriveAlerts`) and a tracker that remembers since
 * when each alert has been active and reports the ones raised and cleared between two evaluations.
 */
import type { KioskStatus } from '../core/status';
import { cashView } from './cash';

export type Severity = 'critical' | 'warning' | 'info';

export interface Alert {
  id: string;
  severity: Severity;
  /** ISO time the condition was first seen. */
  since: string;
  message: string;
}

type Condition = Omit<Alert, 'since'>;

const DEVICE_NAMES = ['cardReader', 'dispenser', 'pinpad', 'printer'] as const;

/** Conditions present in one status snapshot. `reversalOverdue`: the queue has been non-empty too long. */
export function deriveConditions(s: KioskStatus, reversalOverdue: boolean): Condition[] {
  const out: Condition[] = [];
  for (const name of DEVICE_NAMES) {
    const d = s.devices[name];
    if (d.device !== 'online')
      out.push({ id: `device.${name}.${d.device}`, severity: name === 'printer' ? 'warning' : 'critical', message: `${name} is ${d.device}` });
  }
  // (the link is still being set up while the application starts: not an alert yet)
  if (!s.host.online && s.app !== 'starting') out.push({ id: 'host.offline', severity: 'critical', message: 'host link is offline' });
  if (s.cashLeftInSlot) out.push({ id: 'cash.leftInSlot', severity: 'warning', message: 'notes left in the open output slot (no-retract policy); the kiosk waits until they are taken' });
  if (s.app === 'outOfService') out.push({ id: 'app.outOfService', severity: s.forcedOut ? 'info' : 'warning', message: s.forcedOut ? 'out of service by command' : 'kiosk is out of service' });
  for (const u of s.cashUnits.map(cashView)) {
    if (u.type === 'dispense') {
      if (u.state === 'inoperative' || u.state === 'missing') out.push({ id: `cash.${u.id}.${u.state}`, severity: 'critical', message: `cash unit ${u.id} is ${u.state}` });
      else if (u.empty) out.push({ id: `cash.${u.id}.empty`, severity: 'critical', message: `cash unit ${u.id} is empty` });
      else if (u.low) out.push({ id: `cash.${u.id}.low`, severity: 'warning', message: `cash unit ${u.id} is low (${u.count} notes, threshold ${u.lowThreshold})` });
    } else if (u.full) out.push({ id: `bin.${u.id}.full`, severity: 'critical', message: `${u.type} bin ${u.id} is full (${u.count}/${u.capacity})` });
    else if (u.high) out.push({ id: `bin.${u.id}.high`, severity: 'warning', message: `${u.type} bin ${u.id} is nearly full (${u.count}/${u.capacity})` });
  }
  const paper = s.devices.printer.paper;
  if (paper === 'low') out.push({ id: 'printer.paper.low', severity: 'warning', message: 'receipt paper is low' });
  else if (paper === 'out') out.push({ id: 'printer.paper.out', severity: 'critical', message: 'receipt paper is out' });
  else if (paper === 'jammed') out.push({ id: 'printer.paper.jammed', severity: 'critical', message: 'receipt paper is jammed' });
  const retain = s.devices.cardReader.retainBin;
  if (retain.state === 'full') out.push({ id: 'retainBin.full', severity: 'critical', message: `card retain bin is full (${retain.count}/${retain.capacity})` });
  else if (retain.state === 'high') out.push({ id: 'retainBin.high', severity: 'warning', message: `card retain bin is nearly full (${retain.count}/${retain.capacity})` });
  if (reversalOverdue) out.push({ id: 'reversals.pending', severity: 'warning', message: `${s.reversalQueueDepth} reversal(s) waiting for the host` });
  return out;
}

export interface AlertDiff {
  raised: Alert[];
  cleared: Alert[];
}

export class AlertTracker {
  private active = new Map<string, Alert>();
  private reversalsSince: number | null = null;

  constructor(
    private readonly reversalQueueMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  update(s: KioskStatus): AlertDiff {
    const t = this.now();
    if (s.reversalQueueDepth > 0) this.reversalsSince ??= t;
    else this.reversalsSince = null;
    const overdue = this.reversalsSince !== null && t - this.reversalsSince >= this.reversalQueueMs;
    const conditions = deriveConditions(s, overdue);
    const raised: Alert[] = [];
    const cleared: Alert[] = [];
    const seen = new Set<string>();
    for (const c of conditions) {
      seen.add(c.id);
      const prev = this.active.get(c.id);
      if (prev) {
        prev.message = c.message;
        continue;
      }
      const since = c.id === 'reversals.pending' && this.reversalsSince !== null ? this.reversalsSince : t;
      const a: Alert = { ...c, since: new Date(since).toISOString() };
      this.active.set(c.id, a);
      raised.push({ ...a });
    }
    for (const [id, a] of this.active) {
      if (!seen.has(id)) {
        this.active.delete(id);
        cleared.push(a);
      }
    }
    return { raised, cleared };
  }

  list(): Alert[] {
    const rank: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
    return [...this.active.values()].map((a) => ({ ...a })).sort((a, b) => rank[a.severity] - rank[b.severity] || a.since.localeCompare(b.since) || a.id.localeCompare(b.id));
  }
}
