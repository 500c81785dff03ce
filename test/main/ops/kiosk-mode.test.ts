import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { BrowserWindow } from 'electron';
import type * as electronTypes from 'electron';
import { applyKioskMode, configureAutoStart, isBlockedShortcut, type ElectronKioskApi, type InputLike, type KioskWindowLike, type LoginItemApp } from '../../../main/ops/kiosk-mode';

const key = (k: string, mods: Partial<InputLike> = {}): InputLike => ({ type: 'keyDown', key: k, control: false, alt: false, shift: false, meta: false, ...mods });

describe('shortcut filter', () => {
  it('swallows the shortcuts that would leave or break the kiosk', () => {
    const blocked = [
      key('F4', { alt: true }), key('w', { control: true }), key('r', { control: true }), key('R', { control: true, shift: true }), key('I', { control: true, shift: true }),
      key('J', { control: true, shift: true }), key('q', { control: true }), key('p', { control: true }), key('=', { control: true }), key('-', { control: true }), key('0', { control: true }),
      key('Tab', { control: true }), key('ArrowLeft', { alt: true }), key('Alt'), key('Meta'), key('d', { meta: true }), key('F5'), key('F11'), key('F12'), key('F10'), key('BrowserBack'), key('ContextMenu'),
    ];
    for (const i of blocked) expect(isBlockedShortcut(i), JSON.stringify(i)).toBe(true);
  });

  it('keeps the keys the kiosk uses: PIN pad emulation, FDKs F1-F8, accessibility letters', () => {
    const allowed = ['0', '5', '9', 'Enter', 'Escape', 'Backspace', 'Delete', 'F1', 'F4', 'F8', 'h', '?', 'a', '+', '-', 'c', 'Tab', 'ArrowUp', ' '].map((k) => key(k));
    for (const i of allowed) expect(isBlockedShortcut(i), i.key).toBe(false);
    expect(isBlockedShortcut(key('A', { shift: true }))).toBe(false);
  });

  it('development builds keep DevTools and reload', () => {
    expect(isBlockedShortcut(key('I', { control: true, shift: true }), { allowDevTools: true })).toBe(false);
    expect(isBlockedShortcut(key('F12'), { allowDevTools: true })).toBe(false);
    expect(isBlockedShortcut(key('F4', { alt: true }), { allowDevTools: true })).toBe(true);
  });
});

function fakes() {
  const calls: string[] = [];
  const wc = new EventEmitter();
  const winEvents = new EventEmitter();
  const win: KioskWindowLike = {
    setKiosk: (f) => calls.push(`kiosk:${f}`),
    setFullScreen: (f) => calls.push(`fullscreen:${f}`),
    setMenuBarVisibility: (v) => calls.push(`menubar:${v}`),
    setAutoHideMenuBar: (h) => calls.push(`autohide:${h}`),
    isDestroyed: () => false,
    on: (e, l) => winEvents.on(e, l),
    webContents: {
      on: (e, l) => wc.on(e, l),
      setVisualZoomLevelLimits: async (a, b) => void calls.push(`zoomlimits:${a}-${b}`),
      setZoomFactor: (f) => calls.push(`zoom:${f}`),
    },
  };
  let started = false;
  const electron: ElectronKioskApi = {
    Menu: { setApplicationMenu: (m) => calls.push(`menu:${m}`) },
    powerSaveBlocker: {
      start: (t) => {
        calls.push(`blocker:${t}`);
        started = true;
        return 7;
      },
      stop: (id) => {
        calls.push(`unblock:${id}`);
        started = false;
      },
      isStarted: () => started,
    },
  };
  return { calls, wc, winEvents, win, electron };
}

describe('applyKioskMode', () => {
  it('removes the menu, goes fullscreen kiosk, blocks display sleep and swallows shortcuts', () => {
    const { calls, wc, winEvents, win, electron } = fakes();
    const blocked: string[] = [];
    const undo = applyKioskMode(electron, win, { kiosk: true, onBlocked: (i) => blocked.push(i.key) });
    expect(calls).toEqual(['menu:null', 'autohide:true', 'menubar:false', 'kiosk:true', 'fullscreen:true', 'zoomlimits:1-1', 'zoom:1', 'blocker:prevent-display-sleep']);
    let prevented = 0;
    const ev = { preventDefault: () => prevented++ };
    wc.emit('before-input-event', ev, key('F4', { alt: true }));
    wc.emit('before-input-event', ev, key('w', { control: true }));
    wc.emit('before-input-event', ev, key('Enter'));
    wc.emit('before-input-event', ev, key('F3'));
    expect(prevented).toBe(2);
    expect(blocked).toEqual(['F4', 'w']);
    winEvents.emit('leave-full-screen');
    expect(calls.at(-1)).toBe('kiosk:true');
    undo();
    expect(calls.at(-1)).toBe('unblock:7');
  });

  it('windowed development runs keep the window but still drop the menu and shortcuts', () => {
    const { calls, win, electron } = fakes();
    applyKioskMode(electron, win, { kiosk: false, preventDisplaySleep: false });
    expect(calls).not.toContain('kiosk:true');
    expect(calls).toContain('menu:null');
    expect(calls.some((c) => c.startsWith('blocker'))).toBe(false);
  });

  it('accepts the real Electron types (compile-time check of the hook in main/electron/main.ts)', () => {
    const check = (w: BrowserWindow, api: typeof electronTypes) => {
      const asWin: KioskWindowLike = w;
      const asApi: ElectronKioskApi = api;
      const asApp: LoginItemApp = api.app;
      return [asWin, asApi, asApp];
    };
    expect(typeof check).toBe('function');
  });
});

describe('configureAutoStart', () => {
  const app = (isPackaged: boolean) => {
    const settings: unknown[] = [];
    return { settings, app: { isPackaged, setLoginItemSettings: (s: unknown) => void settings.push(s) } };
  };
  it('registers a login item for the packaged app on Windows', () => {
    const a = app(true);
    expect(configureAutoStart(a.app, { enabled: true, platform: 'win32', args: ['--kiosk'] })).toBe('login-item');
    expect(a.settings).toEqual([{ openAtLogin: true, args: ['--kiosk'], name: 'Open ATM Kiosk' }]);
    expect(configureAutoStart(a.app, { enabled: false, platform: 'win32' })).toBe('login-item-removed');
  });
  it('leaves Linux to the systemd/XDG units and never registers an unpackaged Electron', () => {
    const a = app(false);
    expect(configureAutoStart(a.app, { enabled: true, platform: 'linux' })).toBe('linux-unit');
    expect(configureAutoStart(a.app, { enabled: true, platform: 'win32' })).toBe('skipped-unpackaged');
    expect(a.settings).toEqual([]);
  });
});
