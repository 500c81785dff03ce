/**
 * A real kiosk behind the browser-mode server with the real renderer in Chromium, and the ways a customer
 * operates it without touching the screen: the function keys (F1-F8 on the keyboard = fdk01-08) and the PIN pad
 * (digits, Enter, Escape) through the page's physical-keyboard mapping.
 */
import type { Browser, Page } from 'playwright-core';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { startBrowserServer, type BrowserServer } from '../../../main/bridge/browser-server';
import { startTestKiosk } from '../../support/kiosk-harness';
import type { KioskConfigInput } from '../../../main/config/config';
import type { KioskOptions } from '../../../main/core/kiosk';

export type TestKiosk = Awaited<ReturnType<typeof startTestKiosk>>;

export interface Live {
  kiosk: TestKiosk;
  server: BrowserServer;
  page: Page;
  close(): Promise<void>;
}

export async function startLive(browser: Browser, opts: { config?: KioskConfigInput; timers?: KioskOptions['timers']; init?: () => void } = {}): Promise<Live> {
  const rendererDir = resolve('dist/renderer');
  if (!existsSync(`${rendererDir}/app.js`)) throw new Error('dist/renderer missing: run `npm run build` first');
  const kiosk = await startTestKiosk(opts.config ?? {}, { cardTakeMs: 60_000, cashTakeMs: 60_000, screenTimeoutMs: 120_000, ...opts.timers });
  const server = await startBrowserServer({ ui: kiosk.ui, rendererDir });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
  page.setDefaultTimeout(8000);
  if (opts.init) await page.addInitScript(opts.init);
  await page.goto(server.url);
  return {
    kiosk,
    server,
    page,
    async close() {
      await page.close();
      await server.close();
      await kiosk.stop();
    },
  };
}

export function onScreen(page: Page, id: string, timeout = 10_000) {
  return page.waitForSelector(`[data-testid=screen][data-screen="${id}"]`, { timeout, state: 'attached' });
}

/** Presses the function key beside an option, as the customer would (F1-F8 map to fdk01-08). */
export async function pressOption(page: Page, option: string): Promise<void> {
  const fdk = await page.getAttribute(`[data-testid="option-${option}"]`, 'data-fdk');
  if (!fdk) throw new Error(`option ${option} has no function key`);
  await page.keyboard.press(`F${Number(fdk.slice(3))}`);
}

export async function typeKeys(page: Page, keys: string): Promise<void> {
  for (const d of keys) await page.keyboard.press(d);
}
