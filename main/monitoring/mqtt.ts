/**
 * Fleet events over MQTT (mqtt.js, QoS 1) for banks with many ATMs. Topics under `<prefix>/<terminalId>/`:
 *   online              "online" / "offline" (retained; "offline" is also the last will, sent by the broker
 *                       when the kiosk vanishes)
 *   status              the kiosk status on every change (retained)
 *   alerts              one message per alert raised or cleared
 *   alerts/active       the active alerts (retained)
 *   journal/summary     every summaryIntervalMs: transactions by type/result, entries by kind, host latency
 * Everything except `online` goes through the durable outbox (outbox.ts) and is sent strictly in order, one
 * message in flight, deleted only on PUBACK: a broker outage or a kiosk restart delays messages, never loses
 * them (up to bufferSize). Each payload has a unique `msgId` so a consumer can drop QoS 1 redeliveries.
 * Payloads carry no card data: status, alerts, and counts by kind/type only.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttConfig } from './config';
import type { KioskMonitor, MonitorEvent } from './monitor';
import type { MonitoringLog } from './server';
import { Outbox } from './outbox';
import { TransactionOutcomes } from './transaction-outcomes';

export interface MqttPublisherOptions {
  config: MqttConfig;
  terminalId: string;
  dataDir: string;
  monitor: Pick<KioskMonitor, 'on' | 'status' | 'alerts'>;
  log?: MonitoringLog;
}

interface Summary {
  from: string;
  transactions: Record<string, Record<string, number>>;
  entries: Record<string, number>;
  latency: { count: number; totalMs: number; maxMs: number };
  lastSeq: number | null;
}

const emptySummary = (): Summary => ({ from: new Date().toISOString(), transactions: {}, entries: {}, latency: { count: 0, totalMs: 0, maxMs: 0 }, lastSeq: null });

export class MqttPublisher extends EventEmitter<{ delivered: [{ id: number; topic: string }]; connected: []; disconnected: [] }> {
  readonly base: string;
  private readonly outbox: Outbox;
  private client: MqttClient | null = null;
  private inflight: number | null = null;
  /** Bumped on every disconnect, so a late callback for an earlier connection is ignored. */
  private generation = 0;
  private readonly outcomes = new TransactionOutcomes();
  private summary = emptySummary();
  private summaryTimer: ReturnType<typeof setInterval> | null = null;
  private readonly offMonitor: () => void;
  private closed = false;
  private readonly log: MonitoringLog;

  constructor(private readonly o: MqttPublisherOptions) {
    super();
    this.log = o.log ?? { info() {}, warn() {}, error() {} };
    this.base = `${o.config.topicPrefix.replace(/\/+$/, '')}/${o.terminalId.trim() || 'unknown'}`;
    this.outbox = new Outbox(join(o.dataDir, 'monitoring-outbox.db'), o.config.bufferSize);
    this.offMonitor = o.monitor.on((e) => this.onEvent(e));
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Messages waiting for the broker. */
  pending(): number {
    return this.outbox.size();
  }

  get dropped(): number {
    return this.outbox.dropped;
  }

  start(): void {
    const c = this.o.config;
    const opts: IClientOptions = {
      clientId: c.clientId ?? `atm-${this.o.terminalId.trim()}`,
      clean: true,
      keepalive: c.keepaliveSec,
      reconnectPeriod: c.reconnectMs,
      connectTimeout: 10_000,
      queueQoSZero: false,
      will: { topic: `${this.base}/online`, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    if (c.username) opts.username = c.username;
    if (c.passwordFile) opts.password = readConfigFile('mqtt.passwordFile', c.passwordFile).toString('utf8').trim();
    if (c.caPath) opts.ca = readConfigFile('mqtt.caPath', c.caPath);
    if (c.certPath) opts.cert = readConfigFile('mqtt.certPath', c.certPath);
    if (c.keyPath) opts.key = readConfigFile('mqtt.keyPath', c.keyPath);
    // The current status and alerts go out first on every start (retained: a dashboard sees them at once).
    this.queueStatus();
    this.queueActiveAlerts();
    const client = connect(c.url, opts);
    this.client = client;
    client.on('connect', () => {
      this.log.info({ broker: redactUrl(c.url), pending: this.outbox.size() }, 'mqtt: connected');
      client.publish(`${this.base}/online`, 'online', { qos: 1, retain: true });
      this.emit('connected');
      this.pump();
    });
    client.on('close', () => {
      this.generation++;
      this.inflight = null;
      this.emit('disconnected');
    });
    client.on('offline', () => this.log.warn({ broker: redactUrl(c.url), pending: this.outbox.size() }, 'mqtt: broker unreachable, buffering'));
    client.on('error', (e) => this.log.warn({ err: e.message }, 'mqtt: error'));
    this.summaryTimer = setInterval(() => this.publishSummary(), c.summaryIntervalMs);
    this.summaryTimer.unref();
  }

  /** Queues the journal summary for the period since the previous one, and starts a new period. */
  publishSummary(): void {
    const s = this.summary;
    this.summary = emptySummary();
    const l = s.latency;
    this.enqueue(`${this.base}/journal/summary`, {
      from: s.from,
      to: new Date().toISOString(),
      lastSeq: s.lastSeq,
      transactions: s.transactions,
      entries: s.entries,
      hostLatencyMs: l.count ? { count: l.count, avg: Math.round(l.totalMs / l.count), max: l.maxMs } : null,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.offMonitor();
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    const client = this.client;
    this.client = null;
    if (client) {
      if (client.connected) {
        // A deliberate stop says so (the will is only for vanishing). Bounded: a dead broker must not hold the stop.
        await Promise.race([client.publishAsync(`${this.base}/online`, 'offline', { qos: 1, retain: true }).catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
      }
      await client.endAsync(true).catch(() => undefined);
    }
    this.outbox.close();
  }

  private onEvent(e: MonitorEvent): void {
    if (this.closed) return;
    try {
      switch (e.type) {
        case 'status':
          this.queueStatus();
          break;
        case 'alert.raised':
        case 'alert.cleared':
          this.enqueue(`${this.base}/alerts`, { event: e.type === 'alert.raised' ? 'raised' : 'cleared', alert: e.alert });
          this.queueActiveAlerts();
          break;
        case 'journal': {
          const s = this.summary;
          s.entries[e.entry.kind] = (s.entries[e.entry.kind] ?? 0) + 1;
          s.lastSeq = e.entry.seq;
          const o = this.outcomes.observe(e.entry);
          if (o) {
            const t = (s.transactions[o.type] ??= {});
            t[o.result] = (t[o.result] ?? 0) + 1;
            if (o.latencyMs !== null) {
              s.latency.count++;
              s.latency.totalMs += o.latencyMs;
              s.latency.maxMs = Math.max(s.latency.maxMs, o.latencyMs);
            }
          }
          return;
        }
      }
    } catch (err) {
      // The outbox may be unwritable (disk full): the kiosk carries on, the event is lost and logged.
      this.log.error({ err: (err as Error).message }, 'mqtt: could not queue an event');
    }
  }

  private queueStatus(): void {
    this.enqueue(`${this.base}/status`, { status: this.o.monitor.status() }, { retain: true, coalesce: 'status' });
  }

  private queueActiveAlerts(): void {
    this.enqueue(`${this.base}/alerts/active`, { alerts: this.o.monitor.alerts() }, { retain: true, coalesce: 'alerts/active' });
  }

  private enqueue(topic: string, body: Record<string, unknown>, opts: { retain?: boolean; coalesce?: string } = {}): void {
    const payload = JSON.stringify({ msgId: randomUUID(), terminalId: this.o.terminalId, at: new Date().toISOString(), ...body });
    this.outbox.push(topic, payload, opts);
    this.pump();
  }

  /** Sends the oldest waiting message when connected and nothing is in flight; the next one on its PUBACK. */
  private pump(): void {
    const client = this.client;
    if (!client || !client.connected || this.inflight !== null || this.closed) return;
    const m = this.outbox.peek();
    if (!m) return;
    this.inflight = m.id;
    const gen = this.generation;
    client.publish(m.topic, m.payload, { qos: 1, retain: m.retain }, (err) => {
      if (gen !== this.generation || this.closed) return; // the connection dropped meanwhile: resent on reconnect
      this.inflight = null;
      if (err) {
        this.log.warn({ err: err.message, topic: m.topic }, 'mqtt: publish failed; will retry');
        setTimeout(() => this.pump(), this.o.config.reconnectMs).unref();
        return;
      }
      this.outbox.ack(m.id);
      this.emit('delivered', { id: m.id, topic: m.topic });
      this.pump();
    });
  }
}

function readConfigFile(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`monitoring.${key}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Broker URL without credentials, for logs. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
