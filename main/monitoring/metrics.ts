/**
 * Prometheus metrics on a dedicated registry (never the global one): transactions by type and result and
 * host latency from the journal, device states, cash unit levels, host link and reversal queue depth read
 * from the status at scrape time. Labels carry only device/unit names and codes; no card data.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JournalEntry } from '../../journals/journal';
import type { DeviceState } from '../../devices/common/types';
import type { KioskStatus } from '../core/status';
import type { KioskMonitor } from './monitor';
import { cashView } from './cash';
import { TransactionOutcomes } from './transaction-outcomes';

const DEVICE_STATES: readonly DeviceState[] = ['online', 'offline', 'powerOff', 'noDevice', 'hardwareError', 'userError', 'deviceBusy', 'fraudAttempt', 'potentialFraud', 'starting'];
const APP_STATES: ReadonlyArray<KioskStatus['app']> = ['starting', 'inService', 'inSession', 'outOfService', 'supervisor'];

export interface KioskMetrics {
  registry: Registry;
  /** Feeds one journal entry (the monitor does this for every append). */
  observe(e: JournalEntry): void;
  /** For a host link that measures latency itself (seconds). */
  observeHostLatency(seconds: number, mti?: string): void;
  /** Prometheus text format. */
  text(): Promise<string>;
  contentType: string;
  close(): void;
}

export function createKioskMetrics(monitor: Pick<KioskMonitor, 'status' | 'on'> & Partial<Pick<KioskMonitor, 'alerts'>>, opts: { prefix?: string; /** false when the host link reports latency itself (observeHostLatency). */ hostLatencyFromJournal?: boolean } = {}): KioskMetrics {
  const p = opts.prefix ?? 'atm_';
  const registry = new Registry();
  const registers = [registry];

  const transactions = new Counter({ name: `${p}transactions_total`, help: 'Transactions answered by the host, by type and result', labelNames: ['type', 'result'] as const, registers });
  const hostLatency = new Histogram({
    name: `${p}host_latency_seconds`,
    help: 'Time from host request to host response (journal host.request -> host.response of one transaction)',
    labelNames: ['mti'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers,
  });
  const journalEntries = new Counter({ name: `${p}journal_entries_total`, help: 'Journal entries appended, by kind', labelNames: ['kind'] as const, registers });
  const current = () => monitor.status();
  new Gauge({
    name: `${p}device_state`,
    help: 'Device state (1 for the current state of each device, XFS4IoT Common.Status device)',
    labelNames: ['device', 'state'] as const,
    registers,
    collect() {
      const s = current();
      this.reset();
      for (const [device, st] of Object.entries({ cardReader: s.devices.cardReader, dispenser: s.devices.dispenser, pinpad: s.devices.pinpad, printer: s.devices.printer }))
        for (const state of DEVICE_STATES) this.set({ device, state }, st.device === state ? 1 : 0);
    },
  });
  new Gauge({
    name: `${p}app_state`,
    help: 'Application state (1 for the current one)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const app = current().app;
      for (const state of APP_STATES) this.set({ state }, app === state ? 1 : 0);
    },
  });
  new Gauge({
    name: `${p}host_online`,
    help: '1 when the host link is signed on',
    registers,
    collect() {
      this.set(current().host.online ? 1 : 0);
    },
  });
  new Gauge({
    name: `${p}reversal_queue_depth`,
    help: 'Reversal advices waiting for the host',
    registers,
    collect() {
      this.set(current().reversalQueueDepth);
    },
  });
  if (monitor.alerts) {
    const alerts = monitor.alerts.bind(monitor);
    new Gauge({
      name: `${p}alerts_active`,
      help: 'Active alerts by severity',
      labelNames: ['severity'] as const,
      registers,
      collect() {
        const n = { critical: 0, warning: 0, info: 0 };
        for (const a of alerts()) n[a.severity]++;
        for (const [severity, v] of Object.entries(n)) this.set({ severity }, v);
      },
    });
  }
  const unitLabels = ['unit', 'type', 'currency', 'denomination'] as const;
  new Gauge({
    name: `${p}cash_unit_notes`,
    help: 'Notes in each cash unit',
    labelNames: unitLabels,
    registers,
    collect() {
      this.reset();
      for (const u of current().cashUnits) this.set({ unit: u.id, type: u.type, currency: u.currency, denomination: String(u.denomination) }, u.count);
    },
  });
  new Gauge({
    name: `${p}cash_unit_value_minor`,
    help: 'Value of the notes in each dispense unit, in minor currency units',
    labelNames: ['unit', 'currency'] as const,
    registers,
    collect() {
      this.reset();
      for (const u of current().cashUnits.map(cashView)) if (u.type === 'dispense') this.set({ unit: u.id, currency: u.currency }, u.value);
    },
  });
  new Gauge({
    name: `${p}cash_unit_fill_ratio`,
    help: 'Count / capacity of each cash unit',
    labelNames: ['unit', 'type'] as const,
    registers,
    collect() {
      this.reset();
      for (const u of current().cashUnits.map(cashView)) this.set({ unit: u.id, type: u.type }, u.level);
    },
  });

  const outcomes = new TransactionOutcomes();
  const fromJournal = opts.hostLatencyFromJournal ?? true;
  const observe = (e: JournalEntry) => {
    journalEntries.inc({ kind: e.kind });
    const o = outcomes.observe(e);
    if (!o) return;
    transactions.inc({ type: o.type, result: o.result });
    if (fromJournal && o.latencyMs !== null) hostLatency.observe({ mti: o.mti }, o.latencyMs / 1000);
  };
  const off = monitor.on((ev) => {
    if (ev.type === 'journal') observe(ev.entry);
  });

  return {
    registry,
    observe,
    observeHostLatency: (seconds, mti = 'unknown') => hostLatency.observe({ mti }, seconds),
    text: () => registry.metrics(),
    contentType: registry.contentType,
    close() {
      off();
      registry.clear();
    },
  };
}
