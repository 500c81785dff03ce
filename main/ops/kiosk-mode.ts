/**
 * Kiosk-mode pieces for the Electron shell. This module does not import electron (only main/electron may): it
 * takes the Electron objects as arguments, typed structurally, so main/electron/main.ts calls it with the real
 * ones and tests call it with fakes.
 *   - applyKioskMode(): fullscreen kiosk window, no application menu, keyboard shortcuts swallowed
 *     (before-input-event), pinch/zoom off, display sleep prevented (powerSaveBlocker 'prevent-display-sleep'),
 *     kiosk re-entered if the window leaves fullscreen;
 *   - configureAutoStart(): Windows/macOS login item (app.setLoginItemSettings); on Linux auto-start is the
 *     systemd unit / XDG autostart entry in build/linux/ installed with the package.
 * The keys the kiosk needs stay usable: digits, Enter, Escape (cancel), Backspace, Delete, F1-F8 (FDKs), letters
 * for the accessibility shortcuts, Tab and arrows.
 */

/** The fields of Electron's `Input` this module reads. */
export interface InputLike {
  type: string;
  key: string;
  code?: string;
  control: boolean;
  alt: boolean;
  shift: boolean;
  meta: boolean;
}

export interface ShortcutPolicy {
  /** Development builds: keep Ctrl+Shift+I / F12 (DevTools) and Ctrl+R (reload). */
  allowDevTools?: boolean;
}

const BLOCKED_KEYS = new Set([
  'F5', 'F9', 'F10', 'F11', 'F12', 'F13', 'F14', 'F15', 'F16', 'F17', 'F18', 'F19', 'F20', 'F21', 'F22', 'F23', 'F24',
  'BrowserBack', 'BrowserForward', 'BrowserRefresh', 'BrowserStop', 'BrowserSearch', 'BrowserFavorites', 'BrowserHome',
  'ContextMenu', 'Alt', 'AltGraph', 'Meta', 'OS', 'Super', 'Hyper', 'LaunchApplication1', 'LaunchApplication2', 'LaunchMail', 'Help', 'Print', 'PrintScreen', 'Find', 'Open', 'Save', 'Close', 'New', 'Props', 'ZoomIn', 'ZoomOut', 'ZoomToggle',
]);

/**
 * True when the key press must be swallowed: every Ctrl/Alt/Meta chord (Alt+F4, Ctrl+W, Ctrl+R, Ctrl+Shift+I,
 * Ctrl+P, Ctrl+Plus, Alt+Left, ...), F5, F9-F24 (F11 fullscreen, F12 DevTools), browser and OS keys.
 */
export function isBlockedShortcut(input: InputLike, policy: ShortcutPolicy = {}): boolean {
  const key = input.key;
  if (policy.allowDevTools) {
    const k = key.toLowerCase();
    if (key === 'F12' || (input.control && input.shift && (k === 'i' || k === 'j')) || (input.control && !input.alt && k === 'r')) return false;
  }
  if (input.control || input.alt || input.meta) return true;
  return BLOCKED_KEYS.has(key) || (input.code !== undefined && BLOCKED_KEYS.has(input.code));
}

/** The parts of a BrowserWindow used here. */
export interface KioskWindowLike {
  setKiosk(flag: boolean): void;
  setFullScreen(flag: boolean): void;
  setMenuBarVisibility(visible: boolean): void;
  setAutoHideMenuBar(hide: boolean): void;
  isDestroyed(): boolean;
  on(event: 'leave-full-screen', listener: () => void): unknown;
  webContents: {
    on(event: 'before-input-event', listener: (event: { preventDefault(): void }, input: InputLike) => void): unknown;
    setVisualZoomLevelLimits(min: number, max: number): Promise<void>;
    setZoomFactor(factor: number): void;
  };
}

/** The parts of the electron module used here. */
export interface ElectronKioskApi {
  Menu: { setApplicationMenu(menu: null): void };
  powerSaveBlocker: { start(type: 'prevent-display-sleep'): number; stop(id: number): boolean | void; isStarted(id: number): boolean };
}

export interface KioskModeOptions extends ShortcutPolicy {
  /** Fullscreen kiosk window (false: --windowed development runs; shortcuts are still swallowed). */
  kiosk: boolean;
  preventDisplaySleep?: boolean;
  /** Called for each swallowed shortcut (e.g. to log it at debug level). */
  onBlocked?: (input: InputLike) => void;
}

/**
 * Applies kiosk mode to the main window. Call once after creating it; returns an undo function (stops the
 * power-save blocker).
 */
export function applyKioskMode(electron: ElectronKioskApi, win: KioskWindowLike, opts: KioskModeOptions): () => void {
  electron.Menu.setApplicationMenu(null);
  win.setAutoHideMenuBar(true);
  win.setMenuBarVisibility(false);
  if (opts.kiosk) {
    win.setKiosk(true);
    win.setFullScreen(true);
    win.on('leave-full-screen', () => {
      if (!win.isDestroyed()) win.setKiosk(true);
    });
  }
  win.webContents.on('before-input-event', (event, input) => {
    if (isBlockedShortcut(input, opts)) {
      event.preventDefault();
      opts.onBlocked?.(input);
    }
  });
  // Touchscreens: no pinch zoom, no zoomed-in leftovers.
  void win.webContents.setVisualZoomLevelLimits(1, 1).catch(() => {});
  win.webContents.setZoomFactor(1);
  const blocker = opts.preventDisplaySleep === false ? null : electron.powerSaveBlocker.start('prevent-display-sleep');
  return () => {
    if (blocker !== null && electron.powerSaveBlocker.isStarted(blocker)) electron.powerSaveBlocker.stop(blocker);
  };
}

export interface LoginItemApp {
  isPackaged: boolean;
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[]; name?: string }): void;
}

export type AutoStartResult = 'login-item' | 'login-item-removed' | 'linux-unit' | 'skipped-unpackaged';

/**
 * Auto-start at login. Windows and macOS: a login item for the packaged executable (removed when disabled).
 * Linux: nothing to do at run time: the deb installs build/linux/atm-kiosk.desktop into /etc/xdg/autostart
 * and the systemd units; the AppImage user enables the user unit (see build/linux/README.md).
 * Development runs (unpackaged) never register the Electron binary itself.
 */
export function configureAutoStart(app: LoginItemApp, opts: { enabled: boolean; platform?: NodeJS.Platform; args?: string[] }): AutoStartResult {
  const platform = opts.platform ?? process.platform;
  if (platform === 'linux') return 'linux-unit';
  if (!app.isPackaged) return 'skipped-unpackaged';
  app.setLoginItemSettings({ openAtLogin: opts.enabled, ...(opts.args ? { args: opts.args } : {}), name: 'Open ATM Kiosk' });
  return opts.enabled ? 'login-item' : 'login-item-removed';
}
