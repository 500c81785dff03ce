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
import { mkdirSync } from 'node:fs';
import type { ScreenModel } from '../../main/common/contract';
import { card, select, sim, typePin, waitForScreen } from '../support/kiosk-harness';
import { openStubPage, pushScreen } from './helpers/stub-page';
import { layoutProblems } from './helpers/layout-checks';
import { addOperator, choose, enter, login, logout, toSupervisor, waitFor, type K } from '../main/supervisor/helpers';

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

/** Drives a kiosk through the panel's screens (one withdrawal first, so totals and the journal have content). */
async function tourPanel(k: K): Promise<void> {
  const c = card('visa-debit');
  await waitForScreen(k, 'welcome');
  sim(k, { type: 'insertCard', cardId: c.id });
  await waitForScreen(k, 'enterPin');
  typePin(k, c.pin);
  await waitForScreen(k, 'menu');
  select(k, 'withdrawal');
  await waitForScreen(k, 'amount');
  select(k, 'fast:4000');
  const q = await waitFor(k, (m) => m.screen === 'denomination' || m.screen === 'receiptQuestion', 'receipt question');
  if (q.screen === 'denomination') {
    select(k, 'mix:auto');
    await waitForScreen(k, 'receiptQuestion');
  }
  select(k, 'receiptNo');
  await waitForScreen(k, 'takeCard');
  sim(k, { type: 'takeCard' });
  await waitForScreen(k, 'takeCash');
  sim(k, { type: 'takeCash' });
  await waitForScreen(k, 'welcome');
  const txn = k.journal.query({ kind: 'cash.taken' })[0]!.txn!;

  await toSupervisor(k);
  await login(k, SIMULATOR_FIRST_ADMIN.operatorId, SIMULATOR_FIRST_ADMIN.password, '48151623');
  await choose(k, 'operators');
  await addOperator(k, '2001', 'custodian', '90817263');
  await addOperator(k, '3001', 'technician', '70615243');
  await choose(k, 'back');
  await choose(k, 'keys');
  await choose(k, 'back');
  await logout(k);
  await login(k, '2001', '90817263', '31415926');
  await choose(k, 'cash');
  await choose(k, 'exchange');
  await choose(k, 'unit:CST1');
  await choose(k, 'set');
  await enter(k, 'sup.newCount', '900');
  await choose(k, 'confirm');
  await enter(k, 'sup.operatorId', SIMULATOR_FIRST_ADMIN.operatorId);
  await enter(k, 'sup.password', '48151623');
  await waitFor(k, (m) => m.message === 'sup.exchangeDone', 'exchange done');
  await choose(k, 'back');
  await choose(k, 'trialTotal');
  await choose(k, 'back');
  await choose(k, 'balance');
  for (const u of k.sims.dispenser.cashUnits()) await enter(k, 'sup.physicalCount', String(u.id === 'CST2' ? u.count - 2 : u.count));
  await waitFor(k, (m) => m.message === 'sup.differences', 'balancing report');
  await choose(k, 'back');
  await logout(k);
  await login(k, '3001', '70615243', '16180339');
  await choose(k, 'devices');
  await choose(k, 'test:printer');
  await waitFor(k, (m) => m.message === 'sup.testPassed', 'printer test');
  await choose(k, 'back');
  await choose(k, 'journal');
  await choose(k, 'byTxn');
  await enter(k, 'sup.txnEntry', String(txn));
  await waitFor(k, (m) => m.message === 'sup.journalPage', 'journal page');
  await choose(k, 'back');
  await choose(k, 'back');
  await choose(k, 'service');
  await choose(k, 'back');
  await logout(k);
}

describe.skipIf(!chromiumAvailable)('supervisor screens in both languages (Chromium)', () => {
  let browser: Browser;
  let serverKiosk: Kiosk;
  let server: BrowserServer;

  beforeAll(async () => {
    serverKiosk = await startTestKiosk();
    server = await startBrowserServer({ ui: serverKiosk.ui, rendererDir });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await serverKiosk?.stop();
  });

  for (const lang of ['en', 'zh'] as const) {
    it(`${lang}: every panel screen a tour reaches is translated, unclipped and level with its keys`, async () => {
      const k = await startTestKiosk({ terminal: { languages: lang === 'zh' ? ['zh', 'en'] : ['en', 'zh'] } });
      const seen = new Map<string, ScreenModel>();
      k.ui.onScreen((m) => {
        const key = `${m.title ?? ''}|${m.message ?? ''}|${m.input?.label ?? ''}`;
        if (m.screen.startsWith('supervisor') && m.options.length + (m.input ? 1 : 0) > 0 && !seen.has(key)) seen.set(key, m);
      });
      try {
        await tourPanel(k);
      } finally {
        await k.stop();
      }
      expect(seen.size).toBeGreaterThan(25);
      const page = await openStubPage(browser, server.url);
      const dir = `test-results/screens/${lang}/supervisor`;
      mkdirSync(dir, { recursive: true });
      let seq = 1;
      let n = 0;
      let referenced = 0;
      for (const [key, m] of seen) {
        expect(m.lang).toBe(lang);
        await pushScreen(page, { ...m, seq: ++seq });
        await page.locator('.display-row').screenshot({ path: `${dir}/${String(++n).padStart(2, '0')}-${(m.title ?? m.screen).replace(/^sup\./, '')}.png` });
        expect(await layoutProblems(page), `${lang} ${key}`).toEqual([]);
        if (lang === 'zh') expect(await page.textContent('[data-testid=screen-title]'), key).toMatch(/[\u4e00-\u9fff]/);
        if (m.table) {
          // Word cells (states, roles, unit types, totals) arrive as catalogue references and show translated.
          const shown = await page.$$eval('[data-testid=data-table] tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
          m.table.rows.forEach((row, r) =>
            row.forEach((cell, c) => {
              if (typeof cell === 'string') return void expect(shown[r]![c], key).toBe(cell);
              referenced++;
              expect(shown[r]![c], `${key} ${cell.key}`).not.toContain('sup.');
              if (lang === 'zh') expect(shown[r]![c], `${key} ${cell.key}`).toMatch(/[\u4e00-\u9fff]/);
            }),
          );
        }
      }
      expect(referenced, 'translated table cells seen').toBeGreaterThan(10);
      await page.close();
    });
  }
});
