/**
 * The kiosk core with its operations around it, the same for every shell (browser mode, headless service under
 * the watchdog, Electron): rotating scrubbed logs, the watchdog restart recorded in the journal, the storage
 * guard bound to the service mode (disk full / database locked -> out of service, never lost data), and the
 * heartbeat to the watchdog when supervised. `stop()` undoes all of it in reverse order.
 */
import type { KioskConfig } from '../config/config';
import { startKiosk, type Kiosk } from '../core/kiosk';
import { createLogger, type KioskLogger } from './logger';
import { startHeartbeat, watchdogRestartInfo } from './heartbeat';
import { bindServiceMode, StorageGuard } from './storage-guard';
import { processRestartControl } from '../monitoring/restart';

export interface CoreRuntime {
  kiosk: Kiosk;
  log: KioskLogger;
  stop(): Promise<void>;
}

/** Opens the rotating, PCI-scrubbed log for one role (`kiosk`, `watchdog`, `electron`). */
export async function openOpsLog(config: KioskConfig, dataDir: string, role: string): Promise<KioskLogger> {
  const l = config.ops.log;
  return createLogger({ dataDir, name: role, level: l.level, maxSizeMb: l.maxSizeMb, frequency: l.frequency, keepFiles: l.keepFiles, stdout: l.stdout ?? false, base: { terminal: config.terminal.id, role } });
}

export async function startCoreRuntime(config: KioskConfig, dataDir: string, opts: { shell: 'browser' | 'headless' | 'electron' }): Promise<CoreRuntime> {
  const log = await openOpsLog(config, dataDir, 'kiosk');
  let kiosk: Kiosk;
  // The remote restart command stops this whole runtime (logs flushed, heartbeat off), then exits 75 for the
  // watchdog or systemd to start it again.
  let stopRuntime: () => Promise<void> = async () => {};
  try {
    kiosk = await startKiosk({ config, dataDir, monitoringLog: log.logger, restartControl: processRestartControl(() => stopRuntime()) });
  } catch (e) {
    log.logger.error({ err: e }, 'kiosk failed to start');
    await log.close();
    throw e;
  }
  const restart = watchdogRestartInfo();
  if (restart) {
    kiosk.journal.append('watchdog.restart', { restarts: restart.restarts, reason: restart.reason ?? 'unknown' });
    log.logger.warn(restart, 'core restarted by the watchdog');
  }
  log.logger.info({ terminal: config.terminal.id, profile: config.profile, shell: opts.shell, dataDir }, 'kiosk started');

  // Storage: out of service while the disk is full or the database cannot be written.
  const guard = new StorageGuard({ dataDir, ...config.ops.storage, intervalMs: config.ops.storage.checkIntervalMs, probe: () => kiosk.db.exec('BEGIN IMMEDIATE; ROLLBACK'), log: log.logger });
  bindServiceMode(guard, {
    setServiceMode: (mode, by) => {
      try {
        kiosk.setServiceMode(mode, by);
      } catch (e) {
        // The journal may be the thing that is full: the machine must still go out of service.
        log.logger.error({ err: e }, 'service mode journal entry failed');
        kiosk.actor.send({ type: 'SERVICE_MODE', mode });
      }
    },
  });
  guard.start();
  // A blocked event loop sends no heartbeat: the watchdog then kills and restarts the core (no-op unsupervised).
  const stopHeartbeat = startHeartbeat(config.ops.watchdog.heartbeatMs);

  let stopped: Promise<void> | null = null;
  stopRuntime = () =>
    (stopped ??= (async () => {
      stopHeartbeat();
      guard.stop();
      await kiosk.stop();
      log.logger.info('kiosk stopped');
      await log.close();
    })());
  return { kiosk, log, stop: () => stopRuntime() };
}
