/**
 * A renderer page whose bridge is a stub installed by an init script (before app.js runs): the test pushes
 * ScreenModels into it and reads back the intents and simulator commands the page sent. Used to draw recorded
 * (real) models and the few screens the core cannot reach yet.
 */
import type { Browser, Page } from 'playwright-core';
import type { ScreenModel, SimCommand, UserIntent } from '../../../main/common/contract';

interface StubWindow {
  __push?: (m: ScreenModel) => void;
  __intents: UserIntent[];
  __sims: SimCommand[];
}

/** `simulator: false` gives a bridge without `sim`, like a real kiosk: full-screen display, no fascia. */
export async function openStubPage(browser: Browser, url: string, viewport = { width: 1400, height: 900 }, simulator = true, deviceScaleFactor = 1): Promise<Page> {
  const page = await browser.newPage({ viewport, deviceScaleFactor });
  await page.addInitScript((withSim: boolean) => {
    const w = window as unknown as StubWindow & { atm: unknown };
    w.__intents = [];
    w.__sims = [];
    let cb: ((m: ScreenModel) => void) | null = null;
    w.__push = (m) => cb?.(m);
    w.atm = {
      onScreen(fn: (m: ScreenModel) => void) {
        cb = fn;
        return () => {};
      },
      onFascia() {
        return () => {};
      },
      sendIntent(i: UserIntent) {
        w.__intents.push(i);
      },
      ...(withSim
        ? {
            sim(c: SimCommand) {
              w.__sims.push(c);
            },
          }
        : {}),
    };
  }, simulator);
  await page.goto(url);
  await page.waitForFunction(() => typeof (window as unknown as StubWindow).__push === 'function');
  return page;
}

export async function pushScreen(page: Page, m: ScreenModel): Promise<void> {
  await page.evaluate((model) => (window as unknown as StubWindow).__push!(model), m);
  await page.waitForSelector(`[data-testid=screen][data-seq="${m.seq}"]`);
}
