/**
 * Fleet events over MQTT (mqtt.js, QoS 1) for banks with many ATMs. Topics under `<prefix>/<terminalId>/`:
 *   online              "online" / "offline" (retained; "offline" is also the last will, sent by the broker
 *                       when the kiosk vanishes)
 *   status              the kiosk status on every change (retained)
 *   alerts              one message per alert raised or cleared
 *   alerts/active       the active alerts (retained)
 *   journal/summary     every summaryIntervalMs: transactions by type/result, entries by kind, host latency
 *                       for the journal entries with fromSeq < seq <= toSeq (see below)
 * Everything except `online` goes through the durable outbox (outbox.ts) and is sent strictly in order, one
 * message in flight, deleted only on PUBACK: a broker outage or a kiosk restart delays messages, never loses
 * them (up to bufferSize). Each payload has a unique `msgId` so a consumer can drop QoS 1 redeliveries.
 * Payloads carry no card data: status, alerts, and counts by kind/type only.
 *
 * Journal summaries are derived from the durable journal, not from in-memory counters, so a fleet dashboard can sum
 * them exactly across kiosk restarts: each summary counts the committed journal rows after the seq the previous one
 * went up to (`fromSeq`, exclusive) through the journal's end when it is published (`toSeq`), and that seq and time
 * are stored in the outbox database in the same transaction as the summary message. After a restart the next summary
 * simply continues from the stored seq (the open period is "rebuilt" by reading the journal), `from` being the time
 * of the previous summary. Live journal events are not counted at all (they fire before the append's transaction
 * commits, and would count rows a rollback removes); so an entry is counted once however it reached us, and
 * consecutive summaries chain: next.fromSeq === previous.toSeq. Transaction outcomes pair request and response
 * entries across periods, so the tracker is fed every entry once in seq order, and at start it is primed (without
 * counting) with the entries just before fromSeq.
 * First start (no stored state): counting starts at the journal's current end, so a fresh install on an old
 * journal does not publish its whole history; the first period's `from` is that start. Stored state that cannot be
 * used (unparsable, or beyond the journal's end: a replaced kiosk database) is logged and reset the same way.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Journal, JournalEntry } from '../../journals/journal';
import type { MqttConfig } from './config';
import type { KioskMonitor, MonitorEvent } from './monitor';
import type { MonitoringLog } from './server';
import { Outbox } from './outbox';
import { TransactionOutcomes, type TxnOutcome } from './transaction-outcomes';

export interface MqttPublisherOptions {
  config: MqttConfig;
  terminalId: string;
  dataDir: string;
  monitor: Pick<KioskMonitor, 'on' | 'status' | 'alerts'>;
  /** The kiosk's journal (read only): journal summaries are counted from it. */
  journal: Pick<Journal, 'query' | 'lastSeq'>;
  log?: MonitoringLog;
}

interface Summary {
  transactions: Record<string, Record<string, number>>;
  entries: Record<string, number>;
  latency: { count: number; totalMs: number; maxMs: number };
}

/** How far the journal has been summarised: entries up to `throughSeq` are in a queued summary; `at` is its `to`. */
interface SummaryState {
  throughSeq: number;
  at: string;
}

const SUMMARY_STATE_KEY = 'journal.summary';
/** Entries before the open period replayed (not counted) into the outcome tracker at start, to pair requests with responses. */
const PRIME_ENTRIES = 5000;
const READ_BATCH = 1000;

function parseSummaryState(raw: string): SummaryState {
  const v = JSON.parse(raw) as unknown;
  if (typeof v !== 'object' || v === null) throw new Error('not an object');
  const { throughSeq, at } = v as Record<string, unknown>;
  if (typeof throughSeq !== 'number' || !Number.isSafeInteger(throughSeq) || throughSeq < 0) throw new Error('bad throughSeq');
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw new Error('bad at');
  return { throughSeq, at: new Date(at).toISOString() };
}

export class MqttPublisher extends EventEmitter<{ delivered: [{ id: number; topic: string }]; connected: []; disconnected: [] }> {
  readonly base: string;
  private readonly outbox: Outbox;
  private client: MqttClient | null = null;
  private inflight: number | null = null;
  /** Bumped on every disconnect, so a late callback for an earlier connection is ignored. */
  private generation = 0;
  private outcomes: TransactionOutcomes;
  private summaryState: SummaryState;
  private summaryTimer: ReturnType<typeof setInterval> | null = null;
  private readonly offMonitor: () => void;
  private closed = false;
  private readonly log: MonitoringLog;

  constructor(private readonly o: MqttPublisherOptions) {
    super();
    this.log = o.log ?? { info() {}, warn() {}, error() {} };
    this.base = `${o.config.topicPrefix.replace(/\/+$/, '')}/${o.terminalId.trim() || 'unknown'}`;
    this.outbox = new Outbox(join(o.dataDir, 'monitoring-outbox.db'), o.config.bufferSize);
    try {
      this.summaryState = this.loadSummaryState();
      this.outcomes = this.primedOutcomes(this.summaryState.throughSeq);
    } catch (e) {
      this.outbox.close();
      throw e;
    }
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

  /**
   * Queues the journal summary for the entries after the previous summary's toSeq through the journal's current
   * end, and records that seq (same outbox transaction) so the next one, in this process or after a restart,
   * continues from there. A failure (journal or outbox unreadable) is logged; the period then stays open.
   */
  publishSummary(): void {
    if (this.closed) return;
    const prev = this.summaryState;
    try {
      const s: Summary = { transactions: {}, entries: {}, latency: { count: 0, totalMs: 0, maxMs: 0 } };
      let through = prev.throughSeq;
      let first: number | null = null;
      for (;;) {
        const rows = this.o.journal.query({ sinceSeq: through, limit: READ_BATCH });
        for (const e of rows) {
          first ??= e.seq;
          count(s, e, this.outcomes.observe(e));
          through = e.seq;
        }
        if (rows.length < READ_BATCH) break;
      }
      if (first !== null && first !== prev.throughSeq + 1) {
        this.log.warn({ fromSeq: prev.throughSeq, firstSeq: first }, 'mqtt: journal entries were archived before they were summarised; not counted');
      }
      const to = new Date().toISOString();
      const next: SummaryState = { throughSeq: through, at: to };
      const l = s.latency;
      this.outbox.push(
        `${this.base}/journal/summary`,
        this.payload({
          from: prev.at,
          to,
          lastSeq: through > prev.throughSeq ? through : null,
          fromSeq: prev.throughSeq,
          toSeq: through,
          transactions: s.transactions,
          entries: s.entries,
          hostLatencyMs: l.count ? { count: l.count, avg: Math.round(l.totalMs / l.count), max: l.maxMs } : null,
        }),
        { state: { key: SUMMARY_STATE_KEY, value: JSON.stringify(next) } },
      );
      this.summaryState = next;
    } catch (err) {
      // The tracker saw this period's entries, which the next attempt reads again: rebuild it as it was.
      try {
        this.outcomes = this.primedOutcomes(prev.throughSeq);
      } catch {
        this.outcomes = new TransactionOutcomes();
      }
      this.log.error({ err: (err as Error).message }, 'mqtt: could not queue the journal summary; the period stays open');
      return;
    }
    this.pump();
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
        case 'journal':
          return; // counted from the journal itself when the summary is published
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
    this.outbox.push(topic, this.payload(body), opts);
    this.pump();
  }

  private payload(body: Record<string, unknown>): string {
    return JSON.stringify({ msgId: randomUUID(), terminalId: this.o.terminalId, at: new Date().toISOString(), ...body });
  }

  private journalEnd(): number {
    return this.o.journal.lastSeq();
  }

  /** The stored summary state; absent (first start) or unusable: the journal's current end, stored at once. */
  private loadSummaryState(): SummaryState {
    const end = this.journalEnd();
    let raw: string | undefined;
    try {
      raw = this.outbox.getState(SUMMARY_STATE_KEY);
      if (raw !== undefined) {
        const s = parseSummaryState(raw);
        if (s.throughSeq > end) throw new Error(`seq ${s.throughSeq} is beyond the journal's end (${end})`);
        return s;
      }
      this.log.info({ seq: end }, "mqtt: no journal summary state; summaries count from the journal's current end");
    } catch (e) {
      this.log.warn({ err: (e as Error).message, state: raw?.slice(0, 200) ?? null, seq: end }, "mqtt: journal summary state unusable; summaries count from the journal's current end");
    }
    const fresh: SummaryState = { throughSeq: end, at: new Date().toISOString() };
    try {
      this.outbox.setState(SUMMARY_STATE_KEY, JSON.stringify(fresh));
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'mqtt: could not store the journal summary state');
    }
    return fresh;
  }

  /** An outcome tracker that has seen (without counting) the entries just before `throughSeq`. */
  private primedOutcomes(throughSeq: number): TransactionOutcomes {
    const t = new TransactionOutcomes();
    const from = Math.max(0, throughSeq - PRIME_ENTRIES);
    // (seqs are consecutive, but entries archived by a rotation leave a gap: stop at throughSeq all the same)
    for (const e of this.o.journal.query({ sinceSeq: from, limit: throughSeq - from })) if (e.seq <= throughSeq) t.observe(e);
    return t;
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

function count(s: Summary, e: JournalEntry, o: TxnOutcome | null): void {
  s.entries[e.kind] = (s.entries[e.kind] ?? 0) + 1;
  if (!o) return;
  const t = (s.transactions[o.type] ??= {});
  t[o.result] = (t[o.result] ?? 0) + 1;
  if (o.latencyMs !== null) {
    s.latency.count++;
    s.latency.totalMs += o.latencyMs;
    s.latency.maxMs = Math.max(s.latency.maxMs, o.latencyMs);
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
