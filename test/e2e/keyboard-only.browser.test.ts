/**
 * A full withdrawal without touching the customer screen: the function keys beside the screen and the PIN pad
 * only (through the page's physical-keyboard mapping: F1-F8, digits, Enter). The card, the cash and the
 * receipt are physical acts on the simulated hardware.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/chromium';
import { card, sim } from '../support/kiosk-harness';
import { onScreen, pressOption, startLive, typeKeys, type Live } from './helpers/live-kiosk';
import { until } from './helpers/screen-tour';

describe.skipIf(!chromiumAvailable)('keyboard / FDK only operation (Chromium)', () => {
  let browser: Browser;
  let live: Live;

  beforeAll(async () => {
    browser = await launchChromium();
    live = await startLive(browser, {
      // Observation only: count pointer clicks that land on the customer screen.
      init: () => {
        const w = window as unknown as { __screenClicks: number };
        w.__screenClicks = 0;
        window.addEventListener('click', (e) => {
          if ((e.target as Element | null)?.closest('[data-testid=screen]')) w.__screenClicks++;
        }, true);
      },
    });
  });

  afterAll(async () => {
    await live?.close();
    await browser?.close();
  });

  it('withdraws cash in Chinese using only FDKs and PIN pad keys', async () => {
    const { page, kiosk: k } = live;
    const c = card('visa-debit');
    const before = k.hostSim!.bank.balanceOfPan(c.pan)!;
    await onScreen(page, 'welcome');
    await pressOption(page, 'lang:zh');
    await page.waitForSelector('[data-testid=screen][data-lang="zh"]');
    expect(await page.textContent('[data-testid=screen-title]')).toBe('欢迎');
    expect(await page.getAttribute('[data-testid=steps]', 'data-step')).toBe('card');

    sim(k, { type: 'insertCard', cardId: c.id });
    await onScreen(page, 'enterPin');
    expect(await page.getAttribute('[data-testid=steps]', 'data-step')).toBe('pin');
    await typeKeys(page, c.pin);
    await page.waitForSelector(`[data-testid=pin-dots] .dot.filled:nth-child(${c.pin.length})`);
    await page.keyboard.press('Enter');

    await onScreen(page, 'menu');
    await pressOption(page, 'withdrawal');
    await onScreen(page, 'amount');
    expect(await page.getAttribute('[data-testid=steps]', 'data-step')).toBe('amount');
    await pressOption(page, 'other');
    await onScreen(page, 'otherAmount');
    await typeKeys(page, '60');
    await page.waitForFunction(() => document.querySelector('[data-testid=amount-entry]')?.textContent === 'US$60.00', undefined, { timeout: 5000 }).catch(async (e: unknown) => {
      throw new Error(`amount entry shows ${await page.textContent('[data-testid=screen]')}: ${String(e)}`);
    });
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=screen][data-screen="denomination"], [data-testid=screen][data-screen="receiptQuestion"]');
    if ((await page.getAttribute('[data-testid=screen]', 'data-screen')) === 'denomination') {
      await pressOption(page, 'mix:auto');
      await onScreen(page, 'receiptQuestion');
    }
    await pressOption(page, 'receiptNo');

    await onScreen(page, 'takeCard');
    await until(() => k.ui.fascia()!.cardSlot.state === 'gate');
    sim(k, { type: 'takeCard' });
    await onScreen(page, 'takeCash');
    expect(await page.getAttribute('[data-testid=steps]', 'data-step')).toBe('cash');
    expect(await page.textContent('[data-testid=cash-amount]')).toBe('US$60.00');
    await until(() => k.ui.fascia()!.cashSlot !== null);
    sim(k, { type: 'takeCash' });
    await onScreen(page, 'welcome');

    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(before - 6000);
    expect(await page.evaluate(() => (window as unknown as { __screenClicks: number }).__screenClicks)).toBe(0);
    // NOTE for the core: the next customer's welcome screen stays in the previous customer's language
    // (context.lang is not reset at the end of a session); once it is, assert data-lang="en" here.
  });

  it('Escape is the PIN pad Cancel key: it ends the session from the PIN screen', async () => {
    const { page, kiosk: k } = live;
    await onScreen(page, 'welcome');
    sim(k, { type: 'insertCard', cardId: 'visa-debit' });
    await onScreen(page, 'enterPin');
    await page.keyboard.press('Escape');
    await onScreen(page, 'takeCard');
    await until(() => k.ui.fascia()!.cardSlot.state === 'gate');
    sim(k, { type: 'takeCard' });
    await onScreen(page, 'welcome');
  });
});
