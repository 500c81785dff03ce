/**
 * Audio guidance (ADA 2010 section 707, EAA) in real Chromium on a real kiosk: the headphone jack starts it,
 * every screen is spoken with the key positions of its options, Help repeats, keys interrupt, volume changes,
 * PIN digits give tones and are never spoken, the screen is blanked for privacy, "more time" is spoken, and
 * Chinese sessions are spoken in Chinese. speechSynthesis is observed, not replaced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/chromium';
import { card, sim } from '../support/kiosk-harness';
import { onScreen, pressOption, startLive, typeKeys, type Live } from './helpers/live-kiosk';
import { counters, recordSpeech, spoken, waitSpoken } from './helpers/speech-recorder';

describe.skipIf(!chromiumAvailable)('audio guidance (Chromium)', () => {
  let browser: Browser;
  const lives: Live[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync('test-results/screens/audio', { recursive: true });
  });

  afterAll(async () => {
    for (const l of lives) await l.close();
    await browser?.close();
  });

  it('headphones start it: screens spoken with key positions, screen blanked, tones for PIN, repeat, interrupt, volume', async () => {
    const live = await startLive(browser, { init: recordSpeech });
    lives.push(live);
    const { page, kiosk: k } = live;
    const c = card('visa-debit');
    await onScreen(page, 'welcome');
    expect(await spoken(page)).toEqual([]);

    // The headphone jack on the fascia (simulated hardware) is the sensor that starts audio guidance.
    await page.click('[data-testid=headphone-jack]');
    await page.waitForSelector('body[data-audio="on"]');
    let said = await waitSpoken(page, 'Press the right key number 1 for Cardless (QR).');
    expect(said.map((s) => s.text)).toEqual(expect.arrayContaining(['Audio guidance is on', 'Welcome', 'Please insert your card', 'To hear this again, press Help.']));
    expect(said.every((s) => s.lang === 'en-US')).toBe(true);

    // Privacy: the screen content is hidden, an overlay says audio mode is on.
    await page.waitForSelector('[data-testid=privacy-overlay]', { state: 'visible' });
    expect(await page.isVisible('[data-testid=screen-title]')).toBe(false);
    expect(await page.textContent('[data-testid=privacy-overlay]')).toContain('Audio guidance is on');
    await page.locator('.display-row').screenshot({ path: 'test-results/screens/audio/en-welcome-blanked.png' });

    // PIN: announced with the tone hint; one tone per digit; no digit ever spoken.
    sim(k, { type: 'insertCard', cardId: c.id });
    await onScreen(page, 'enterPin');
    await waitSpoken(page, 'Enter your PIN');
    const beforePin = await counters(page);
    const spokenBeforePin = (await spoken(page)).length;
    await typeKeys(page, c.pin);
    await page.waitForFunction((n) => (window as unknown as { __tones: number }).__tones >= n, beforePin.tones + c.pin.length);
    const afterPin = await counters(page);
    expect(afterPin.tones - beforePin.tones).toBe(c.pin.length);
    // Every key press stopped the speech.
    expect(afterPin.cancels - beforePin.cancels).toBeGreaterThanOrEqual(c.pin.length);
    expect((await spoken(page)).slice(spokenBeforePin)).toEqual([]);
    await page.keyboard.press('Enter');

    // Menu: options with their key positions.
    await onScreen(page, 'menu');
    said = await waitSpoken(page, 'Press the right key number 1 for Cash withdrawal.');
    expect(said.map((s) => s.text)).toEqual(expect.arrayContaining(['Select a transaction', 'Press the right key number 2 for Balance.']));

    // Help (H on the keyboard, or the PIN pad's Help key) repeats from the top.
    const n = said.length;
    await page.keyboard.press('h');
    said = await waitSpoken(page, 'Select a transaction', n);
    await page.click('[data-testid=key-help]');
    said = await waitSpoken(page, 'Select a transaction', said.length);

    // Volume down: said, and applied to what follows.
    await page.keyboard.press('-');
    said = await waitSpoken(page, 'Volume 7 of 10.');
    expect(said.at(-1)!.volume).toBeCloseTo(0.7);

    // An amount is spoken with Intl formatting.
    await pressOption(page, 'withdrawal');
    await onScreen(page, 'amount');
    said = await waitSpoken(page, 'Press the right key number 2 for $40.00.');
    expect(said.at(-1)!.volume).toBeCloseTo(0.7);

    await pressOption(page, 'cancel');
    await onScreen(page, 'takeCard');
    sim(k, { type: 'takeCard' });
    await onScreen(page, 'welcome');

    // Nothing spoken ever held the PIN, the PAN or a card-number-like run of digits.
    const all = (await spoken(page)).map((s) => s.text).join('\n');
    expect(all).not.toContain(c.pan);
    expect(all).not.toContain(c.pin);
    expect(all).not.toMatch(/\d{8,}/);

    // Unplugging the headphones ends audio mode and shows the screen again.
    await page.click('[data-testid=headphone-jack]');
    await page.waitForSelector('body[data-audio="off"]');
    expect(await page.isVisible('[data-testid=screen-title]')).toBe(true);
    expect(await page.$('[data-testid=privacy-overlay]')).toBeNull();
  });

  it('"more time" is spoken, in the session language (Chinese)', async () => {
    const live = await startLive(browser, { init: recordSpeech, config: { terminal: { languages: ['zh', 'en'] } }, timers: { screenTimeoutMs: 1500, moreTimeMs: 60_000 } });
    lives.push(live);
    const { page, kiosk: k } = live;
    const c = card('visa-debit');
    await onScreen(page, 'welcome');
    await page.keyboard.press('a'); // the page shortcut, as plugging headphones
    await page.waitForSelector('body[data-audio="on"]');
    await waitSpoken(page, '语音引导已开启');
    await page.locator('.display-row').screenshot({ path: 'test-results/screens/audio/zh-welcome-blanked.png' });
    sim(k, { type: 'insertCard', cardId: c.id });
    await onScreen(page, 'enterPin');
    await typeKeys(page, c.pin);
    await page.keyboard.press('Enter');
    await onScreen(page, 'menu');
    await onScreen(page, 'moreTime');
    const said = await waitSpoken(page, '是否需要更多时间？');
    expect(said.map((s) => s.text)).toContain('选择是，请按右侧第 1 个键。');
    expect(said.at(-1)!.lang).toBe('zh-CN');
    await pressOption(page, 'yes');
    await onScreen(page, 'menu');
  });

  it('warns ten seconds before a screen times out, after what it was saying', async () => {
    // (The screen's timeoutAt comes from the config timers; the harness's timer overrides only reach the machine.)
    const live = await startLive(browser, { init: recordSpeech, config: { timers: { screenTimeoutMs: 10_600 } }, timers: { screenTimeoutMs: 10_600 } });
    lives.push(live);
    const { page, kiosk: k } = live;
    await onScreen(page, 'welcome');
    await page.keyboard.press('a');
    await page.waitForSelector('body[data-audio="on"]');
    sim(k, { type: 'insertCard', cardId: 'visa-debit' });
    await onScreen(page, 'enterPin');
    const cancelsBefore = (await counters(page)).cancels;
    const said = await waitSpoken(page, '10 seconds left.');
    // Queued behind the PIN screen's announcement, not cutting it off.
    expect((await counters(page)).cancels).toBe(cancelsBefore);
    const texts = said.map((s) => s.text);
    expect(texts.lastIndexOf('Enter your PIN')).toBeLessThan(texts.lastIndexOf('10 seconds left.'));
    await page.keyboard.press('Escape');
    await onScreen(page, 'takeCard');
  });
});
