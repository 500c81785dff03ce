/**
 * `npm start`: launches Electron when its binary is installed; otherwise runs the same core under Node in
 * browser mode (renderer served on 127.0.0.1, Chromium opened in app/kiosk mode when installed).
 * `--headless` (`npm run service`) runs the core with the browser-mode server but opens nothing, under the
 * watchdog (main/ops/watchdog.ts): a supervisor process restarts the core when it crashes or hangs.
 * `--no-watchdog` runs the core directly (the watchdog starts its child with it).
 * Configuration: `--config <file>`, else ATM_CONFIG, else ./atm.config.json if present, else the defaults.
 * Exit codes: 78 bad configuration (not restarted), 70 watchdog gave up after a crash loop, 1 other failures.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, resolveConfigPath, type KioskConfig } from './config/config';
import { startBrowserServer } from './bridge/browser-server';
import { findElectronBinary } from './electron/electron-binary';
import { isSupervised } from './ops/heartbeat';
import { EXIT_CONFIG, runWatchdog } from './ops/watchdog';
import { openOpsLog, startCoreRuntime } from './ops/core-runtime';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function readConfig(): KioskConfig {
  const { path, explicit } = resolveConfigPath(args, process.env);
  return loadConfig(path, { mustExist: explicit });
}

async function main(): Promise<void> {
  const headless = flag('--headless');
  const electron = !headless && !flag('--browser') ? findElectronBinary() : null;
  if (electron) {
    console.log('Starting the kiosk in Electron');
    const child = spawn(electron, [join(here, 'electron', 'main.js'), ...args], { stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  const config = readConfig();
  const dataDir = option('--data-dir') ?? config.dataDir;
  if (headless && !flag('--no-watchdog') && !isSupervised()) return superviseCore(config, dataDir);

  if (!headless) console.log('Electron binary not installed: running in browser mode');
  const core = await startCoreRuntime(config, dataDir, { shell: headless ? 'headless' : 'browser' });
  const kiosk = core.kiosk;
  const server = await startBrowserServer({ ui: kiosk.ui, rendererDir: resolve(here, '..', 'renderer'), port: config.ui.port });
  console.log(`Kiosk UI: ${server.url}`);
  if (kiosk.monitoring) console.log(`Monitoring: ${kiosk.monitoring.url}/monitor/ (API ${kiosk.monitoring.url}/api/v1, metrics ${kiosk.monitoring.url}/metrics)`);
  if (kiosk.hostSim) console.log('Host: embedded ISO 8583 host simulator on 127.0.0.1');
  if (!headless && config.ui.openBrowser) openChromium(server.url);

  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping`);
    core.log.logger.info({ why }, 'kiosk stopping');
    await server.close();
    await core.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // The watchdog went away: do not run unsupervised and orphaned.
  if (isSupervised()) process.on('disconnect', () => void shutdown('watchdog gone'));
}

/** Runs the core as a child process under the watchdog, until SIGINT/SIGTERM or a crash loop. */
async function superviseCore(config: KioskConfig, dataDir: string): Promise<void> {
  const log = await openOpsLog(config, dataDir, 'watchdog');
  const w = config.ops.watchdog;
  console.log('Service mode: the core runs under the watchdog (--no-watchdog to run it directly)');
  const code = await runWatchdog({
    command: process.execPath,
    args: [...process.execArgv, fileURLToPath(import.meta.url), ...args, '--no-watchdog'],
    heartbeatMs: w.heartbeatMs,
    missedHeartbeats: w.missedHeartbeats,
    startupGraceMs: w.startupGraceMs,
    backoff: { initialMs: w.backoffInitialMs, maxMs: w.backoffMaxMs },
    crashLoop: { maxRestarts: w.maxRestarts, windowMs: w.windowMs },
    log: log.logger,
  });
  if (code !== 0) console.error(code === EXIT_CONFIG ? 'watchdog: the core rejected its configuration' : 'watchdog: the core keeps failing: giving up (see logs/watchdog.*.log)');
  await log.close();
  process.exit(code);
}

function openChromium(url: string): void {
  const exe = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
  if (!exe) {
    console.log('Chromium not found: open the URL above in a browser');
    return;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.log('No display: open the URL above in a browser');
    return;
  }
  const profile = mkdtempSync(join(tmpdir(), 'atm-kiosk-'));
  const flags = [`--app=${url}`, '--kiosk', `--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-translate', '--noerrdialogs'];
  if (process.getuid?.() === 0) flags.push('--no-sandbox');
  const child = spawn(exe, flags, { stdio: 'ignore', detached: true });
  child.on('error', () => console.log('Could not start Chromium: open the URL above in a browser'));
  child.unref();
}

main().catch((e) => {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(EXIT_CONFIG);
  }
  console.error('kiosk failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
