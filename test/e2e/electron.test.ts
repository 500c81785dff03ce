/**
 * Electron e2e (Playwright `_electron`): runs where the Electron binary is installed; on machines where it
 * cannot be downloaded it skips with a clear message.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { findElectronBinary } from '../../main/electron/electron-binary';

const binary = findElectronBinary();
const display = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;
if (!binary) console.warn('SKIP Electron e2e: the Electron binary is not installed (it cannot be downloaded on this machine); browser-mode e2e covers the same renderer and core.');
else if (!display) console.warn('SKIP Electron e2e: no display (run under xvfb-run)');

describe.skipIf(!binary || !display)('Electron shell', () => {
  it('loads the renderer over app:// with the preload bridge and refuses navigation', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [resolve('dist/main/electron/main.js'), '--windowed', '--data-dir', mkdtempSync(join(tmpdir(), 'atm-electron-'))],
    });
    try {
      const page = await app.firstWindow();
      await page.waitForSelector('[data-testid=screen][data-screen="welcome"]', { timeout: 20_000 });
      expect(page.url()).toBe('app://kiosk/index.html');
      expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => typeof (window as unknown as { atm?: { sendIntent?: unknown } }).atm?.sendIntent)).toBe('function');
      await page.evaluate(() => {
        location.href = 'https://example.com/';
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(page.url()).toBe('app://kiosk/index.html');
    } finally {
      await app.close();
    }
  });
});
