/** A real kiosk (test harness) with remote monitoring started on a free loopback port, and tokens for it. */
import { once } from 'node:events';
import { parseMonitoringConfig, type MonitoringConfigInput } from '../../../main/monitoring/config';
import { startMonitoring, type MonitoringService } from '../../../main/monitoring/service';
import type { MonitoringLog, RestartControl } from '../../../main/monitoring/server';
import type { MonitorEvent } from '../../../main/monitoring/monitor';
import { generateToken } from '../../../main/monitoring/tokens';
import { startTestKiosk, withdrawCash } from '../../support/kiosk-harness';
import type { Kiosk } from '../../../main/core/kiosk';
import type { KioskConfigInput } from '../../../main/config/config';

export const FUTURE = new Date(Date.now() + 86_400_000).toISOString();
export const PAST = new Date(Date.now() - 60_000).toISOString();

export function makeTokens() {
  const read = generateToken();
  const operate = generateToken();
  const operateOnly = generateToken();
  const expired = generateToken();
  return {
    secrets: { read: read.token, operate: operate.token, operateOnly: operateOnly.token, expired: expired.token },
    config: [
      { name: 'nagios', sha256: read.sha256, scopes: ['read' as const], expiresAt: FUTURE },
      { name: 'ops-desk', sha256: operate.sha256, scopes: ['read' as const, 'operate' as const], expiresAt: FUTURE },
      { name: 'robot', sha256: operateOnly.sha256, scopes: ['operate' as const], expiresAt: FUTURE },
      { name: 'old', sha256: expired.sha256, scopes: ['read' as const, 'operate' as const], expiresAt: PAST },
    ],
  };
}

/** Records restart requests instead of exiting the test runner (the real exit is tested under the watchdog). */
export class RecordingRestart implements RestartControl {
  calls: string[] = [];
  isSupervised = true;
  private waiters: Array<() => void> = [];
  supervised() {
    return this.isSupervised;
  }
  restart(by: string) {
    this.calls.push(by);
    for (const w of this.waiters.splice(0)) w();
  }
  next(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }
}

export interface Monitored {
  kiosk: Kiosk & { dataDir: string };
  svc: MonitoringService;
  url: string;
  tokens: ReturnType<typeof makeTokens>['secrets'];
  restart: RecordingRestart;
  close(): Promise<void>;
}

export async function startMonitored(monitoring: MonitoringConfigInput = {}, kioskOverrides: KioskConfigInput = {}, log?: MonitoringLog, extra: { streamPingMs?: number } = {}): Promise<Monitored> {
  const kiosk = await startTestKiosk(kioskOverrides);
  const t = makeTokens();
  const config = parseMonitoringConfig({ enabled: true, port: 0, pollMs: 100, ...monitoring, tokens: [...t.config, ...(monitoring.tokens ?? [])] });
  const restart = new RecordingRestart();
  let svc: MonitoringService;
  try {
    svc = await startMonitoring({ kiosk, config, dataDir: kiosk.dataDir, restart, ...(log ? { log } : {}), ...extra });
  } catch (e) {
    await kiosk.stop();
    throw e;
  }
  return {
    kiosk,
    svc,
    url: svc.url,
    tokens: t.secrets,
    restart,
    async close() {
      await svc.close();
      await kiosk.stop();
    },
  };
}

export async function api(m: { url: string }, path: string, opts: { token?: string; method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  } else if (opts.rawBody !== undefined) body = opts.rawBody;
  const res = await fetch(`${m.url}${path}`, { method: opts.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> & { error?: { code: string; message: string; details?: string[] } } };
}

/** Resolves with the first monitor event that matches. */
export function nextEvent(svc: MonitoringService, pred: (e: MonitorEvent) => boolean, ms = 5000): Promise<MonitorEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error('no matching monitor event in time'));
    }, ms);
    const off = svc.monitor.on((e) => {
      if (!pred(e)) return;
      clearTimeout(t);
      off();
      resolve(e);
    });
  });
}

/** Waits until the monitor's status satisfies pred (checked now and on every status event). */
export async function statusWhere(svc: MonitoringService, pred: (s: ReturnType<MonitoringService['monitor']['status']>) => boolean, ms = 5000): Promise<void> {
  svc.monitor.refresh();
  if (pred(svc.monitor.status())) return;
  await nextEvent(svc, (e) => e.type === 'status' && pred(e.status), ms);
}

export { once };

/** A complete cash withdrawal with the Visa test card, through the simulated fascia. */
export async function withdrawal(k: Kiosk, amount = 6000): Promise<void> {
  await withdrawCash(k, { amount });
}
