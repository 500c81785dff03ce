/**
 * Cold start of the headless core: spawn `node dist/main/launch.js --headless --no-watchdog` (what the
 * watchdog runs; built by `npm run build`) with the default simulator configuration and a fresh data dir,
 * and time from spawn to "in service": the welcome screen, read over the browser-mode bridge (WebSocket with
 * the per-launch token printed on stdout) exactly as the renderer would see it. Then the same data dir is
 * started again (a restart: database exists, migrations done). RSS is the child's VmRSS once in service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { sleep } from '../lib/stats';
import { withTempDir } from '../lib/tempdir';
import { metricOf, pick, type SectionRun } from '../lib/types';

const LAUNCH = resolve('dist/main/launch.js');

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r(child.exitCode);
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(t);
      r(code);
    });
    child.kill('SIGTERM');
  });
}

/** One start: returns ms to the UI server line, ms to in service, RSS in service (and 1 s later). */
async function boot(dataDir: string, config: string): Promise<{ uiMs: number; inServiceMs: number; rssMb: number; rssSettledMb: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [LAUNCH, '--headless', '--no-watchdog', '--config', config, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let ws: WebSocket | null = null;
  try {
    const url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no "Kiosk UI:" line in 30 s: ${out.slice(-500)}`)), 30_000);
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /Kiosk UI: (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          res(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => rej(new Error(`core exited (${code}) while starting: ${out.slice(-500)}`)));
    });
    const uiMs = performance.now() - t0;
    const u = new URL(url);
    const token = new URLSearchParams(u.hash.slice(1)).get('token') ?? '';
    const socket = new WebSocket(`ws://${u.host}/bridge?token=${encodeURIComponent(token)}`, { headers: { origin: u.origin } });
    ws = socket;
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('not in service after 30 s')), 30_000);
      socket.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { ch: string; model?: { screen?: string } };
        if (msg.ch === 'screen' && msg.model?.screen === 'welcome') {
          clearTimeout(timer);
          res();
        }
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        rej(e);
      });
    });
    const inServiceMs = performance.now() - t0;
    const rss = rssMb(child.pid!);
    await sleep(1000);
    return { uiMs, inServiceMs, rssMb: rss, rssSettledMb: rssMb(child.pid!) };
  } finally {
    ws?.terminate();
    await stop(child);
  }
}

export const run: SectionRun = async (scale) => {
  const trials = pick(scale, { full: 5, quick: 3, tiny: 1 });
  const cold: number[] = [];
  const ui: number[] = [];
  const restart: number[] = [];
  const rss: number[] = [];
  const rssSettled: number[] = [];
  // Trial 0 is a warm-up (not counted): it brings dist/ and node_modules into the page cache, so the
  // numbers are a process cold start, not a disk cold start.
  for (let t = 0; t <= trials; t++) {
    await withTempDir('atm-bench-coldstart-', async (dir) => {
      const config = join(dir, 'atm.config.json');
      writeFileSync(config, JSON.stringify({ ui: { openBrowser: false } }));
      const data = join(dir, 'var');
      const first = await boot(data, config);
      if (t === 0) return;
      cold.push(first.inServiceMs);
      ui.push(first.uiMs);
      rss.push(first.rssMb);
      rssSettled.push(first.rssSettledMb);
      restart.push((await boot(data, config)).inServiceMs);
    });
  }
  return {
    title: 'Cold start of the headless core to in service',
    params: { trials, command: 'node dist/main/launch.js --headless --no-watchdog --config <tmp> --data-dir <tmp>', config: 'defaults (simulator profile, embedded host)' },
    metrics: {
      coldStartMs: metricOf(cold, 'ms', 'spawn to welcome screen on the bridge, empty data dir'),
      uiServerMs: metricOf(ui, 'ms', 'spawn to the "Kiosk UI:" line'),
      restartMs: metricOf(restart, 'ms', 'same, second start on the existing data dir'),
      rssAfterStartMb: metricOf(rss, 'MB', 'VmRSS of the core process when in service'),
      rssSettledMb: metricOf(rssSettled, 'MB', 'VmRSS 1 s after in service'),
    },
    notes: [],
  };
};
