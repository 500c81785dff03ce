/**
 * Cardless withdrawal in real Chromium on a real kiosk: the QR drawn from the core's module matrix is crisp
 * (whole device pixels per module, pure black and white, quiet zone) and large enough to scan; the fascia's
 * simulated phone scans it and confirms with a test card, and the customer finishes on the PIN pad; the phone's
 * banking app issues a one-time code that is shown on the phone and typed at the kiosk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/chromium';
import { card } from '../support/kiosk-harness';
import { onScreen, pressOption, startLive, typeKeys, type Live } from './helpers/live-kiosk';
import { takeAll, until } from './helpers/screen-tour';
import { openStubPage, pushScreen } from './helpers/stub-page';
import type { ScreenModel } from '../../main/common/contract';


interface QrPixels {
  moduleDevPx: number;
  cssWidth: number;
  devWidth: number;
  greys: number;
  mismatches: number;
  quietDark: number;
}

function inspectQr(page: Page, qr: { size: number; modules: string }): Promise<QrPixels> {
  return page.evaluate(({ size, modules }) => {
    const c = document.querySelector<HTMLCanvasElement>('canvas[data-testid=qr]')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const span = size + 8;
    const mod = c.width / span;
    let greys = 0;
    for (let i = 0; i < d.length; i += 4) {
      const v = d[i]!;
      if (!((v === 0 || v === 255) && d[i + 1] === v && d[i + 2] === v && d[i + 3] === 255)) greys++;
    }
    const dark = (x: number, y: number) => d[(Math.floor(y) * c.width + Math.floor(x)) * 4] === 0;
    let mismatches = 0;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) if (dark((x + 4.5) * mod, (y + 4.5) * mod) !== (modules[y * size + x] === '1')) mismatches++;
    let quietDark = 0;
    for (let y = 0; y < c.height; y++)
      for (let x = 0; x < c.width; x++) {
        const inQuiet = x < 4 * mod || y < 4 * mod || x >= (span - 4) * mod || y >= (span - 4) * mod;
        if (inQuiet && dark(x, y)) quietDark++;
      }
    return { moduleDevPx: mod, cssWidth: c.getBoundingClientRect().width, devWidth: c.width, greys, mismatches, quietDark };
  }, qr);
}

describe.skipIf(!chromiumAvailable)('cardless withdrawal (Chromium)', () => {
  let browser: Browser;
  let live: Live;

  beforeAll(async () => {
    browser = await launchChromium();
    live = await startLive(browser);
    mkdirSync('test-results/screens/cardless', { recursive: true });
  });

  afterAll(async () => {
    await live?.close();
    await browser?.close();
  });

  /** Starts a cardless withdrawal with the FDKs and returns the showQr model the core published. */
  async function startCardless(amountOption: string): Promise<ScreenModel> {
    const { page, kiosk: k } = live;
    await onScreen(page, 'welcome');
    const shown = new Promise<ScreenModel>((resolve) => {
      const off = k.ui.onScreen((m) => {
        if (m.screen === 'showQr' && m.qr) {
          off();
          resolve(m);
        }
      });
    });
    await pressOption(page, 'cardless');
    await onScreen(page, 'amount');
    await pressOption(page, amountOption);
    return shown;
  }

  it('draws the QR crisp and at a scannable size', async () => {
    let polls = 0;
    const count = (msg: { mti: string; fields: Record<number, unknown> }) => {
      if (msg.mti === '0100' && msg.fields[3] === '390000') polls++;
    };
    live.kiosk.hostSim!.on('request', count);
    const m = await startCardless('fast:4000');
    const qr = m.qr!;
    // The host keeps the reference pending (09) until the phone confirms: the kiosk keeps polling on the QR.
    const page = live.page;
    await onScreen(page, 'showQr');
    await until(() => polls >= 2, 10_000);
    live.kiosk.hostSim!.off('request', count);
    await page.waitForSelector('canvas[data-testid=qr]');
    expect(qr.modules).toHaveLength(qr.size * qr.size);
    const px = await inspectQr(page, qr);
    expect(Number.isInteger(px.moduleDevPx)).toBe(true);
    expect(px.devWidth).toBe(Math.round(px.cssWidth * (await page.evaluate(() => devicePixelRatio))));
    expect(px.greys).toBe(0);
    expect(px.mismatches).toBe(0);
    expect(px.quietDark).toBe(0);
    // At least 4 CSS px a module and about 9 cm on a 15" 1024x768 panel: a phone reads it from arm's length.
    expect(px.cssWidth / (qr.size + 8)).toBeGreaterThanOrEqual(4);
    expect(px.cssWidth).toBeGreaterThanOrEqual(300);
    expect(await page.textContent('[data-testid=screen-message]')).toContain('$40.00');
    await page.locator('.display-row').screenshot({ path: 'test-results/screens/cardless/qr.png' });
    expect(live.kiosk.ui.screen().screen).toBe('showQr');
    await pressOption(page, 'cancel');
    await onScreen(live.page, 'welcome');

    // On a HiDPI panel (2 device pixels per CSS pixel) modules are still whole device pixels: no blur.
    const hidpi = await openStubPage(browser, live.server.url, { width: 1400, height: 1000 }, true, 2);
    await pushScreen(hidpi, { ...m, seq: 2 });
    const px2 = await inspectQr(hidpi, qr);
    expect(Number.isInteger(px2.moduleDevPx)).toBe(true);
    expect(px2.devWidth).toBe(px2.cssWidth * 2);
    expect([px2.greys, px2.mismatches, px2.quietDark]).toEqual([0, 0, 0]);
    await hidpi.close();
  });

  it('withdraws through the phone: scan the QR, confirm with a test card, PIN on the kiosk', async () => {
    const { page, kiosk: k } = live;
    const c = card('visa-debit');
    const before = k.hostSim!.bank.balanceOfPan(c.pan)!;
    await startCardless('fast:4000');
    await onScreen(page, 'showQr');
    // A card the issuer refuses: the phone says so, the kiosk keeps waiting for a confirmation.
    await page.selectOption('[data-testid=wallet-card]', 'stolen');
    await page.click('[data-testid=wallet-scan]');
    await page.waitForSelector('[data-testid=phone-message]:has-text("card cannot be used")');
    expect(k.ui.screen().screen).toBe('showQr');
    await page.selectOption('[data-testid=wallet-card]', c.id);
    await page.click('[data-testid=wallet-scan]');
    await page.waitForSelector('[data-testid=phone-message]:has-text("confirmed")');
    await onScreen(page, 'enterPin');
    await typeKeys(page, c.pin);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=screen][data-screen="takeCash"], [data-testid=screen][data-screen="receiptQuestion"]');
    if ((await page.getAttribute('[data-testid=screen]', 'data-screen')) === 'receiptQuestion') await pressOption(page, 'receiptNo');
    await onScreen(page, 'takeCash');
    expect(await page.textContent('[data-testid=cash-amount]')).toBe('$40.00');
    await takeAll(k);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(before - 4000);
  });

  it('withdraws with a one-time code issued on the phone', async () => {
    const { page, kiosk: k } = live;
    const c = card('visa-debit');
    const before = k.hostSim!.bank.balanceOfPan(c.pan)!;
    await onScreen(page, 'welcome');
    await page.selectOption('[data-testid=wallet-card]', c.id);
    await page.selectOption('[data-testid=wallet-code-amount]', '2000');
    await page.click('[data-testid=wallet-get-code]');
    const code = (await (await page.waitForSelector('[data-testid=phone-code]')).textContent())!;
    expect(code).toMatch(/^\d{6,8}$/);
    await page.locator('[data-testid=phone]').screenshot({ path: 'test-results/screens/cardless/phone-code.png' });
    await pressOption(page, 'code');
    await onScreen(page, 'codeEntry');
    await typeKeys(page, code);
    await page.waitForSelector(`[data-testid=pin-dots] .dot.filled:nth-child(${code.length})`);
    expect(await page.textContent('[data-testid=screen]')).not.toContain(code);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=screen][data-screen="takeCash"], [data-testid=screen][data-screen="enterPin"], [data-testid=screen][data-screen="receiptQuestion"]');
    if ((await page.getAttribute('[data-testid=screen]', 'data-screen')) === 'enterPin') {
      await typeKeys(page, c.pin);
      await page.keyboard.press('Enter');
    }
    await until(() => ['takeCash', 'receiptQuestion'].includes(k.ui.screen().screen));
    if (k.ui.screen().screen === 'receiptQuestion') await pressOption(page, 'receiptNo');
    await onScreen(page, 'takeCash');
    await takeAll(k);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(before - 2000);
  });
});
