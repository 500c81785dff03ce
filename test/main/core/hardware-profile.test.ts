/**
 * The kiosk on its "hardware" profile: the real ESC/POS printer and Puloon dispenser adapters open real
 * serial ports (socat pty pairs) with the protocol-level device simulators on the other end, and a full
 * withdrawal runs through them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../main/config/config';
import { startKiosk } from '../../../main/core/kiosk';
import { openSerialPort, closeSerialPort } from '../../../devices/adapters/serial/open-serial-port';
import { EscPosDeviceSim } from '../../../devices/adapters/escpos/escpos-device-sim';
import { PuloonDeviceSim } from '../../../devices/adapters/puloon/puloon-device-sim';
import type { SerialPort } from 'serialport';
import type { Kiosk } from '../../../main/core/kiosk';
import { card, select, sim, startTestKiosk, typePin, waitForScreen } from '../../support/kiosk-harness';

const SOCAT = ['/usr/bin/socat', '/usr/local/bin/socat'].find((p) => existsSync(p));
if (!SOCAT) console.warn('SKIP hardware-profile test: socat not installed (apt-get install socat)');

const procs: ChildProcess[] = [];
const ports: SerialPort[] = [];
let kiosk: Kiosk | null = null;
afterAll(async () => {
  await kiosk?.stop();
  await Promise.all(ports.map((p) => closeSerialPort(p)));
  for (const p of procs) p.kill('SIGKILL');
});

/** A socat pty pair; `link` puts the first end at a fixed path (like /dev/serial/by-id/... of a USB adapter). */
function ptyPair(link?: string): Promise<[string, string]> {
  return ptyPairProc(link).then((p) => p.paths);
}

function ptyPairProc(link?: string): Promise<{ proc: ChildProcess; paths: [string, string] }> {
  const proc = spawn(SOCAT!, ['-d', '-d', link ? `pty,raw,echo=0,link=${link}` : 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.push(proc);
  return new Promise((resolve, reject) => {
    let text = '';
    const t = setTimeout(() => reject(new Error(`socat: ${text}`)), 5000);
    proc.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      const paths = [...text.matchAll(/PTY is (\/dev\/\S+)/g)].map((m) => m[1]!);
      if (paths.length >= 2 && /starting data transfer loop/.test(text)) {
        clearTimeout(t);
        resolve({ proc, paths: [paths[0]!, paths[1]!] });
      }
    });
  });
}

describe.skipIf(!SOCAT)('hardware profile over serial ports', () => {
  it('withdraws cash from a Puloon dispenser and prints on an ESC/POS printer', async () => {
    const [printerHost, printerDev] = await ptyPair();
    const [dispHost, dispDev] = await ptyPair();
    const pDev = await openSerialPort({ path: printerDev, baudRate: 19200 });
    const dDev = await openSerialPort({ path: dispDev, baudRate: 9600 });
    ports.push(pDev, dDev);
    const printer = new EscPosDeviceSim(pDev, { paperLines: 500 });
    const dispenser = new PuloonDeviceSim(dDev, { upper: 300, lower: 300 });
    kiosk = await startTestKiosk(
      {
        terminal: { fastCash: [2000, 4000] },
        devices: {
          printer: { kind: 'escpos', port: printerHost, baudRate: 19200 },
          dispenser: { kind: 'puloon', port: dispHost, baudRate: 9600, upper: { denomination: 2000, initialCount: 300 }, lower: { denomination: 5000, initialCount: 300 } },
        },
      },
      { cardTakeMs: 30_000, cashTakeMs: 30_000 },
    );
    const k = kiosk;
    const c = card('mc-debit');
    await waitForScreen(k, 'welcome', 10_000);
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'fast:4000');
    await waitForScreen(k, 'receiptQuestion', 10_000);
    select(k, 'receiptYes');
    await waitForScreen(k, 'takeCard', 15_000, (m) => m.message === 'msg.cashFollows');
    while (k.sims.cardReader.cardInReader()?.position !== 'gate') await new Promise((r) => setTimeout(r, 10));
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'takeCash', 15_000);
    // The Puloon delivers the notes straight to the exit; the customer takes them from the device.
    await new Promise((r) => setTimeout(r, 300));
    expect(dispenser.takeNotes()).toBe(2);
    await waitForScreen(k, 'takeReceipt', 20_000).catch(() => waitForScreen(k, 'goodbye', 20_000));
    expect(printer.receipts.length).toBe(1);
    const text = printer.receipts[0]!.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
    expect(text).toContain('40.00');
    expect(text).not.toContain(c.pan);
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance - 4000);
    expect(k.devices.dispenser.cashUnits().find((u) => u.id === 'UPPER')).toMatchObject({ count: 298 });
    expect(k.journal.query({ kind: 'kiosk.start' })[0]!.data).toMatchObject({ devices: { dispenser: 'puloon', printer: 'escpos', cardReader: 'simulator' } });
  }, 60_000);

  it('starts with a missing serial device offline, naming the device and port, and keeps trying', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atm-hw-'));
    const config = parseConfig({ simulator: { timeScale: 0 }, host: { latencyMs: 0 }, ui: { openBrowser: false }, devices: { printer: { kind: 'escpos', port: '/dev/does-not-exist' } } });
    const k = await startKiosk({ config, dataDir: dir, hardware: { startupWaitMs: 100, backoff: { initialMs: 50, maxMs: 100 } } });
    try {
      const st = k.devices.printer.status();
      expect(st.device).toBe('offline');
      expect(st.detail).toMatch(/devices\.printer: cannot open \/dev\/does-not-exist/);
      const r = await k.devices.printer.printRaw({ lines: ['x'] });
      expect(r).toMatchObject({ completionCode: 'deviceNotReady' });
      expect(k.journal.query({ kind: 'device.offline' }).map((e) => e.data)).toEqual([{ device: 'printer', detail: expect.stringContaining('/dev/does-not-exist') }]);
    } finally {
      await k.stop();
    }
  });

  it('an ESC/POS printer unplugged mid-service goes offline and comes back at the same port on its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atm-hw-'));
    const portPath = join(dir, 'ttyPRINTER');
    // socat creates the host side as a symlink at a fixed path, like /dev/serial/by-id/... for a USB adapter.
    const plug = async () => {
      const { proc, paths } = await ptyPairProc(portPath);
      const devicePath = paths[1];
      const dev = await openSerialPort({ path: devicePath, baudRate: 19200 });
      dev.on('error', () => undefined);
      ports.push(dev);
      return { proc, sim: new EscPosDeviceSim(dev, { paperLines: 500 }) };
    };
    let unit = await plug();
    const config = parseConfig({ simulator: { timeScale: 0 }, host: { latencyMs: 0 }, ui: { openBrowser: false }, devices: { printer: { kind: 'escpos', port: portPath, baudRate: 19200 } } });
    const k = await startKiosk({ config, dataDir: join(dir, 'data'), hardware: { startupWaitMs: 5000, backoff: { initialMs: 50, maxMs: 200 } } });
    try {
      expect(k.devices.printer.status().device).toBe('online');
      const states: string[] = [];
      k.devices.printer.events.on('statusChanged', (s) => states.push(s.device));
      const seen = (device: string) => new Promise<void>((resolve) => {
        if (k.devices.printer.status().device === device) return resolve();
        const off = k.devices.printer.events.on('statusChanged', (s) => s.device === device && (off(), resolve()));
      });

      const wentOffline = seen('offline');
      unit.proc.kill('SIGKILL'); // the USB-serial adapter is pulled
      await wentOffline;
      expect(await k.devices.printer.printRaw({ lines: ['lost'] })).toMatchObject({ completionCode: 'deviceNotReady' });

      const cameBack = seen('online');
      unit = await plug(); // plugged back in: same path, a new pty underneath
      await cameBack;
      const r = await k.devices.printer.printRaw({ lines: ['after replug'] });
      expect(r.completionCode).toBe('success');
      expect(unit.sim.receipts.at(-1)!.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')).toContain('after replug');
      expect(states).toContain('offline');
      expect(k.journal.query({ kind: 'device.offline' }).length).toBeGreaterThanOrEqual(1);
      expect(k.journal.query({ kind: 'device.online' }).length).toBeGreaterThanOrEqual(2);
    } finally {
      await k.stop();
    }
  }, 30_000);
});
