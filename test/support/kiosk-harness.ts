/**
 * Starts a real kiosk core (simulated devices with zero mechanical delay, embedded host on loopback TCP,
 * SQLite in a temp dir) and drives it the way the fascia does: through simulator commands only.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type KioskConfigInput } from '../../main/config/config';
import { startKiosk, type Kiosk, type KioskOptions } from '../../main/core/kiosk';
import type { ScreenId, ScreenModel, SimCommand } from '../../main/common/contract';
import { TEST_CARDS } from '../../devices/card-reader/test-cards';

export async function startTestKiosk(overrides: KioskConfigInput = {}, timers: KioskOptions['timers'] = {}, dataDir?: string): Promise<Kiosk & { dataDir: string }> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'atm-kiosk-'));
  const base: KioskConfigInput = { simulator: { timeScale: 0 }, host: { latencyMs: 0, requestTimeoutMs: 3000 }, ui: { openBrowser: false } };
  const config = parseConfig(deepMerge(base, overrides));
  const kiosk = await startKiosk({ config, dataDir: dir, timers: { messageMs: 50, ...timers } });
  return Object.assign(kiosk, { dataDir: dir });
}

export function sim(k: Kiosk, cmd: SimCommand): void {
  const r = k.ui.handleSim(cmd);
  if (!r.ok) throw new Error(`sim ${cmd.type} refused: ${r.error}`);
}

export function select(k: Kiosk, option: string): void {
  const r = k.ui.handleIntent({ type: 'select', option });
  if (!r.ok) throw new Error(`select ${option} refused: ${r.error} (screen ${k.ui.screen().screen})`);
}

export function waitForScreen(k: Kiosk, screen: ScreenId, timeoutMs = 5000, pred: (m: ScreenModel) => boolean = () => true): Promise<ScreenModel> {
  return new Promise((resolve, reject) => {
    const check = (m: ScreenModel) => m.screen === screen && pred(m);
    if (check(k.ui.screen())) return resolve(k.ui.screen());
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for screen ${screen}; on ${k.ui.screen().screen} (${k.ui.screen().message ?? ''})`));
    }, timeoutMs);
    const off = k.ui.onScreen((m) => {
      if (check(m)) {
        clearTimeout(t);
        off();
        resolve(m);
      }
    });
  });
}

export function typePin(k: Kiosk, pin: string): void {
  for (const d of pin) sim(k, { type: 'key', key: d as '0' });
  sim(k, { type: 'key', key: 'enter' });
}

export function card(id: string) {
  const c = TEST_CARDS.find((x) => x.id === id);
  if (!c) throw new Error(`no test card ${id}`);
  return c;
}

function deepMerge<T>(a: T, b: unknown): T {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(b)) return (b === undefined ? a : b) as T;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = deepMerge(out[k], v);
  return out as T;
}

/** Answers the chip application choice (if the card asks) with the first offered application. */
export function autoChooseApplication(k: Kiosk): () => void {
  return k.ui.onScreen((m) => {
    if (m.screen === 'chooseApplication') {
      const first = m.options.find((o) => o.id.startsWith('app:'));
      if (first) setTimeout(() => k.ui.handleIntent({ type: 'select', option: first.id }), 0);
    }
  });
}

/** From the welcome screen: the test card in, its PIN typed, up to the transaction menu. Returns the card. */
export async function toMenu(k: Kiosk, cardId = 'visa-debit'): Promise<(typeof TEST_CARDS)[number]> {
  const c = card(cardId);
  await waitForScreen(k, 'welcome', 10_000);
  sim(k, { type: 'insertCard', cardId: c.id });
  await waitForScreen(k, 'enterPin');
  typePin(k, c.pin);
  await waitForScreen(k, 'menu');
  return c;
}

/**
 * Card, PIN, menu, amount (automatic note mix if asked), receipt question: up to the host's answer. The caller
 * goes on from there (cash, a decline, a fault). Returns the test card used.
 */
export async function startWithdrawal(k: Kiosk, opts: { cardId?: string; amount?: number; receipt?: boolean } = {}): Promise<(typeof TEST_CARDS)[number]> {
  const c = await toMenu(k, opts.cardId);
  select(k, 'withdrawal');
  await waitForScreen(k, 'amount');
  select(k, `fast:${opts.amount ?? 2000}`);
  await waitForAny(k, ['denomination', 'receiptQuestion']);
  if (k.ui.screen().screen === 'denomination') {
    select(k, 'mix:auto');
    await waitForScreen(k, 'receiptQuestion');
  }
  select(k, opts.receipt ? 'receiptYes' : 'receiptNo');
  return c;
}

/** A complete cash withdrawal through the fascia: card back, cash taken, receipt taken if any, welcome again. */
export async function withdrawCash(k: Kiosk, opts: { cardId?: string; amount?: number; receipt?: boolean } = {}): Promise<(typeof TEST_CARDS)[number]> {
  const c = await startWithdrawal(k, opts);
  await waitForScreen(k, 'takeCard', 10_000);
  for (let i = 0; i < 1000 && k.sims.cardReader.cardInReader()?.position !== 'gate'; i++) await new Promise((r) => setTimeout(r, 5));
  sim(k, { type: 'takeCard' });
  await waitForScreen(k, 'takeCash', 10_000);
  sim(k, { type: 'takeCash' });
  await waitForAny(k, ['takeReceipt', 'welcome', 'goodbye'], 10_000);
  if (k.ui.fascia()?.receipt) sim(k, { type: 'takeReceipt' });
  await waitForScreen(k, 'welcome', 10_000);
  return c;
}

/** Waits until one of the screens shows. */
export function waitForAny(k: Kiosk, screens: ScreenId[], timeoutMs = 5000): Promise<ScreenModel> {
  return new Promise((resolve, reject) => {
    if (screens.includes(k.ui.screen().screen)) return resolve(k.ui.screen());
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${screens.join('/')}; on ${k.ui.screen().screen}`));
    }, timeoutMs);
    const off = k.ui.onScreen((m) => {
      if (!screens.includes(m.screen)) return;
      clearTimeout(t);
      off();
      resolve(m);
    });
  });
}
