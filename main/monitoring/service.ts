/**
 * Remote monitoring for one kiosk: the status watcher (monitor.ts), Prometheus metrics, the HTTP + WebSocket API
 * and, when configured, MQTT fleet events. Started by the kiosk core when `monitoring.enabled` is true.
 */
import { join } from 'node:path';
import { Gauge } from 'prom-client';
import { AlertHistoryStore } from './alert-history';
import type { MonitoringConfig } from './config';
import { createKioskMetrics, type KioskMetrics } from './metrics';
import { KioskMonitor, type MonitoredKiosk } from './monitor';
import { MqttPublisher } from './mqtt';
import { startMonitoringServer, type MonitoringLog, type MonitoringServer, type RestartControl } from './server';

export interface MonitoringService {
  monitor: KioskMonitor;
  metrics: KioskMetrics;
  server: MonitoringServer;
  mqtt: MqttPublisher | null;
  url: string;
  close(): Promise<void>;
}

export interface StartMonitoringOptions {
  kiosk: MonitoredKiosk;
  config: MonitoringConfig;
  dataDir: string;
  restart: RestartControl;
  log?: MonitoringLog;
  now?: () => number;
  streamPingMs?: number;
}

export async function startMonitoring(o: StartMonitoringOptions): Promise<MonitoringService> {
  const c = o.config;
  const history = new AlertHistoryStore(join(o.dataDir, 'monitoring.db'), c.alerts.historySize);
  const monitor = new KioskMonitor(o.kiosk, { pollMs: c.pollMs, reversalQueueMinutes: c.alerts.reversalQueueMinutes, historySize: c.alerts.historySize, historyStore: history, ...(o.now ? { now: o.now } : {}) });
  const metrics = createKioskMetrics(monitor);
  let mqtt: MqttPublisher | null = null;
  let server: MonitoringServer | null = null;
  try {
    if (c.mqtt.enabled) {
      const m = new MqttPublisher({ config: c.mqtt, terminalId: o.kiosk.config.terminal.id, dataDir: o.dataDir, monitor, journal: o.kiosk.journal, ...(o.log ? { log: o.log } : {}) });
      mqtt = m;
      new Gauge({ name: 'atm_mqtt_outbox_depth', help: 'Fleet events waiting for the MQTT broker', registers: [metrics.registry], collect() { this.set(m.pending()); } });
      new Gauge({ name: 'atm_mqtt_connected', help: '1 while connected to the MQTT broker', registers: [metrics.registry], collect() { this.set(m.connected ? 1 : 0); } });
      m.start();
    }
    server = await startMonitoringServer({ kiosk: o.kiosk, config: c, dataDir: o.dataDir, monitor, metrics, restart: o.restart, ...(o.log ? { log: o.log } : {}), ...(o.now ? { now: o.now } : {}), ...(o.streamPingMs ? { streamPingMs: o.streamPingMs } : {}) });
  } catch (e) {
    await mqtt?.close();
    metrics.close();
    monitor.close();
    history.close();
    throw e;
  }
  const srv = server;
  let closing: Promise<void> | null = null;
  return {
    monitor,
    metrics,
    server: srv,
    mqtt,
    url: srv.url,
    close: () =>
      (closing ??= (async () => {
        await srv.close();
        await mqtt?.close();
        metrics.close();
        monitor.close();
        history.close();
      })()),
  };
}
