/**
 * The monitoring page in real Chromium against a real kiosk: token sign-in (a bad token is refused), cash-level
 * and transaction charts, live updates over the stream, an operator command, no CSP violations, no card data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium, CHROMIUM } from '../../support/chromium';
import { startMonitored, type Monitored } from './helpers';
import { card, select, sim, typePin, waitForScreen } from '../../support/kiosk-harness';
import { generateToken } from '../../../main/monitoring/tokens';
import { TEST_CARDS } from '../../../devices/card-reader/test-cards';

if (!chromiumAvailable) console.warn(`monitoring page test skipped: no Chromium at ${CHROMIUM}`);

describe.skipIf(!chromiumAvailable)('monitoring page (Chromium)', () => {
  let m: Monitored;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    m = await startMonitored();
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) problems.push(msg.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => void d.accept());
  });
  afterAll(async () => {
    await browser?.close();
    await m?.close();
  });

  it('refuses a bad token, then shows the kiosk with charts and follows it live', { timeout: 60_000 }, async () => {
    const res = await page.goto(`${m.url}/`);
    expect(page.url()).toBe(`${m.url}/monitor/`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.fill('#token', generateToken().token);
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.textContent('#login-error')).toBe('Not accepted: token is not valid');
    // (Chromium logs the refused request itself; nothing else may be logged from here on)
    expect(problems).toEqual(['Failed to load resource: the server responded with a status of 401 (Unauthorized)']);
    problems.length = 0;

    await page.fill('#token', m.tokens.operate);
    await page.click('#login-form button[type=submit]');
    await page.locator('#dashboard').waitFor({ state: 'visible' });
    expect(await page.isVisible('#login')).toBe(false);
    expect(await page.textContent('#terminal')).toBe('ATM00001');
    expect(await page.textContent('#who')).toBe('ops-desk (read, operate)');
    await page.locator('#live', { hasText: 'live' }).waitFor();
    const units = m.kiosk.status().cashUnits;
    expect(await page.locator('#cash-chart g.cash-unit').count()).toBe(units.length);
    const cst1 = units.find((u) => u.id === 'CST1')!;
    expect(await page.textContent('#cash-chart g[data-unit=CST1]')).toContain(`${cst1.count}/${cst1.capacity}`);
    const width = Number(await page.getAttribute('#cash-chart g[data-unit=CST1] rect.bar', 'width'));
    expect(width).toBe(Math.round((330 * cst1.count) / cst1.capacity));
    // The token stays in this tab's session storage only.
    expect(await page.evaluate(() => [window.localStorage.length, window.sessionStorage.length])).toEqual([0, 1]);

    // A withdrawal: the transaction chart and the journal follow; cash levels drop.
    const c = card('visa-debit');
    await waitForScreen(m.kiosk, 'welcome');
    sim(m.kiosk, { type: 'insertCard', cardId: c.id });
    await waitForScreen(m.kiosk, 'enterPin');
    typePin(m.kiosk, c.pin);
    await waitForScreen(m.kiosk, 'menu');
    select(m.kiosk, 'withdrawal');
    await waitForScreen(m.kiosk, 'amount');
    select(m.kiosk, 'fast:6000');
    await waitForScreen(m.kiosk, 'receiptQuestion');
    select(m.kiosk, 'receiptNo');
    await waitForScreen(m.kiosk, 'takeCard');
    sim(m.kiosk, { type: 'takeCard' });
    await waitForScreen(m.kiosk, 'takeCash');
    sim(m.kiosk, { type: 'takeCash' });
    await waitForScreen(m.kiosk, 'welcome');
    await page.locator('#txn-chart rect.txn.approved').first().waitFor();
    await page.locator('#journal td', { hasText: 'cash.taken' }).first().waitFor();
    const after = m.kiosk.status().cashUnits.find((u) => u.id === 'CST1')!;
    await page.locator('#cash-chart g[data-unit=CST1]', { hasText: `${after.count}/` }).waitFor();
    expect(await page.locator('#journal td', { hasText: /^476173\*+0010$/ }).count()).toBeGreaterThan(0);

    // An operator command from the page (confirmed), seen live.
    await page.click('#cmd-out');
    await page.locator('#app-state', { hasText: 'out of service (command)' }).waitFor();
    await page.locator('#alerts li[data-alert="app.outOfService"]').waitFor();
    expect(m.kiosk.journal.query({ kind: 'remote.command' }).at(-1)!.data).toMatchObject({ command: 'out-of-service', by: 'remote:ops-desk', reason: 'monitoring page' });
    await page.click('#cmd-in');
    await page.locator('#app-state', { hasText: 'in service' }).waitFor();

    const html = await page.content();
    for (const t of TEST_CARDS) expect(html).not.toContain(t.pan);
    expect(problems).toEqual([]);

    await page.click('#sign-out');
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
  });
});
