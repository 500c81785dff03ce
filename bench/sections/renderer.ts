/**
 * Renderer latency in real Chromium (/usr/bin/chromium via playwright-core, as the browser e2e tests): the
 * built renderer (dist/renderer) served by the browser-mode bridge of a real core (test composition), and
 * withdrawals driven on the core side. For every ScreenModel the core emits (it carries a `seq`), the core
 * records when it emitted it; in the page a MutationObserver on #screen[data-seq] sees the DOM change and
 * records the time after the next frame (requestAnimationFrame, then a MessageChannel task: the frame that
 * contains the change has been produced). Latency = painted - emitted, both epoch clocks on this machine,
 * corrected by the measured page/Node clock offset. The headline counts models that change the screen.
 * No renderer code is changed: the probe is injected with page.evaluate.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startBrowserServer } from '../../main/bridge/browser-server';
import { chromiumAvailable, launchChromium } from '../../test/support/chromium';
import { startBenchKiosk, withdraw } from '../lib/core-driver';
import { epochMs, percentile, sleep } from '../lib/stats';
import { withTempDir } from '../lib/tempdir';
import { metricOf, pick, type SectionRun } from '../lib/types';

interface Painted {
  seq: number;
  screen: string;
  dom: number;
  painted: number;
}

/**
 * The in-page probe, as source text: tsx would wrap a function literal in helpers that do not exist in the page.
 * One record per model (data-seq); `painted` is set in a task queued from the next animation frame.
 */
const PROBE = `(() => {
  const root = document.getElementById('screen');
  const out = [];
  window.__benchPainted = out;
  const seen = new Set();
  const now = () => performance.timeOrigin + performance.now();
  new MutationObserver(() => {
    const seq = Number(root.dataset.seq);
    if (seen.has(seq)) return;
    seen.add(seq);
    const rec = { seq, screen: root.dataset.screen || '', dom: now(), painted: 0 };
    out.push(rec);
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { rec.painted = now(); };
      ch.port2.postMessage(0);
    });
  }).observe(root, { attributes: true, attributeFilter: ['data-seq'] });
})()`;

export const run: SectionRun = async (scale) => {
  if (!chromiumAvailable) return { status: 'skipped', reason: 'no Chromium at /usr/bin/chromium (CHROMIUM_PATH)', title: 'Renderer latency', params: {}, metrics: {}, notes: [] };
  const rendererDir = resolve('dist/renderer');
  if (!existsSync(`${rendererDir}/app.js`)) throw new Error('dist/renderer missing: npm run build');
  const trials = pick(scale, { full: 5, quick: 3, tiny: 1 });
  const perTrial = pick(scale, { full: 20, quick: 8, tiny: 1 });
  return withTempDir('atm-bench-renderer-', async (dir) => {
    const k = await startBenchKiosk(dir);
    const emitted = new Map<number, { t: number; screen: string; changed: boolean }>();
    let lastScreen = k.ui.screen().screen;
    const off = k.ui.onScreen((m) => {
      emitted.set(m.seq, { t: epochMs(), screen: m.screen, changed: m.screen !== lastScreen });
      lastScreen = m.screen;
    });
    const server = await startBrowserServer({ ui: k.ui, rendererDir });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1024 } });
      await page.goto(server.url);
      await page.waitForSelector('#screen[data-screen="welcome"]');
      await page.evaluate(PROBE);
      // Clock offset page - Node, from round trips (the shortest one is the most precise).
      let offset = 0;
      let bestRtt = Infinity;
      for (let i = 0; i < 20; i++) {
        const a = epochMs();
        const p = (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
        const b = epochMs();
        if (b - a < bestRtt) {
          bestRtt = b - a;
          offset = p - (a + b) / 2;
        }
      }
      const collect = async () => {
        await sleep(100);
        const painted = (await page.evaluate('window.__benchPainted.splice(0)')) as Painted[];
        const all: number[] = [];
        const changes: number[] = [];
        for (const p of painted) {
          const e = emitted.get(p.seq);
          if (!e || !p.painted) continue;
          const ms = p.painted - offset - e.t;
          all.push(ms);
          if (e.changed) changes.push(ms);
        }
        return { all, changes };
      };
      // Warm-up withdrawal, then trials; a short pause between customers lets frames settle.
      await withdraw(k);
      await collect();
      const p95: number[] = [];
      const p50: number[] = [];
      const p95All: number[] = [];
      const pooled: number[] = [];
      let updates = 0;
      for (let t = 0; t < trials; t++) {
        for (let i = 0; i < perTrial; i++) {
          await withdraw(k);
          await sleep(50);
        }
        const r = await collect();
        if (!r.changes.length) throw new Error('no painted screen changes were observed');
        p95.push(percentile(r.changes, 95));
        p50.push(percentile(r.changes, 50));
        p95All.push(percentile(r.all, 95));
        pooled.push(...r.changes);
        updates += r.all.length;
      }
      await page.close();
      return {
        title: 'Renderer: state change to screen painted (Chromium, browser-mode bridge)',
        params: {
          trials,
          withdrawalsPerTrial: perTrial,
          screenChanges: pooled.length,
          modelUpdates: updates,
          pooledP50Ms: percentile(pooled, 50),
          pooledP95Ms: percentile(pooled, 95),
          pooledMaxMs: Math.max(...pooled),
          clockOffsetMs: offset,
          clockOffsetUncertaintyMs: bestRtt / 2,
          chromium: browser.version(),
        },
        metrics: {
          p95Ms: metricOf(p95, 'ms', 'median over trials of the per-trial p95, screen changes'),
          p50Ms: metricOf(p50, 'ms', 'median over trials of the per-trial p50, screen changes'),
          p95AllUpdatesMs: metricOf(p95All, 'ms', 'per-trial p95 over every model update (PIN dots included)'),
        },
        notes: ['Headless Chromium, software rendering (--disable-gpu): frames at about 60 Hz, so about 8 ms of any latency is waiting for the next frame.'],
      };
    } finally {
      off();
      await browser.close();
      await server.close();
      await k.stop();
    }
  });
};
