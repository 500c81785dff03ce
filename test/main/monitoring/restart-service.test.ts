/**
 * The remote "restart app" command end to end: `main/launch.ts --headless` runs the real core under the watchdog
 * with monitoring enabled; POST /commands/restart stops the core cleanly, it exits 75, the watchdog starts it
 * again, and the journal holds both the command (with the token name) and the watchdog's restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { generateToken } from '../../../main/monitoring/tokens';

const procs: ChildProcess[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
});

describe.skipIf(process.platform !== 'linux')('restart command under the watchdog', () => {
  it('exits 75, is restarted by the watchdog, and both are journaled', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atm-restart-'));
    const operate = generateToken();
    const cfg = join(dir, 'atm.config.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        ui: { openBrowser: false },
        simulator: { timeScale: 0 },
        host: { latencyMs: 0 },
        ops: { watchdog: { heartbeatMs: 500, backoffInitialMs: 100 } },
        monitoring: { enabled: true, port: 0, tokens: [{ name: 'noc', sha256: operate.sha256, scopes: ['read', 'operate'], expiresAt: '2999-01-01T00:00:00Z' }] },
      }),
    );
    let out = '';
    const waiters: Array<() => void> = [];
    const wd = spawn(process.execPath, ['--import', 'tsx', 'main/launch.ts', '--headless', '--config', cfg, '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(wd);
    const onData = (d: Buffer) => {
      out += d.toString();
      for (const w of waiters.splice(0)) w();
    };
    wd.stdout!.on('data', onData);
    wd.stderr!.on('data', onData);
    /** Resolves with the n-th monitoring URL the core prints (one per start). */
    const nthUrl = (n: number) =>
      new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no start #${n} of the core:\n${out}`)), 60_000);
        const check = () => {
          const urls = [...out.matchAll(/Monitoring: (http:\/\/127\.0\.0\.1:\d+)\/monitor\//g)].map((x) => x[1]!);
          if (urls.length >= n) {
            clearTimeout(t);
            resolve(urls[n - 1]!);
          } else waiters.push(check);
        };
        check();
      });

    const first = await nthUrl(1);
    const auth = { authorization: `Bearer ${operate.token}`, 'content-type': 'application/json' };
    // Wait (on the status stream) for the machine to be idle in service: a session would need force.
    const ws = new WebSocket(`${first.replace('http', 'ws')}/api/v1/stream`, ['bearer', operate.token]);
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (d) => {
        const msg = JSON.parse(d.toString()) as { type: string; status?: { app: string } };
        if ((msg.type === 'hello' || msg.type === 'status') && msg.status?.app === 'inService') resolve();
      });
      ws.on('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const r = await fetch(`${first}/api/v1/commands/restart`, { method: 'POST', headers: auth, body: JSON.stringify({ reason: 'remote restart test' }) });
    expect(r.status, await r.clone().text()).toBe(202);
    expect(await r.json()).toMatchObject({ command: 'restart', by: 'remote:noc', exitCode: 75 });

    // The stream is closed by the stopping core ("going away"), then the watchdog starts a new one.
    expect(await closed).toBe(1001);
    const second = await nthUrl(2);
    const status = await fetch(`${second}/api/v1/status`, { headers: auth });
    expect(status.status).toBe(200);

    const db = new Database(join(dir, 'data', 'kiosk.db'), { readonly: true });
    const kinds = (db.prepare("SELECT kind, data FROM journal WHERE kind IN ('remote.command', 'watchdog.restart', 'kiosk.start') ORDER BY seq").all() as Array<{ kind: string; data: string }>).map((x) => ({ kind: x.kind, data: JSON.parse(x.data) as Record<string, unknown> }));
    db.close();
    expect(kinds.map((k) => k.kind)).toEqual(['kiosk.start', 'remote.command', 'kiosk.start', 'watchdog.restart']);
    expect(kinds[1]!.data).toMatchObject({ command: 'restart', by: 'remote:noc', reason: 'remote restart test' });
    expect(kinds[3]!.data).toEqual({ restarts: 1, reason: 'restart requested' });

    const exited = new Promise<number | null>((res) => wd.once('exit', (code) => res(code)));
    wd.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
