/**
 * `npm start`: launches Electron when its binary is installed; otherwise runs the same core under Node in
 * browser mode (renderer served on 127.0.0.1, Chromium opened in app/kiosk mode when installed).
 * `--headless` runs the core with the browser-mode server but opens nothing (service mode).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config/config';
import { startKiosk } from './core/kiosk';
import { startBrowserServer } from './bridge/browser-server';
import { findElectronBinary } from './electron/electron-binary';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

async function main(): Promise<void> {
  const configPath = option('--config') ?? process.env.ATM_CONFIG ?? (existsSync('atm.config.json') ? 'atm.config.json' : undefined);
  const headless = flag('--headless');
  const electron = !headless && !flag('--browser') ? findElectronBinary() : null;
  if (electron) {
    console.log('Starting the kiosk in Electron');
    const child = spawn(electron, [join(here, 'electron', 'main.js'), ...args], { stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  const config = loadConfig(configPath);
  if (!headless) console.log('Electron binary not installed: running in browser mode');
  const kiosk = await startKiosk({ config, dataDir: option('--data-dir') });
  const server = await startBrowserServer({ ui: kiosk.ui, rendererDir: resolve(here, '..', 'renderer'), port: config.ui.port });
  console.log(`Kiosk UI: ${server.url}`);
  if (kiosk.hostSim) console.log('Host: embedded ISO 8583 host simulator on 127.0.0.1');
  if (!headless && config.ui.openBrowser) openChromium(server.url);
  const shutdown = async (sig: string) => {
    console.log(`\n${sig}: stopping`);
    await server.close();
    await kiosk.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
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
  if (e instanceof ConfigError) console.error(e.message);
  else console.error('kiosk failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
