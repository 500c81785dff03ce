/**
 * The watchdog against real child processes (test/main/ops/fixtures/fake-core.ts, which uses the real heartbeat
 * sender over the real IPC channel): restart on crash, SIGKILL + restart on hang and on a missing first
 * heartbeat, back-off, crash-loop limit, configuration errors, clean stop.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { backoffDelay, Watchdog, type WatchdogEvent, type WatchdogOptions } from '../../../main/ops/watchdog';

const FIXTURE = resolve('test/main/ops/fixtures/fake-core.ts');
const running: Watchdog[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop('SIGKILL')));
});

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function watchdog(mode: string[], over: Partial<WatchdogOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'atm-wd-'));
  const record = join(dir, 'runs.jsonl');
  const events: WatchdogEvent[] = [];
  const logged: string[] = [];
  const log = { info: (_o: object, m: string) => logged.push(m), warn: (_o: object, m: string) => logged.push(m), error: (_o: object, m: string) => logged.push(m) };
  const wd = new Watchdog({
    command: process.execPath,
    args: ['--import', 'tsx', FIXTURE, record, ...mode],
    stdio: 'ignore',
    heartbeatMs: 100,
    missedHeartbeats: 4,
    startupGraceMs: 10_000,
    backoff: { initialMs: 50, maxMs: 400 },
    crashLoop: { maxRestarts: 5, windowMs: 60_000 },
    stopTimeoutMs: 2000,
    log,
    ...over,
  });
  wd.on('event', (e) => events.push(e));
  running.push(wd);
  const runs = () =>
    readFileSync(record, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { pid: number; restarts: number; lastExit: string | null });
  const until = async (pred: (e: WatchdogEvent[]) => boolean, ms = 20_000) => {
    const t0 = Date.now();
    while (!pred(events)) {
      if (Date.now() - t0 > ms) throw new Error(`timeout; events: ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { wd, events, logged, runs, until };
}

const count = (events: WatchdogEvent[], type: WatchdogEvent['type']) => events.filter((e) => e.type === type).length;

describe('watchdog with a real child process', () => {
  it('restarts the core after it crashes, with back-off, and tells it why', async () => {
    const { wd, events, runs, until, logged } = watchdog(['crash', '2']);
    wd.start();
    await until((e) => count(e, 'first-heartbeat') >= 3);
    const exits = events.filter((e): e is Extract<WatchdogEvent, { type: 'exited' }> => e.type === 'exited');
    expect(exits.map((e) => [e.reason, e.code])).toEqual([
      ['crash', 3],
      ['crash', 3],
    ]);
    expect(events.filter((e) => e.type === 'restart-scheduled').map((e) => (e as { delayMs: number }).delayMs)).toEqual([50, 100]);
    expect(runs().map((r) => [r.restarts, r.lastExit])).toEqual([
      [0, null],
      [1, 'exit code 3'],
      [2, 'exit code 3'],
    ]);
    expect(wd.restarts).toBe(2);
    expect(logged.filter((m) => m.includes('restarted'))).toHaveLength(2);
    const pid = wd.pid;
    expect(alive(pid)).toBe(true);
    await wd.stop();
    expect((await wd.done).outcome).toBe('stopped');
    expect(alive(pid)).toBe(false);
  });

  it('kills a hung core (heartbeats stop) with SIGKILL and restarts it', async () => {
    const { wd, events, runs, until } = watchdog(['hang', '1']);
    wd.start();
    await until((e) => count(e, 'first-heartbeat') >= 2);
    const hang = events.find((e) => e.type === 'hang') as Extract<WatchdogEvent, { type: 'hang' }>;
    expect(hang.silentMs).toBeGreaterThan(400);
    const exit = events.find((e) => e.type === 'exited') as Extract<WatchdogEvent, { type: 'exited' }>;
    expect(exit).toMatchObject({ reason: 'hang', signal: 'SIGKILL' });
    expect(alive(hang.pid)).toBe(false);
    expect(runs()[1]).toMatchObject({ restarts: 1, lastExit: 'hang' });
  });

  it('treats a core that never sends a first heartbeat within the grace period as hung', async () => {
    const { wd, events, until } = watchdog(['silent', '1'], { startupGraceMs: 1500 });
    wd.start();
    await until((e) => count(e, 'first-heartbeat') >= 1);
    expect(events.map((e) => e.type).slice(0, 4)).toEqual(['started', 'hang', 'exited', 'restart-scheduled']);
  });

  it('gives up on a crash loop after maxRestarts restarts within the window', async () => {
    const { wd, events, runs } = watchdog(['crash'], { crashLoop: { maxRestarts: 3, windowMs: 60_000 } });
    wd.start();
    const outcome = await wd.done;
    expect(outcome).toEqual({ outcome: 'gave-up', reason: 'crash-loop' });
    expect(wd.state).toBe('failed');
    expect(runs()).toHaveLength(4);
    expect(events.filter((e) => e.type === 'restart-scheduled').map((e) => (e as { delayMs: number }).delayMs)).toEqual([50, 100, 200]);
    expect(events.at(-1)).toEqual({ type: 'gave-up', reason: 'crash-loop', restarts: 3 });
  });

  it('does not restart a core that rejected its configuration (exit 78)', async () => {
    const { wd, events, runs } = watchdog(['config']);
    wd.start();
    expect(await wd.done).toEqual({ outcome: 'gave-up', reason: 'config' });
    expect(runs()).toHaveLength(1);
    expect(count(events, 'restart-scheduled')).toBe(0);
  });
});

/** A fake child and clock: the back-off sequence, its reset after a stable run, and the window. */
describe('watchdog back-off (fake processes)', () => {
  function fake() {
    let t = 0;
    const children: Array<EventEmitter & { pid: number; kill: (s?: string) => boolean; exitCode: null; signalCode: null }> = [];
    const spawn = () => {
      const c: EventEmitter & { pid: number; kill: (s?: string) => boolean; exitCode: null; signalCode: null } = Object.assign(new EventEmitter(), {
        pid: 1000 + children.length,
        exitCode: null,
        signalCode: null,
        kill: (s?: string) => {
          setImmediate(() => c.emit('exit', null, s ?? 'SIGTERM'));
          return true;
        },
      });
      children.push(c);
      return c as unknown as ChildProcess;
    };
    return { children, spawn, now: () => t, advance: (ms: number) => (t += ms) };
  }

  it('grows exponentially to the maximum and resets after a stable run', async () => {
    const f = fake();
    const delays: number[] = [];
    const wd = new Watchdog({ command: 'x', heartbeatMs: 1000, missedHeartbeats: 3, startupGraceMs: 60_000, backoff: { initialMs: 10, maxMs: 40 }, crashLoop: { maxRestarts: 100, windowMs: 1000 }, stableMs: 10_000, now: f.now, spawn: f.spawn });
    wd.on('event', (e) => e.type === 'restart-scheduled' && delays.push(e.delayMs));
    wd.start();
    const crashAfter = async (uptime: number) => {
      f.advance(uptime);
      f.children.at(-1)!.emit('exit', 1, null);
      await new Promise((r) => setTimeout(r, 80));
    };
    for (let i = 0; i < 4; i++) await crashAfter(100);
    await crashAfter(20_000); // a stable run: the series starts again
    await crashAfter(100);
    expect(f.children).toHaveLength(7);
    expect(delays).toEqual([10, 20, 40, 40, 10, 20]);
    await wd.stop();
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, { initialMs: 1000, maxMs: 30_000 }))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffDelay(3, { initialMs: 500, maxMs: 60_000, factor: 3 })).toBe(4500);
  });

  it('restarts a requested restart (exit 75) at once, outside the crash-loop count', async () => {
    const f = fake();
    const events: WatchdogEvent[] = [];
    const wd = new Watchdog({ command: 'x', heartbeatMs: 1000, missedHeartbeats: 3, startupGraceMs: 60_000, backoff: { initialMs: 5000, maxMs: 5000 }, crashLoop: { maxRestarts: 2, windowMs: 60_000 }, now: f.now, spawn: f.spawn });
    wd.on('event', (e) => events.push(e));
    wd.start();
    for (let i = 0; i < 5; i++) {
      f.advance(10);
      f.children.at(-1)!.emit('exit', 75, null); // five remote restarts in a row
    }
    expect(f.children).toHaveLength(6); // each one started again synchronously: no back-off
    expect(wd.state).toBe('running');
    expect(events.filter((e) => e.type === 'restart-scheduled').map((e) => [(e as { reason: string }).reason, (e as { delayMs: number }).delayMs])).toEqual(Array(5).fill(['requested', 0]));
    // A real crash after them still gets the first back-off step, and the crash-loop budget is intact.
    f.children.at(-1)!.emit('exit', 1, null);
    expect(events.at(-1)).toMatchObject({ type: 'restart-scheduled', reason: 'crash', delayMs: 5000 });
    await wd.stop();
  });

  it('counts restarts within the sliding window only', async () => {
    const f = fake();
    const wd = new Watchdog({ command: 'x', heartbeatMs: 1000, missedHeartbeats: 3, startupGraceMs: 60_000, backoff: { initialMs: 0, maxMs: 0 }, crashLoop: { maxRestarts: 2, windowMs: 1000 }, now: f.now, spawn: f.spawn });
    wd.start();
    for (let i = 0; i < 6; i++) {
      f.advance(600);
      f.children.at(-1)!.emit('exit', 1, null);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(wd.state).toBe('running');
    expect(f.children).toHaveLength(7);
    f.advance(10);
    f.children.at(-1)!.emit('exit', 1, null);
    f.advance(10);
    await new Promise((r) => setTimeout(r, 5));
    f.children.at(-1)!.emit('exit', 1, null);
    expect(await wd.done).toEqual({ outcome: 'gave-up', reason: 'crash-loop' });
  });
});
