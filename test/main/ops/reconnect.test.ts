/**
 * Reconnector: back-off, online/offline transitions, manual loss, stop; and a real serial port over a socat pty
 * pair that disappears (socat killed, like a USB-serial adapter unplugged) and comes back at the same path.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventEmitter } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reconnector, watchEvents } from '../../../main/ops/reconnect';
import { closeSerialPort, openSerialPort } from '../../../devices/adapters/serial/open-serial-port';

afterEach(() => vi.useRealTimers());

class FakeDevice extends EventEmitter {
  closed = false;
  close() {
    this.closed = true;
  }
}

describe('Reconnector', () => {
  it('retries open with exponential back-off, then reports online', async () => {
    vi.useFakeTimers();
    let failures = 3;
    const opened: FakeDevice[] = [];
    const link = new Reconnector({
      name: 'printer',
      open: async () => {
        if (failures-- > 0) throw new Error('ENOENT');
        const d = new FakeDevice();
        opened.push(d);
        return d;
      },
      watch: watchEvents(),
      backoff: { initialMs: 100, maxMs: 250 },
    });
    const events: string[] = [];
    link.on('online', () => events.push('online'));
    link.on('attemptFailed', (_e, n) => events.push(`fail${n}`));
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['fail1']);
    await vi.advanceTimersByTimeAsync(99);
    expect(events).toEqual(['fail1']);
    await vi.advanceTimersByTimeAsync(1);
    expect(events).toEqual(['fail1', 'fail2']);
    await vi.advanceTimersByTimeAsync(200);
    expect(events).toEqual(['fail1', 'fail2', 'fail3']);
    await vi.advanceTimersByTimeAsync(250);
    expect(events).toEqual(['fail1', 'fail2', 'fail3', 'online']);
    expect(link.online).toBe(true);
    expect([1, 2, 3, 4].map((n) => link.delay(n))).toEqual([100, 200, 250, 250]);
    await link.stop();
    expect(opened[0]!.closed).toBe(false); // no close function given
  });

  it('goes offline on a close/error event or lost(), closes the old handle, reconnects', async () => {
    vi.useFakeTimers();
    const opened: FakeDevice[] = [];
    const link = new Reconnector({
      name: 'reader',
      open: async () => {
        const d = new FakeDevice();
        opened.push(d);
        return d;
      },
      close: (d) => d.close(),
      watch: watchEvents(['close', 'error']),
      backoff: { initialMs: 50, maxMs: 1000 },
    });
    const events: string[] = [];
    link.on('online', () => events.push('online'));
    link.on('offline', (e) => events.push(`offline:${e?.message ?? ''}`));
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    opened[0]!.emit('error', new Error('EIO'));
    opened[0]!.emit('close'); // a second signal of the same loss is ignored
    expect(opened[0]!.closed).toBe(true);
    expect(opened[0]!.listenerCount('close')).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    link.lost(new Error('status poll timed out'));
    await vi.advanceTimersByTimeAsync(50);
    expect(events).toEqual(['online', 'offline:EIO', 'online', 'offline:status poll timed out', 'online']);
    await link.stop();
    expect(opened.map((d) => d.closed)).toEqual([true, true, true]);
    expect(link.state).toBe('stopped');
  });

  it('stop() while waiting cancels the retry', async () => {
    vi.useFakeTimers();
    let opens = 0;
    const link = new Reconnector({ name: 'x', open: async () => { opens++; throw new Error('no'); }, backoff: { initialMs: 100, maxMs: 100 } });
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    await link.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(opens).toBe(1);
    expect(await link.waitOnline(10)).toBeNull();
  });
});

const SOCAT = ['/usr/bin/socat', '/usr/local/bin/socat'].find((p) => existsSync(p));
if (!SOCAT) console.warn('SKIP serial reconnect test: socat not installed (apt-get install socat)');

describe.skipIf(!SOCAT)('Reconnector over a real serial port', () => {
  const procs: ChildProcess[] = [];
  afterEach(() => {
    for (const p of procs.splice(0)) p.kill('SIGKILL');
  });

  it('notices the port disappear and reopens it when it comes back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atm-serial-'));
    const plugIn = () => {
      const p = spawn(SOCAT!, [`pty,raw,echo=0,link=${join(dir, 'tty-device')}`, `pty,raw,echo=0,link=${join(dir, 'tty-other')}`], { stdio: 'ignore' });
      procs.push(p);
      return p;
    };
    const link = new Reconnector({
      name: 'dispenser',
      open: async () => {
        const port = await openSerialPort({ path: join(dir, 'tty-device'), baudRate: 9600 });
        port.on('data', () => {}); // a reading port notices the other end vanish
        return port;
      },
      close: closeSerialPort,
      watch: watchEvents(['close', 'error']),
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const events: string[] = [];
    link.on('online', () => events.push('online'));
    link.on('offline', () => events.push('offline'));
    link.start();
    const first = plugIn();
    const port = await link.waitOnline(5000);
    expect(port).not.toBeNull();
    const offline = new Promise((r) => link.once('offline', r));
    first.kill('SIGKILL'); // unplugged
    await new Promise((r) => first.once('exit', r));
    // The adapter's next status poll writes to the port: the write fails (EIO) and the port emits 'error'.
    port!.write(Buffer.from([0x10, 0x04, 0x01]));
    await offline;
    expect(link.online).toBe(false);
    plugIn();
    expect(await link.waitOnline(5000)).not.toBeNull();
    expect(events).toEqual(['online', 'offline', 'online']);
    await link.stop();
  });
});
