/**
 * Fleet events against a real Mosquitto broker started by the test on a free port: retained status and online
 * state, alerts, journal summaries, the last will, and buffering in the SQLite outbox while the broker is down
 * (also across a kiosk restart), delivered in order once it is back; journal summaries that count every journal
 * entry exactly once across restarts, and survive unusable stored state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { api, nextEvent, startMonitored, statusWhere, withdrawal, type Monitored } from './helpers';
import { startTestKiosk } from '../../support/kiosk-harness';
import { startMonitoring, type MonitoringService } from '../../../main/monitoring/service';
import { parseMonitoringConfig } from '../../../main/monitoring/config';
import { TEST_CARDS } from '../../../devices/card-reader/test-cards';
import { haveOpenssl, makePki } from './pki';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { TransactionOutcomes } from '../../../main/monitoring/transaction-outcomes';
import type { MonitoringLog } from '../../../main/monitoring/server';
import type { Kiosk } from '../../../main/core/kiosk';

const MOSQUITTO = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';
const haveBroker = existsSync(MOSQUITTO);
if (!haveBroker) console.warn(`mqtt tests skipped: no Mosquitto broker at ${MOSQUITTO} (apt-get install mosquitto, or set MOSQUITTO_PATH)`);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Broker {
  port: number;
  stop(): Promise<void>;
}

/** Starts mosquitto on the port and resolves once it reports that it is listening. */
async function startBroker(port: number, dir: string, tls?: { ca: string; cert: string; key: string }, passwordFile?: string): Promise<Broker> {
  // mosquitto started as root drops to its own user: it must be able to read the files and write its database here.
  chmodSync(dir, 0o777);
  if (tls) for (const f of [tls.ca, tls.cert, tls.key]) chmodSync(f, 0o644);
  if (passwordFile) chmodSync(passwordFile, 0o644);
  const conf = join(dir, `mosquitto-${port}.conf`);
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, ...(tls ? [`cafile ${tls.ca}`, `certfile ${tls.cert}`, `keyfile ${tls.key}`, 'require_certificate true', 'tls_version tlsv1.2'] : []), ...(passwordFile ? ['allow_anonymous false', `password_file ${passwordFile}`] : ['allow_anonymous true']), 'persistence true', `persistence_location ${dir}/`, `persistence_file mosquitto-${port}.db`, 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information', ...(process.env.DEBUG_MQTT ? ['log_type all'] : [])].join('\n') + '\n');
  const p: ChildProcess = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (process.env.DEBUG_MQTT) p.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  procs.add(p);
  let log = '';
  await new Promise<void>((resolve, reject) => {
    p.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (/Opening ipv4 listen socket on port/.test(log) && /running/.test(log)) resolve();
    });
    p.once('exit', (code) => reject(new Error(`mosquitto exited (${code}):\n${log}`)));
  });
  return {
    port,
    stop: async () => {
      if (p.exitCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
      procs.delete(p);
    },
  };
}

interface Received {
  topic: string;
  text: string;
  retain: boolean;
  json: Record<string, unknown> | null;
}

/**
 * A dashboard: a persistent session (clean: false) with a QoS 1 subscription, so messages published while it is
 * reconnecting to a restarted broker are queued for it by the broker (which persists sessions).
 */
async function subscriber(port: number): Promise<{ client: MqttClient; got: Received[]; waitFor(pred: (m: Received) => boolean, what: string): Promise<Received> }> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `test-sub-${Math.random().toString(16).slice(2)}`, clean: false, reconnectPeriod: 200 });
  clients.add(client);
  const got: Received[] = [];
  const waiters: Array<() => void> = [];
  client.on('message', (topic, payload, packet) => {
    const text = payload.toString();
    let json: Record<string, unknown> | null = null;
    try {
      json = JSON.parse(text);
    } catch {
      // "online" / "offline"
    }
    got.push({ topic, text, retain: packet.retain, json });
    for (const w of waiters.splice(0)) w();
  });
  await client.subscribeAsync('atm/#', { qos: 1 });
  return {
    client,
    got,
    waitFor: (pred, what) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no MQTT message: ${what}; got ${got.map((g) => `${g.topic} ${g.text.slice(0, 80)}`).join('\n')}`)), 10_000);
        const check = () => {
          const m = got.find(pred);
          if (m) {
            clearTimeout(t);
            resolve(m);
          } else waiters.push(check);
        };
        check();
      }),
  };
}

const procs = new Set<ChildProcess>();
const clients = new Set<MqttClient>();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const c of clients) await c.endAsync(true).catch(() => undefined);
  clients.clear();
  for (const p of procs) p.kill('SIGKILL');
  procs.clear();
});

const noCardData = (texts: string[]) => {
  for (const t of texts) for (const c of TEST_CARDS) expect(t).not.toContain(c.pan);
};

describe.skipIf(!haveBroker)('MQTT fleet events (real Mosquitto)', () => {
  it('round trip: online and status retained, alerts on change, journal summary, last will', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atm-mqtt-'));
    const broker = await startBroker(await freePort(), dir);
    cleanups.push(() => broker.stop());
    const m: Monitored = await startMonitored({ mqtt: { enabled: true, url: `mqtt://127.0.0.1:${broker.port}`, reconnectMs: 200, summaryIntervalMs: 3_600_000 } });
    cleanups.push(() => m.close());
    const pub = m.svc.mqtt!;
    await statusWhere(m.svc, (s) => s.app === 'inService');
    if (!pub.connected) await new Promise<void>((r) => pub.once('connected', () => r()));

    // Everything so far is at the broker ...
    if (pub.pending() > 0) await new Promise<void>((resolve) => pub.on('delivered', () => pub.pending() === 0 && resolve()));
    // ... so a dashboard connecting late still sees the retained state.
    const sub = await subscriber(broker.port);
    await sub.waitFor((x) => x.topic === 'atm/ATM00001/online' && x.text === 'online' && x.retain, 'retained online');
    const retained = await sub.waitFor((x) => x.topic === 'atm/ATM00001/status' && x.retain, 'retained status');
    expect(retained.json).toMatchObject({ terminalId: 'ATM00001', status: { terminalId: 'ATM00001' } });
    await sub.waitFor((x) => x.topic === 'atm/ATM00001/status' && (x.json?.status as { app?: string })?.app === 'inService', 'status inService');

    await withdrawal(m.kiosk, 4000);
    await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, body: { reason: 'mqtt test' } });
    const status = await sub.waitFor((x) => x.topic === 'atm/ATM00001/status' && (x.json?.status as { forcedOut?: boolean })?.forcedOut === true, 'status forcedOut');
    expect(status.json).toMatchObject({ terminalId: 'ATM00001' });
    expect(status.json?.msgId).toMatch(/^[0-9a-f-]{36}$/);
    const alert = await sub.waitFor((x) => x.topic === 'atm/ATM00001/alerts' && (x.json?.alert as { id?: string })?.id === 'app.outOfService', 'alert raised');
    expect(alert.json).toMatchObject({ event: 'raised', alert: { severity: 'info', message: 'out of service by command' } });
    await sub.waitFor((x) => x.topic === 'atm/ATM00001/alerts/active' && JSON.stringify(x.json).includes('app.outOfService'), 'active alerts');

    pub.publishSummary();
    const summary = await sub.waitFor((x) => x.topic === 'atm/ATM00001/journal/summary', 'journal summary');
    const entries = summary.json?.entries as Record<string, number>;
    expect(entries['remote.command']).toBe(1);
    expect(entries['service.mode']).toBe(1);
    expect(summary.json?.transactions).toEqual({ withdrawal: { approved: 1 } });
    expect(summary.json?.hostLatencyMs).toMatchObject({ count: 1 });
    expect(entries['card.read']).toBe(1);
    expect(summary.json?.lastSeq).toBe(m.kiosk.journal.query({ limit: 100000 }).at(-1)!.seq);
    noCardData(sub.got.map((g) => g.text));

    // The connection vanishes without a DISCONNECT: the broker publishes the last will.
    const will = sub.waitFor((x) => x.topic === 'atm/ATM00001/online' && x.text === 'offline', 'last will');
    (pub as unknown as { client: MqttClient }).client.stream.destroy();
    await will;
    // ... and the publisher reconnects on its own and says it is back.
    const n = sub.got.length;
    await sub.waitFor((x) => sub.got.indexOf(x) >= n && x.topic === 'atm/ATM00001/online' && x.text === 'online', 'online again');
  });

  it('buffers while the broker is down, across a kiosk restart, and delivers in order when it returns', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atm-mqtt-'));
    const port = await freePort();
    let broker = await startBroker(port, dir);
    const mqttCfg = { enabled: true, url: `mqtt://127.0.0.1:${port}`, reconnectMs: 200, summaryIntervalMs: 3_600_000 };
    const m = await startMonitored({ mqtt: mqttCfg });
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await m.close();
    });
    const pub = m.svc.mqtt!;
    await statusWhere(m.svc, (s) => s.app === 'inService');
    if (!pub.connected) await new Promise<void>((r) => pub.once('connected', () => r()));
    const sub = await subscriber(port);
    await sub.waitFor((x) => x.topic === 'atm/ATM00001/status', 'status before the outage');
    const seenBefore = sub.got.length;

    // Broker gone.
    const down = new Promise<void>((r) => pub.once('disconnected', () => r()));
    await broker.stop();
    await down;
    expect(pub.connected).toBe(false);

    // Events while it is down: out of service (status + alert), then back in service, then a summary.
    const raised = nextEvent(m.svc, (e) => e.type === 'alert.raised' && e.alert.id === 'app.outOfService');
    await api(m, '/api/v1/commands/out-of-service', { token: m.tokens.operate, body: { reason: 'broker outage test' } });
    await raised;
    const cleared = nextEvent(m.svc, (e) => e.type === 'alert.cleared' && e.alert.id === 'app.outOfService');
    await api(m, '/api/v1/commands/in-service', { token: m.tokens.operate, method: 'POST' });
    await cleared;
    pub.publishSummary();
    // Status and active alerts are coalesced (latest value), alerts and the summary are all kept.
    expect(pub.pending()).toBe(5);

    // The kiosk restarts while the broker is still down: the outbox is on disk.
    const dataDir = m.kiosk.dataDir;
    await m.close();
    closed = true;
    const kiosk = await startTestKiosk({}, {}, dataDir);
    const svc = await startMonitoring({ kiosk, config: parseMonitoringConfig({ enabled: true, port: 0, mqtt: mqttCfg }), dataDir, restart: { supervised: () => false, restart: () => undefined } });
    cleanups.push(async () => {
      await svc.close();
      await kiosk.stop();
    });
    expect(svc.mqtt!.pending()).toBeGreaterThanOrEqual(5);

    // Broker back: the kiosk and the dashboard reconnect on their own.
    broker = await startBroker(port, dir);
    cleanups.push(() => broker.stop());
    await sub.waitFor((x) => x.topic === 'atm/ATM00001/journal/summary', 'buffered summary');
    const after = sub.got.slice(seenBefore);
    const alerts = after.filter((x) => x.topic === 'atm/ATM00001/alerts' && (x.json?.alert as { id: string }).id === 'app.outOfService').map((x) => `${x.json?.event} ${(x.json?.alert as { id: string }).id}`);
    expect(alerts).toEqual(['raised app.outOfService', 'cleared app.outOfService']);
    const summary = after.find((x) => x.topic === 'atm/ATM00001/journal/summary')!;
    expect((summary.json?.entries as Record<string, number>)['remote.command']).toBe(2);
    // In order: both alerts before the summary, which was queued last before the restart.
    const order = after.map((x) => x.topic);
    expect(order.lastIndexOf('atm/ATM00001/alerts')).toBeLessThan(order.indexOf('atm/ATM00001/journal/summary'));
    // Every buffered message delivered and acknowledged: the outbox drains.
    if (svc.mqtt!.pending() > 0) await new Promise<void>((resolve) => svc.mqtt!.on('delivered', () => svc.mqtt!.pending() === 0 && resolve()));
    expect(svc.mqtt!.pending()).toBe(0);
    noCardData(sub.got.map((g) => g.text));
  });

  it.skipIf(!haveOpenssl)('mqtts with a client certificate (broker requires one)', { timeout: 60_000 }, async () => {
    const pki = makePki();
    const port = await freePort();
    const broker = await startBroker(port, pki.dir, { ca: pki.ca, cert: pki.cert, key: pki.key });
    cleanups.push(() => broker.stop());
    const m = await startMonitored({ mqtt: { enabled: true, url: `mqtts://127.0.0.1:${port}`, caPath: pki.ca, certPath: pki.clientCert, keyPath: pki.clientKey, reconnectMs: 200 } });
    cleanups.push(() => m.close());
    const pub = m.svc.mqtt!;
    if (!pub.connected) await new Promise<void>((r) => pub.once('connected', () => r()));
    if (pub.pending() > 0) await new Promise<void>((resolve) => pub.on('delivered', () => pub.pending() === 0 && resolve()));
    const sub = await connectAsync(`mqtts://127.0.0.1:${port}`, { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), reconnectPeriod: 0 });
    clients.add(sub);
    const got = new Promise<string>((resolve) => sub.on('message', (topic, payload) => topic === 'atm/ATM00001/status' && resolve(payload.toString())));
    await sub.subscribeAsync('atm/ATM00001/status', { qos: 1 });
    expect(JSON.parse(await got)).toMatchObject({ terminalId: 'ATM00001', status: { terminalId: 'ATM00001' } });
    // Without a client certificate the broker refuses the connection.
    await expect(connectAsync(`mqtts://127.0.0.1:${port}`, { ca: readFileSync(pki.ca), reconnectPeriod: 0, connectTimeout: 5000 })).rejects.toThrow();
  });

  it.skipIf(!existsSync('/usr/bin/mosquitto_passwd'))('username and password file; a wrong password is refused without harming the kiosk', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atm-mqtt-'));
    const brokerPasswords = join(dir, 'passwd');
    const made = spawnSync('/usr/bin/mosquitto_passwd', ['-b', '-c', brokerPasswords, 'atm00001', 's3cret-broker'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const port = await freePort();
    const broker = await startBroker(port, dir, undefined, brokerPasswords);
    cleanups.push(() => broker.stop());
    const good = join(dir, 'good.txt');
    writeFileSync(good, 's3cret-broker\n');
    const m = await startMonitored({ mqtt: { enabled: true, url: `mqtt://127.0.0.1:${port}`, username: 'atm00001', passwordFile: good, reconnectMs: 200 } });
    cleanups.push(() => m.close());
    if (!m.svc.mqtt!.connected) await new Promise<void>((r) => m.svc.mqtt!.once('connected', () => r()));

    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'wrong\n');
    const warnings: string[] = [];
    let refused!: () => void;
    const brokerSaidNo = new Promise<void>((r) => (refused = r));
    const log = {
      info() {},
      warn: (o: object, msg: string) => {
        warnings.push(`${msg} ${JSON.stringify(o)}`);
        if (msg === 'mqtt: error') refused();
      },
      error() {},
    };
    const other = await startMonitored({ mqtt: { enabled: true, url: `mqtt://127.0.0.1:${port}`, clientId: 'atm-other', username: 'atm00001', passwordFile: bad, reconnectMs: 200 } }, {}, log);
    cleanups.push(() => other.close());
    await brokerSaidNo;
    expect(warnings.find((w) => w.startsWith('mqtt: error'))).toMatch(/Not authorized|Bad User Name or Password/i);
    expect(other.svc.mqtt!.connected).toBe(false);
    expect(other.svc.mqtt!.pending()).toBeGreaterThan(0); // kept for when the credentials are fixed
    expect(warnings.join('\n')).not.toContain('wrong');
    // the API of that kiosk still works
    expect((await api(other, '/api/v1/status', { token: other.tokens.read })).status).toBe(200);
    await expect(startMonitored({ mqtt: { enabled: true, url: `mqtt://127.0.0.1:${port}`, passwordFile: join(dir, 'missing.txt') } })).rejects.toThrow(/monitoring\.mqtt\.passwordFile: cannot read .*missing\.txt \(ENOENT\)/);
  });
});

const SUMMARY = 'atm/ATM00001/journal/summary';

interface SummaryMsg {
  msgId: string;
  from: string;
  to: string;
  lastSeq: number | null;
  fromSeq: number;
  toSeq: number;
  entries: Record<string, number>;
  transactions: Record<string, Record<string, number>>;
  hostLatencyMs: { count: number; avg: number; max: number } | null;
}

/** The summaries received so far, QoS 1 redeliveries dropped by msgId (as a dashboard does). */
function summariesOf(got: Received[]): SummaryMsg[] {
  const seen = new Set<string>();
  const out: SummaryMsg[] = [];
  for (const g of got) {
    if (g.topic !== SUMMARY || !g.json) continue;
    const s = g.json as unknown as SummaryMsg;
    if (seen.has(s.msgId)) continue;
    seen.add(s.msgId);
    out.push(s);
  }
  return out;
}

async function nthSummary(sub: Awaited<ReturnType<typeof subscriber>>, n: number): Promise<SummaryMsg> {
  await sub.waitFor(() => summariesOf(sub.got).length >= n, `journal summary #${n}`);
  return summariesOf(sub.got)[n - 1]!;
}

/**
 * What a summary over fromSeq < seq <= toSeq must say, computed independently from the whole journal: every entry
 * by kind, and transaction outcomes from one tracker fed the entire journal in order (so a request journaled in an
 * earlier period, or before a restart, pairs with its response).
 */
function expectedSummary(k: Kiosk, fromSeq: number, toSeq: number) {
  const t = new TransactionOutcomes();
  const entries: Record<string, number> = {};
  const transactions: Record<string, Record<string, number>> = {};
  let latencies = 0;
  for (const e of k.journal.query({ limit: 1_000_000 })) {
    const o = t.observe(e);
    if (e.seq <= fromSeq || e.seq > toSeq) continue;
    entries[e.kind] = (entries[e.kind] ?? 0) + 1;
    if (!o) continue;
    const r = (transactions[o.type] ??= {});
    r[o.result] = (r[o.result] ?? 0) + 1;
    if (o.latencyMs !== null) latencies++;
  }
  return { entries, transactions, latencies };
}

function expectExact(k: Kiosk, s: SummaryMsg): void {
  const want = expectedSummary(k, s.fromSeq, s.toSeq);
  expect(s.entries).toEqual(want.entries);
  expect(s.transactions).toEqual(want.transactions);
  expect(s.hostLatencyMs?.count ?? 0).toBe(want.latencies);
  expect(s.lastSeq).toBe(s.toSeq > s.fromSeq ? s.toSeq : null);
}

const journalEnd = (k: Kiosk) => k.journal.query({ limit: 1_000_000 }).at(-1)!.seq;
const total = (s: SummaryMsg) => Object.values(s.entries).reduce((a, b) => a + b, 0);

describe.skipIf(!haveBroker)('MQTT journal summaries are exact across restarts (real Mosquitto)', () => {
  const mqttCfg = (port: number) => ({ enabled: true, url: `mqtt://127.0.0.1:${port}`, reconnectMs: 200, summaryIntervalMs: 3_600_000 });

  async function restart(dataDir: string, port: number, log?: MonitoringLog) {
    const kiosk = await startTestKiosk({}, {}, dataDir);
    const svc = await startMonitoring({ kiosk, config: parseMonitoringConfig({ enabled: true, port: 0, pollMs: 100, mqtt: mqttCfg(port) }), dataDir, restart: { supervised: () => false, restart: () => undefined }, ...(log ? { log } : {}) });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await svc.close();
      await kiosk.stop();
    };
    cleanups.push(close);
    await statusWhere(svc, (s) => s.app === 'inService');
    return { kiosk, svc, close };
  }

  /** A Mosquitto of its own (stopped after the test) and a subscriber to everything it carries. */
  async function brokerAndSubscriber() {
    const dir = mkdtempSync(join(tmpdir(), 'atm-mqtt-'));
    const port = await freePort();
    const broker = await startBroker(port, dir);
    cleanups.push(() => broker.stop());
    return { port, sub: await subscriber(port) };
  }

  const drained = async (svc: MonitoringService) => {
    const pub = svc.mqtt!;
    if (pub.pending() > 0) await new Promise<void>((resolve) => pub.on('delivered', () => pub.pending() === 0 && resolve()));
  };

  it('a restart mid-period: the summaries together count exactly the journal entries, each once, pairing across the restart', { timeout: 90_000 }, async () => {
    const { port, sub } = await brokerAndSubscriber();

    // First start on a kiosk whose journal already has entries (kiosk.start, devices, ...): they are not published.
    const m = await startMonitored({ mqtt: mqttCfg(port) });
    let closed = false;
    cleanups.push(async () => {
      if (!closed) await m.close();
    });
    const startedAt = m.kiosk.journal.query({ kind: 'kiosk.start' }).at(-1)!.seq;
    await statusWhere(m.svc, (s) => s.app === 'inService');
    await withdrawal(m.kiosk, 2000);
    m.svc.mqtt!.publishSummary();
    const s1 = await nthSummary(sub, 1);
    expect(s1.entries['kiosk.start']).toBeUndefined();
    expect(s1.transactions).toEqual({ withdrawal: { approved: 1 } });

    // A host request goes out, and a summary is published before its answer ...
    m.kiosk.journal.append('transaction.start', { type: 'balance' }, { txn: 900_001 });
    m.kiosk.journal.append('host.request', { mti: '0100' }, { txn: 900_001 });
    m.svc.mqtt!.publishSummary();
    const s2 = await nthSummary(sub, 2);
    expect(s2.transactions).toEqual({});
    // ... then, in the next period, a withdrawal, and the kiosk restarts mid-period (nothing published on the way down).
    await withdrawal(m.kiosk, 4000);
    await drained(m.svc);
    const dataDir = m.kiosk.dataDir;
    await m.close();
    closed = true;

    const k2 = await restart(dataDir, port);
    // After the restart: the answer to the request from two periods ago, and another withdrawal (seen live).
    k2.kiosk.journal.append('host.response', { mti: '0110', responseCode: '00' }, { txn: 900_001 });
    await withdrawal(k2.kiosk, 6000);
    k2.svc.mqtt!.publishSummary();
    const s3 = await nthSummary(sub, 3);
    // Both withdrawals (before and after the restart), the balance inquiry paired across it, the restart's own entries.
    expect(s3.transactions).toEqual({ withdrawal: { approved: 2 }, balance: { approved: 1 } });
    expect(s3.hostLatencyMs?.count).toBe(3);
    expect(s3.entries['kiosk.start']).toBe(1);

    // A period seen live only; then an empty one.
    await withdrawal(k2.kiosk, 2000);
    k2.svc.mqtt!.publishSummary();
    const s4 = await nthSummary(sub, 4);
    k2.svc.mqtt!.publishSummary();
    const s5 = await nthSummary(sub, 5);
    expect(s4.transactions).toEqual({ withdrawal: { approved: 1 } });
    expect(s5.entries).toEqual({});

    // Each summary is exactly the journal between its seqs; they chain; the periods' times chain across the restart.
    const all = [s1, s2, s3, s4, s5];
    expect(s1.fromSeq).toBeGreaterThanOrEqual(startedAt);
    for (let i = 1; i < all.length; i++) {
      expect(all[i]!.fromSeq).toBe(all[i - 1]!.toSeq);
      expect(all[i]!.from).toBe(all[i - 1]!.to);
    }
    for (const s of all) expectExact(k2.kiosk, s);
    expect(s5.toSeq).toBe(journalEnd(k2.kiosk));
    // Every seq from the first summary's start to the last one's end is counted exactly once.
    expect(all.reduce((n, s) => n + total(s), 0)).toBe(s5.toSeq - s1.fromSeq);
    const sumKinds: Record<string, number> = {};
    for (const s of all) for (const [kind, n] of Object.entries(s.entries)) sumKinds[kind] = (sumKinds[kind] ?? 0) + n;
    expect(sumKinds).toEqual(expectedSummary(k2.kiosk, s1.fromSeq, s5.toSeq).entries);
    noCardData(sub.got.map((g) => g.text));
  });

  it('an entry that arrives live and is read from the journal counts once; a rolled-back append not at all', { timeout: 60_000 }, async () => {
    const { port, sub } = await brokerAndSubscriber();
    const m = await startMonitored({ mqtt: mqttCfg(port) });
    cleanups.push(() => m.close());
    const pub = m.svc.mqtt!;
    await statusWhere(m.svc, (s) => s.app === 'inService');
    pub.publishSummary();
    const s1 = await nthSummary(sub, 1);

    const live: number[] = [];
    const off = m.svc.monitor.on((e) => e.type === 'journal' && live.push(e.entry.seq));
    for (let i = 0; i < 3; i++) m.kiosk.journal.append('test.marker', { i });
    // Journal appends run inside the caller's transaction and are announced before it commits: this one never does.
    expect(() =>
      m.kiosk.db.transaction(() => {
        m.kiosk.journal.append('test.rolled-back', {});
        throw new Error('abort');
      })(),
    ).toThrow('abort');
    m.kiosk.journal.append('test.marker', { i: 3 }); // takes the seq the rolled-back row had
    off();
    expect(new Set(live).size).toBeLessThan(live.length); // the live stream did announce one seq twice

    pub.publishSummary();
    const s2 = await nthSummary(sub, 2);
    pub.publishSummary(); // nothing new: nothing counted again
    const s3 = await nthSummary(sub, 3);
    expect(s2.fromSeq).toBe(s1.toSeq);
    expect(s2.entries['test.marker']).toBe(4);
    expect(s2.entries['test.rolled-back']).toBeUndefined();
    expectExact(m.kiosk, s2);
    expect(total(s2)).toBe(s2.toSeq - s2.fromSeq);
    expect(s3.fromSeq).toBe(s2.toSeq);
    expectExact(m.kiosk, s3);
    expect(total(s3)).toBe(s3.toSeq - s3.fromSeq);
  });

  it('unusable stored state is logged and counting restarts at the journal end; the kiosk and its monitoring carry on', { timeout: 90_000 }, async () => {
    const { port, sub } = await brokerAndSubscriber();
    const m = await startMonitored({ mqtt: mqttCfg(port) });
    const dataDir = m.kiosk.dataDir;
    m.svc.mqtt!.publishSummary();
    let n = 1;
    let last = await nthSummary(sub, n);
    await drained(m.svc);
    await m.close();

    const bad = ['{not json', JSON.stringify({ throughSeq: -1, at: new Date().toISOString() }), JSON.stringify({ throughSeq: 5, at: 'yesterday' }), JSON.stringify({ at: new Date().toISOString() }), JSON.stringify({ throughSeq: 1e9, at: new Date().toISOString() }), 'null'];
    for (const value of bad) {
      const db = new Database(join(dataDir, 'monitoring-outbox.db'));
      db.prepare("UPDATE state SET value = ? WHERE key = 'journal.summary'").run(value);
      db.close();
      const warnings: string[] = [];
      const log: MonitoringLog = { info() {}, warn: (_o, msg) => warnings.push(msg), error: (_o, msg) => warnings.push(msg) };
      const k = await restart(dataDir, port, log);
      expect(warnings.filter((w) => w.includes('journal summary state unusable')), value).toHaveLength(1);
      const startSeq = k.kiosk.journal.query({ kind: 'kiosk.start' }).at(-1)!.seq;
      await withdrawal(k.kiosk, 2000);
      k.svc.mqtt!.publishSummary();
      last = await nthSummary(sub, ++n);
      // From the journal's end at the restart: not its history, not a seq it will never reach.
      expect(last.fromSeq, value).toBeGreaterThanOrEqual(startSeq);
      expect(last.toSeq).toBe(journalEnd(k.kiosk));
      expect(last.transactions, value).toEqual({ withdrawal: { approved: 1 } });
      expectExact(k.kiosk, last);
      await drained(k.svc);
      await k.close();
    }

    // The state written after the reset is good: the next start continues from it without a warning.
    const warnings: string[] = [];
    const k = await restart(dataDir, port, { info() {}, warn: (_o, msg) => warnings.push(msg), error: (_o, msg) => warnings.push(msg) });
    k.svc.mqtt!.publishSummary();
    const next = await nthSummary(sub, ++n);
    expect(warnings).toEqual([]);
    expect(next.fromSeq).toBe(last.toSeq);
    expect(next.entries['kiosk.start']).toBe(1);
    expectExact(k.kiosk, next);
  });
});
