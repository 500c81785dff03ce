/**
 * `npm run service` end to end: main/launch.ts --headless starts the watchdog, which runs the real kiosk core as a
 * child; the core is SIGKILLed and comes back, the restart is in the hash-chained journal and in logs/watchdog.*.log;
 * SIGTERM stops both. Also: a bad configuration exits 78 at once instead of looping.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const procs: ChildProcess[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
});

/** The watchdog's core children (tsx also runs an esbuild service child, which is not the core). */
function childPids(parent: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('--no-watchdog'))
    .map((l) => Number(l.trim().split(/\s+/)[0]))
    .filter((n) => n > 0);
}

async function waitFor<T>(fn: () => T | undefined | false, ms: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(process.platform !== 'linux')('service mode under the watchdog', () => {
  it('restarts a killed core and journals the restart; SIGTERM stops everything', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atm-service-'));
    const cfg = join(dir, 'atm.config.json');
    writeFileSync(cfg, JSON.stringify({ ui: { openBrowser: false }, simulator: { timeScale: 0 }, host: { latencyMs: 0 }, ops: { watchdog: { heartbeatMs: 500, backoffInitialMs: 100 } } }));
    let out = '';
    const wd = spawn(process.execPath, ['--import', 'tsx', 'main/launch.ts', '--headless', '--config', cfg, '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(wd);
    wd.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    wd.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => (out.match(/Kiosk UI:/g) ?? []).length >= 1, 60_000, `first start\n${out}`);
    const first = await waitFor(() => childPids(wd.pid!)[0], 5000, 'core pid');
    process.kill(first, 'SIGKILL');
    const wdLogText = () => {
      try {
        const logs = join(dir, 'data', 'logs');
        return readdirSync(logs).filter((f) => f.startsWith('watchdog.')).map((f) => readFileSync(join(logs, f), 'utf8')).join('');
      } catch {
        return '';
      }
    };
    await waitFor(() => (out.match(/Kiosk UI:/g) ?? []).length >= 2, 60_000, `restart (killed ${first}, children now ${childPids(wd.pid!).join(',')})\n${out}\n${wdLogText()}`);
    const second = childPids(wd.pid!)[0];
    expect(second).toBeDefined();
    expect(second).not.toBe(first);

    const db = new Database(join(dir, 'data', 'kiosk.db'), { readonly: true });
    const rows = await waitFor(() => {
      const r = db.prepare("SELECT data FROM journal WHERE kind = 'watchdog.restart'").all() as Array<{ data: string }>;
      return r.length ? r : undefined;
    }, 10_000, 'journal entry');
    // ... and the restarted core is back in service on its own (the welcome screen journaled after the restart).
    await waitFor(() => db.prepare("SELECT 1 FROM journal WHERE kind = 'screen' AND json_extract(data, '$.screen') = 'welcome' AND seq > (SELECT MAX(seq) FROM journal WHERE kind = 'watchdog.restart')").get(), 20_000, 'in service after the restart');
    db.close();
    expect(JSON.parse(rows[0]!.data), out).toEqual({ restarts: 1, reason: 'signal SIGKILL' });

    const exited = new Promise<number | null>((r) => wd.once('exit', (code) => r(code)));
    wd.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(() => process.kill(second!, 0)).toThrow();
    const logs = join(dir, 'data', 'logs');
    const wdLog = readdirSync(logs).filter((f) => /^watchdog\.\d+\.log$/.test(f)).map((f) => readFileSync(join(logs, f), 'utf8')).join('');
    expect(wdLog).toContain('"msg":"watchdog: core exited (signal SIGKILL)"');
    expect(wdLog).toContain('"msg":"watchdog: core restarted"');
  });

  it('a bad configuration is reported with its path and exits 78 without a restart loop', { timeout: 60_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'atm-service-'));
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ host: { port: 70000 } }));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'main/launch.ts', '--headless', '--config', cfg, '--data-dir', join(dir, 'data')], { encoding: 'utf8', timeout: 50_000 });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('host.port: must be <= 65535');
    const missing = spawnSync(process.execPath, ['--import', 'tsx', 'main/launch.ts', '--headless', '--data-dir', join(dir, 'data')], { encoding: 'utf8', timeout: 50_000, env: { ...process.env, ATM_CONFIG: join(dir, 'nope.json') } });
    expect(missing.status).toBe(78);
    expect(missing.stderr).toContain('configuration file not found');
  });
});
