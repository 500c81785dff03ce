/**
 * Opens the real device adapters the configuration asks for (serial ports, HID). Devices left as
 * `simulator` are not returned: the kiosk uses its simulators for them. Serial and HID devices reconnect on
 * their own (main/core/reconnecting-device.ts): one that is missing at start-up or unplugged later reports
 * `offline` with the device and port named, answers commands with deviceNotReady, and comes back when it
 * reappears. A remote XFS4IoT service that cannot be reached is a start-up error.
 */
import { join } from 'node:path';
import type { KioskConfig } from '../config/config';
import type { CardReaderCapabilities, CardReaderService, CardReaderStatus } from '../../devices/card-reader/types';
import type { DispenserService, DispenserStatus } from '../../devices/dispenser/types';
import type { PrinterService, PrinterStatus } from '../../devices/printer/types';
import type { CommonStatus } from '../../devices/common/types';
import type { Backoff } from '../ops/reconnect';
import { reconnectingDevice, type ReconnectingDevice, type ReconnectingDeviceOptions } from './reconnecting-device';
import { openSerialPort, closeSerialPort } from '../../devices/adapters/serial/open-serial-port';
import { EscPosPrinter } from '../../devices/adapters/escpos/escpos-printer';
import { PuloonDispenser } from '../../devices/adapters/puloon/puloon-dispenser';
import { JsonFileCountsStore } from '../../devices/adapters/puloon/counts-store';
import { SankyoCardReader } from '../../devices/adapters/sankyo/sankyo-card-reader';
import { MagtekCardReader } from '../../devices/adapters/magtek/magtek-card-reader';
import { nodeHidFactory, openMagtekDevice, type HidDeviceLike } from '../../devices/adapters/magtek/magtek-hid';
import { PcscCardReader } from '../../devices/adapters/pcsc/pcsc-card-reader';
import { StripeChipCardReader } from '../../devices/adapters/pcsc/stripe-chip-card-reader';
import type { SerialPort } from 'serialport';
import { Xfs4IotCardReader, Xfs4IotDispenser, Xfs4IotPrinter } from '../../devices/xfs4iot/client';

export interface HardwareDevices {
  cardReader?: CardReaderService;
  dispenser?: DispenserService;
  printer?: PrinterService;
  close(): Promise<void>;
}

export class DeviceOpenError extends Error {
  override name = 'DeviceOpenError';
}

export interface OpenHardwareOptions {
  /** How long start-up waits for a serial/HID device before going on without it (it keeps reconnecting). */
  startupWaitMs?: number;
  /** Reconnection back-off (tests shorten it). */
  backoff?: Backoff;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
  /** Device went away / came back (the kiosk journals it). */
  onDeviceChange?(device: string, online: boolean, detail: string): void;
}

const serialWatch = (port: SerialPort, lost: (cause?: Error) => void) => {
  const onClose = () => lost(new Error('serial port closed'));
  const onError = (e: Error) => lost(e);
  port.on('close', onClose);
  port.on('error', onError);
  return () => {
    port.off('close', onClose);
    port.off('error', onError);
  };
};

export async function openHardware(config: KioskConfig, dataDir: string, opts: OpenHardwareOptions = {}): Promise<HardwareDevices> {
  const links: Array<ReconnectingDevice<unknown>> = [];
  const remotes: Array<{ close(): void }> = [];
  const out: HardwareDevices = {
    close: async () => {
      for (const r of remotes) r.close();
      await Promise.all(links.map((l) => l.stop()));
    },
  };
  // An external XFS4IoT service provider serving as the device.
  const remote = async <T extends { start(): Promise<boolean>; close(): void }>(device: string, client: T): Promise<T> => {
    remotes.push(client);
    if (!(await client.start())) {
      await out.close();
      throw new DeviceOpenError(`devices.${device}: XFS4IoT service not reachable`);
    }
    return client;
  };
  // A serial or HID device: opened, rebuilt and re-initialised after every loss (USB unplugged, port gone).
  const reconnecting = <S extends object, St extends CommonStatus, H>(device: string, o: Omit<ReconnectingDeviceOptions<S, St, H>, 'name' | 'backoff' | 'log' | 'onChange'>): S => {
    const link = reconnectingDevice<S, St, H>({
      ...o,
      name: device,
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      onChange: (online, detail) => opts.onDeviceChange?.(device, online, detail),
    });
    links.push(link as ReconnectingDevice<unknown>);
    return link.service;
  };
  /** Open/close/watch of a serial port at a fixed path (open errors name the device and the port). */
  const serialLink = (device: string, path: string, baudRate: number) => ({
    open: async () => {
      try {
        return await openSerialPort({ path, baudRate });
      } catch (e) {
        throw new DeviceOpenError(`devices.${device}: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    close: closeSerialPort,
    watch: serialWatch,
  });
  const d = config.devices;
  if (d.printer.kind === 'xfs4iot') out.printer = await remote('printer', new Xfs4IotPrinter({ uri: d.printer.uri }));
  if (d.dispenser.kind === 'xfs4iot') out.dispenser = await remote('dispenser', new Xfs4IotDispenser({ uri: d.dispenser.uri }));
  if (d.cardReader.kind === 'xfs4iot') out.cardReader = await remote('cardReader', new Xfs4IotCardReader({ uri: d.cardReader.uri }));
  if (d.printer.kind === 'escpos') {
    const c = d.printer;
    out.printer = reconnecting<PrinterService, PrinterStatus, SerialPort>('printer', {
      ...serialLink('printer', c.port, c.baudRate),
      make: async (port) => {
        const p = new EscPosPrinter(port, { width: c.width });
        const r = await p.refreshStatus();
        if (r.completionCode !== 'success') throw new DeviceOpenError(`devices.printer: no answer on ${c.port}`);
        return p;
      },
      events: ['mediaPresented', 'mediaTaken', 'statusChanged'],
      initialStatus: { device: 'starting', paper: 'full', media: 'notPresent' },
    });
  }
  if (d.dispenser.kind === 'puloon') {
    const c = d.dispenser;
    const counts = new JsonFileCountsStore(join(dataDir, 'devices', 'puloon-counts.json'));
    out.dispenser = reconnecting<DispenserService, DispenserStatus, SerialPort>('dispenser', {
      ...serialLink('dispenser', c.port, c.baudRate),
      make: async (port) => new PuloonDispenser(port, { currency: config.terminal.currency, upper: c.upper, lower: c.lower, rejectCapacity: c.rejectCapacity }, counts),
      events: ['itemsPresented', 'itemsTaken', 'incompleteDispense', 'statusChanged', 'cashUnitThreshold'],
      initialStatus: { device: 'starting', intermediateStacker: 'empty', outputPosition: 'empty', shutter: 'closed', exchangeActive: false },
      // Counts are the persisted ones (the same file the adapter writes), so operators still see them.
      offline: { cashUnits: (last) => last?.cashUnits() ?? [] },
    });
  }
  if (d.cardReader.kind === 'sankyo') {
    const c = d.cardReader;
    out.cardReader = reconnecting<CardReaderService, CardReaderStatus, SerialPort>('cardReader', {
      ...serialLink('cardReader', c.port, c.baudRate),
      make: async (port) => {
        const reader = new SankyoCardReader(port, { retainBinCapacity: config.simulator.retainBinCapacity });
        await reader.initialize();
        return reader;
      },
      events: ['mediaInserted', 'mediaRemoved', 'cardAction', 'statusChanged'],
      initialStatus: { device: 'starting', media: 'notPresent', retainBin: { count: 0, capacity: config.simulator.retainBinCapacity, state: 'ok' } },
      offline: { capabilities: (last): CardReaderCapabilities => last?.capabilities() ?? { type: 'motor', readTracks: ['track1', 'track2', 'track3'], chip: true, retainCapable: true }, cancel: () => undefined },
    });
  } else if (d.cardReader.kind === 'magtek') {
    const c = d.cardReader;
    const stripe = reconnecting<CardReaderService, CardReaderStatus, HidDeviceLike>('cardReader', {
      open: async () => {
        try {
          return openMagtekDevice(await nodeHidFactory(), { vendorId: c.vendorId, ...(c.productIds ? { productIds: c.productIds } : {}) });
        } catch (e) {
          throw new DeviceOpenError(`devices.cardReader: ${e instanceof Error ? e.message : String(e)}`);
        }
      },
      close: (hid) => hid.close(),
      watch: (hid, lost) => void hid.on('error', (e) => lost(e)),
      make: async (hid) => new MagtekCardReader(hid),
      events: ['mediaInserted', 'mediaRemoved', 'cardAction', 'statusChanged'],
      initialStatus: { device: 'starting', media: 'notPresent', retainBin: { count: 0, capacity: 0, state: 'ok' } },
      offline: { capabilities: (last): CardReaderCapabilities => last?.capabilities() ?? { type: 'swipe', readTracks: ['track1', 'track2', 'track3'], chip: false, retainCapable: false }, cancel: () => undefined },
    });
    out.cardReader = stripe;
    if (c.chip) {
      // Chip contacts on a PC/SC reader: it follows pcscd and its readers itself (a missing pcscd is retried).
      const chip = new PcscCardReader({ ...(c.chip.reader ? { reader: c.chip.reader } : {}), retryAtStart: true });
      try {
        await chip.open();
      } catch (e) {
        await out.close();
        throw new DeviceOpenError(`devices.cardReader.chip: ${e instanceof Error ? e.message : String(e)}`);
      }
      remotes.push(chip);
      let online = true; // report a chip reader that is not there at start, then every change
      const report = (st: CardReaderStatus) => {
        if (online === (st.device === 'online')) return;
        online = st.device === 'online';
        opts.onDeviceChange?.('cardReader.chip', online, st.detail ?? st.device);
      };
      chip.events.on('statusChanged', report);
      report(chip.status());
      out.cardReader = new StripeChipCardReader(stripe, chip, { chipSettleMs: c.chip.settleMs });
    }
  }
  // Give the devices a moment to come up so the first customer does not meet a "starting" device; a device
  // that is still away is reported (status, journal) and keeps being retried.
  const wait = opts.startupWaitMs ?? 5000;
  await Promise.all(links.map((l) => l.waitOnline(wait)));
  return out;
}
