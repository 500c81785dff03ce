/**
 * Electron shell with the security checklist applied: contextIsolation, sandbox, no nodeIntegration, strict
 * CSP, app:// protocol with path checks, navigation and new windows denied, IPC sender checked, permissions
 * denied by default, single-instance lock, renderer crash/unresponsive recovery. The core is the same one
 * browser mode runs (main/core/kiosk.ts).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, powerSaveBlocker, protocol, session, type IpcMainEvent, type WebContents } from 'electron';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IPC } from '../common/contract';
import { ConfigError, loadConfig, resolveConfigPath, type KioskConfig } from '../config/config';
import type { Kiosk } from '../core/kiosk';
import { startCoreRuntime, type CoreRuntime } from '../ops/core-runtime';
import { applyKioskMode, configureAutoStart } from '../ops/kiosk-mode';
import { EXIT_CONFIG } from '../ops/watchdog';
import { contentSecurityPolicy } from '../bridge/csp';
import { readStatic } from '../bridge/static-files';

const here = dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = resolve(here, '..', '..', 'renderer');
const ORIGIN = 'app://kiosk';

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
  process.exit(0);
}

let win: BrowserWindow | null = null;
let core: CoreRuntime | null = null;
const kioskMode = !process.argv.includes('--windowed');
/** DevTools and reload only in unpackaged development runs that ask for them. */
const devTools = !app.isPackaged && process.argv.includes('--dev');

function trusted(e: IpcMainEvent): boolean {
  const url = e.senderFrame?.url ?? '';
  return !!win && e.sender === win.webContents && url.startsWith(`${ORIGIN}/`);
}

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!url.startsWith(`${ORIGIN}/`)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!url.startsWith(`${ORIGIN}/`)) e.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

function createWindow(k: Kiosk, config: KioskConfig): void {
  win = new BrowserWindow({
    width: 1400,
    height: 1100,
    kiosk: kioskMode,
    autoHideMenuBar: true,
    show: false,
    backgroundColor: '#0b1f33',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      additionalArguments: k.sims ? ['--atm-simulator'] : [],
    },
  });
  const wc = win.webContents;
  const undoKiosk = applyKioskMode({ Menu, powerSaveBlocker }, win, { kiosk: kioskMode, allowDevTools: devTools, preventDisplaySleep: config.ops.kiosk.preventDisplaySleep });
  const offScreen = k.ui.onScreen((m) => !wc.isDestroyed() && wc.send(IPC.screen, m));
  const offFascia = k.ui.onFascia((m) => !wc.isDestroyed() && wc.send(IPC.fascia, m));
  wc.on('did-finish-load', () => {
    wc.send(IPC.screen, k.ui.screen());
    const f = k.ui.fascia();
    if (f) wc.send(IPC.fascia, f);
  });
  wc.on('render-process-gone', (_e, details) => {
    k.journal.append('renderer.gone', { reason: details.reason });
    setTimeout(() => !wc.isDestroyed() && wc.reload(), 1000);
  });
  let hung: ReturnType<typeof setTimeout> | null = null;
  win.on('unresponsive', () => {
    k.journal.append('renderer.unresponsive', {});
    hung = setTimeout(() => {
      if (!wc.isDestroyed()) {
        wc.forcefullyCrashRenderer();
        wc.reload();
      }
    }, 5000);
  });
  win.on('responsive', () => hung && clearTimeout(hung));
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => {
    undoKiosk();
    offScreen();
    offFascia();
    win = null;
  });
  void win.loadURL(`${ORIGIN}/index.html`);
}

app.on('web-contents-created', (_e, contents) => hardenContents(contents));
app.on('second-instance', () => {
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
});

app.whenReady().then(async () => {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  protocol.handle('app', async (req) => {
    const url = new URL(req.url);
    if (url.host !== 'kiosk') return new Response('not found', { status: 404 });
    const file = await readStatic(RENDERER_DIR, url.pathname);
    if (!file) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      headers: { 'content-type': file.type, 'content-security-policy': contentSecurityPolicy(), 'x-content-type-options': 'nosniff' },
    });
  });
  let config: KioskConfig;
  try {
    const { path, explicit } = resolveConfigPath(process.argv, process.env);
    config = loadConfig(path, { mustExist: explicit });
  } catch (e) {
    // A bad configuration is not retried: say what is wrong and exit with the code the watchdog/systemd unit
    // treats as final.
    const msg = e instanceof ConfigError ? e.message : String(e);
    console.error(msg);
    dialog.showErrorBox('ATM configuration error', msg);
    app.exit(EXIT_CONFIG);
    return;
  }
  const dataIdx = process.argv.indexOf('--data-dir');
  const configured = dataIdx >= 0 && process.argv[dataIdx + 1] ? process.argv[dataIdx + 1]! : config.dataDir;
  // An installed kiosk keeps a relative data directory under its per-user data path, not the process's cwd.
  const dataDir = app.isPackaged && !isAbsolute(configured) ? resolve(app.getPath('userData'), configured) : configured;
  core = await startCoreRuntime(config, dataDir, { shell: 'electron' });
  const k = core.kiosk;
  configureAutoStart(app, { enabled: config.ops.kiosk.autoStart });
  ipcMain.on(IPC.intent, (e, payload: unknown) => {
    if (!trusted(e)) return;
    k.ui.handleIntent(payload);
  });
  ipcMain.on(IPC.sim, (e, payload: unknown) => {
    if (!trusted(e)) return;
    k.ui.handleSim(payload);
  });
  createWindow(k, config);
});

app.on('window-all-closed', async () => {
  await core?.stop();
  app.quit();
});
