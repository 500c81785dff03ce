/**
 * Branch staff in real Chromium: the operator switch on the fascia, login on the PIN pad (keyboard and clicked
 * keys; the password shows as dots only), a replenishment through the FDK-bound options confirmed by a second
 * operator, the totals at the receipt slot, and back to the customer welcome screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startBrowserServer, type BrowserServer } from '../../main/bridge/browser-server';
import type { Kiosk } from '../../main/core/kiosk';
import { startTestKiosk } from '../support/kiosk-harness';
import { chromiumAvailable, launchChromium } from '../support/chromium';
import { SIMULATOR_FIRST_ADMIN } from '../../main/supervisor';

const rendererDir = resolve('dist/renderer');

describe.skipIf(!chromiumAvailable)('supervisor replenishment through the fascia in Chromium', () => {
  let kiosk: Kiosk;
  let server: BrowserServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(`${rendererDir}/app.js`)) throw new Error('dist/renderer missing: run `npm run build` first');
    kiosk = await startTestKiosk();
    // Accounts through the real operator store: the first admin has changed its password, plus a custodian.
    await kiosk.operators.changePassword(SIMULATOR_FIRST_ADMIN.operatorId, '48151623');
    await kiosk.operators.create('2001', 'custodian', '90817263', SIMULATOR_FIRST_ADMIN.operatorId);
    await kiosk.operators.changePassword('2001', '31415926');
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
  /** Waits until the input field with this (translated) label is shown empty, i.e. the PIN pad is taking it. */
  const inputReady = (label: string) =>
    page.waitForFunction(
      (l) => {
        const f = document.querySelector('[data-testid=input-field]');
        return f?.querySelector('.input-label')?.textContent === l && f.querySelector('[data-testid=input-value]')?.textContent?.trim() === '';
      },
      label,
      { timeout: 10_000 },
    );
  const typeKeys = async (digits: string) => {
    for (const d of digits) await page.keyboard.press(d);
    await page.keyboard.press('Enter');
  };
  const clickKeys = async (digits: string) => {
    for (const d of digits) await page.click(`[data-testid=key-${d}]`);
    await page.click('[data-testid=key-enter]');
  };
  /** Presses the function key beside the screen that is bound to the option. */
  const fdk = async (option: string) => {
    await page.waitForSelector(`[data-testid="option-${option}"]`, { timeout: 10_000 });
    const key = await page.getAttribute(`[data-testid="option-${option}"]`, 'data-fdk');
    await page.click(`[data-testid=${key}]`);
  };

  it('a custodian replenishes a cassette, an admin confirms, the totals print', async () => {
    await screen('welcome');
    await page.click('[data-testid=operator-switch]');
    await screen('supervisorLogin');
    await inputReady('Operator ID');
    await typeKeys('2001');
    await inputReady('Password');
    for (const d of '3141') await page.click(`[data-testid=key-${d}]`);
    await page.waitForFunction(() => document.querySelector('[data-testid=input-value]')?.textContent === '••••');
    expect(await page.textContent('[data-testid=screen]')).not.toContain('3141');
    await clickKeys('5926');

    await screen('supervisorMenu');
    await fdk('cash');
    await fdk('exchange');
    await page.waitForFunction(() => document.querySelector('[data-testid=screen-title]')?.textContent === 'Replenishment');
    await fdk('unit:CST1');
    await fdk('set');
    // A count beyond the cassette's capacity is refused with a clear message.
    await inputReady('New note count');
    await typeKeys('9000');
    await page.waitForFunction(() => document.querySelector('[data-testid=screen-message]')?.textContent === 'CST1 holds at most 2500 notes.');
    await inputReady('New note count');
    await typeKeys('800');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=data-table] tbody tr')].some((r) => r.textContent?.startsWith('CST1') && r.lastElementChild?.textContent === '800'));
    await fdk('confirm');

    // Dual control: the admin confirms on the same PIN pad.
    await inputReady('Operator ID');
    expect(await page.textContent('[data-testid=screen-title]')).toBe('Second operator');
    await typeKeys(SIMULATOR_FIRST_ADMIN.operatorId);
    await inputReady('Password');
    await typeKeys('48151623');
    await page.waitForFunction(() => document.querySelector('[data-testid=screen-message]')?.textContent?.startsWith('Replenishment done'));
    const table = await page.textContent('[data-testid=data-table]');
    expect(table).toContain('CST1');
    expect(table).toContain('800');

    // The device, the fascia's cassettes and the receipt slot agree.
    expect(kiosk.devices.dispenser.cashUnits().find((u) => u.id === 'CST1')!.count).toBe(800);
    await page.waitForFunction(() => /CASSETTE TOTALS/.test(document.querySelector('[data-testid=receipt]')?.textContent ?? ''));
    expect(await page.textContent('[data-testid=receipt]')).toMatch(/CST1 \$20\.00 LOADED 800/);
    expect(await page.textContent('[data-testid=cassettes]')).toContain('800');
    await page.click('[data-testid=take-receipt]');
    expect(kiosk.journal.query({ kind: 'cash.exchange' })[0]!.data).toMatchObject({ by: '2001', confirmedBy: SIMULATOR_FIRST_ADMIN.operatorId });

    // Back to run: the customer screen returns.
    await page.click('[data-testid=operator-switch]');
    await screen('welcome');
    expect(kiosk.journal.query({ kind: 'supervisor.logout' }).at(-1)!.data).toEqual({ operator: '2001', reason: 'supervisorClosed' });
  });
});
