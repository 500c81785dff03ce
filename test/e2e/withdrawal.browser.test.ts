/**
 * End to end in real Chromium: the renderer served by the browser-mode server, the fascia clicked like a
 * person would, the core running the real machine, devices, ISO 8583 host link and SQLite journal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startBrowserServer, type BrowserServer } from '../../main/bridge/browser-server';
import type { Kiosk } from '../../main/core/kiosk';
import { card, startTestKiosk } from '../support/kiosk-harness';
import { chromiumAvailable, launchChromium } from '../support/chromium';

const rendererDir = resolve('dist/renderer');
if (!chromiumAvailable) console.warn('SKIP browser e2e: /usr/bin/chromium is not installed (apt-get install chromium)');

describe.skipIf(!chromiumAvailable)('withdrawal through the fascia in Chromium', () => {
  let kiosk: Kiosk;
  let server: BrowserServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(`${rendererDir}/app.js`)) throw new Error('dist/renderer missing: run `npm run build` first');
    kiosk = await startTestKiosk({}, { cardTakeMs: 60_000, cashTakeMs: 60_000, screenTimeoutMs: 120_000 });
    server = await startBrowserServer({ ui: kiosk.ui, rendererDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    await page.goto(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await kiosk?.stop();
  });

  const screen = (id: string) => page.waitForSelector(`[data-testid=screen][data-screen="${id}"]`, { timeout: 10_000 });

  it('performs a withdrawal end to end and everything adds up', async () => {
    const c = card('visa-debit');
    const before = kiosk.hostSim!.bank.balanceOfPan(c.pan)!;
    await screen('welcome');
    await expect(page.textContent('[data-testid=screen-title]')).resolves.toBe('Welcome');
    // The fascia never shows a full PAN.
    expect(await page.textContent('[data-testid=card-select]')).not.toContain(c.pan);

    await page.selectOption('[data-testid=card-select]', c.id);
    await page.click('[data-testid=insert-card]');
    await screen('enterPin');
    // Physical keyboard digits drive the simulated PIN pad; the screen shows only dots.
    for (const d of c.pin.slice(0, 2)) await page.keyboard.press(d);
    await page.waitForSelector('[data-testid=pin-dots] .dot.filled:nth-child(2)');
    for (const d of c.pin.slice(2)) await page.click(`[data-testid=key-${d}]`);
    expect(await page.textContent('[data-testid=screen]')).not.toContain(c.pin);
    await page.click('[data-testid=key-enter]');

    await screen('menu');
    await page.click('[data-testid=option-withdrawal]');
    await screen('amount');
    // Operate the amount screen with the function key beside the screen (FDK), not the touch target.
    const fdk = await page.getAttribute('[data-testid="option-fast:4000"]', 'data-fdk');
    await page.click(`[data-testid=${fdk}]`);
    await screen('receiptQuestion');
    await page.click('[data-testid=option-receiptYes]');

    await screen('takeCard');
    await page.waitForSelector('[data-testid=take-card]:not([disabled])');
    expect(await page.textContent('[data-testid=cash-notes]')).toBe('');
    await page.click('[data-testid=take-card]');

    await screen('takeCash');
    await expect(page.textContent('[data-testid=cash-amount]')).resolves.toBe('$40.00');
    await page.waitForSelector('[data-testid=take-cash]:not([disabled])');
    expect(await page.textContent('[data-testid=cash-notes]')).toContain('2 × $20.00');
    await page.click('[data-testid=take-cash]');

    await screen('takeReceipt');
    await page.waitForSelector('[data-testid=take-receipt]:not([disabled])');
    const receipt = await page.textContent('[data-testid=receipt]');
    expect(receipt).toContain('CASH WITHDRAWAL');
    expect(receipt).toContain('$40.00');
    expect(receipt).not.toContain(c.pan);
    await page.screenshot({ path: 'test-results/withdrawal-receipt.png' });
    await page.click('[data-testid=take-receipt]');
    await screen('welcome');

    // Host account, cassettes, journal.
    expect(kiosk.hostSim!.bank.balanceOfPan(c.pan)).toBe(before - 4000);
    const cst1 = kiosk.sims.dispenser.cashUnits().find((u) => u.id === 'CST1')!;
    expect(cst1).toMatchObject({ count: 498, dispensed: 2, presented: 2 });
    const entries = kiosk.journal.query();
    const kinds = entries.map((e) => e.kind);
    for (const k of ['card.read', 'host.response', 'dispense.requested', 'dispense.completed', 'cash.presented', 'cash.taken', 'receipt.printed']) expect(kinds).toContain(k);
    const screens = entries.filter((e) => e.kind === 'screen').map((e) => e.data.screen);
    expect(screens).toEqual(expect.arrayContaining(['welcome', 'enterPin', 'menu', 'amount', 'receiptQuestion', 'processing', 'takeCard', 'takeCash', 'takeReceipt', 'goodbye']));
    expect(entries.find((e) => e.kind === 'card.read')!.maskedPan).toBe('476173******0010');
    expect(JSON.stringify(entries)).not.toContain(c.pan);
    expect(kiosk.journal.verify().ok).toBe(true);
  });

  it('balance inquiry is shown on the screen', async () => {
    const c = card('mc-debit');
    await screen('welcome');
    await page.selectOption('[data-testid=card-select]', c.id);
    await page.click('[data-testid=insert-card]');
    await screen('enterPin');
    for (const d of c.pin) await page.keyboard.press(d);
    await page.keyboard.press('Enter');
    await screen('menu');
    await page.click('[data-testid=option-balance]');
    await screen('balance');
    await expect(page.textContent('[data-testid=balance-available]')).resolves.toBe('$80.00');
    await page.click('[data-testid=option-done]');
    await screen('takeCard');
    await page.click('[data-testid=take-card]');
    await screen('welcome');
  });

  it('the bridge refuses connections without the per-launch token, and hostile messages', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(server.url.replace(/#token=.*/, '#token=wrong'));
    await p.waitForFunction(() => document.documentElement.dataset.bridge === 'disconnected');
    expect(await p.getAttribute('[data-testid=screen]', 'data-screen')).toBeNull();
    await ctx.close();
    // A hostile renderer message (an option the screen does not offer) changes nothing.
    const screenBefore = kiosk.ui.screen().screen;
    const r = await page.evaluate(() => {
      const ws = new WebSocket(`ws://${location.host}/bridge?token=${new URLSearchParams(location.hash.slice(1)).get('token')}`);
      return new Promise<string>((resolve) => {
        ws.onopen = () => ws.send(JSON.stringify({ ch: 'intent', intent: { type: 'select', option: 'fast:100000000' } }));
        ws.onmessage = (ev) => {
          const m = JSON.parse(String(ev.data)) as { ch: string; message?: string };
          if (m.ch === 'error') resolve(m.message ?? '');
        };
      });
    });
    expect(r).toMatch(/not offered/);
    expect(kiosk.ui.screen().screen).toBe(screenBefore);
  });
});
