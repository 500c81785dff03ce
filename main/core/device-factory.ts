/**
 * Opens the real device adapters the configuration asks for (serial ports, HID). Devices left as
 * `simulator` are not returned: the kiosk uses its simulators for them. An adapter that cannot be opened is
 * a clear start-up error naming the device and port.
 */
import { join } from 'node:path';
import type { KioskConfig } from '../config/config';
import type { CardReaderService } from '../../devices/card-reader/types';
import type { DispenserService } from '../../devices/dispenser/types';
import type { PrinterService } from '../../devices/printer/types';
import { openSerialPort, closeSerialPort } from '../../devices/adapters/serial/open-serial-port';
import { EscPosPrinter } from '../../devices/adapters/escpos/escpos-printer';
import { PuloonDispenser } from '../../devices/adapters/puloon/puloon-dispenser';
import { JsonFileCountsStore } from '../../devices/adapters/puloon/counts-store';
import { SankyoCardReader } from '../../devices/adapters/sankyo/sankyo-card-reader';
import { MagtekCardReader } from '../../devices/adapters/magtek/magtek-card-reader';
import { nodeHidFactory, openMagtekDevice } from '../../devices/adapters/magtek/magtek-hid';
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

export async function openHardware(config: KioskConfig, dataDir: string): Promise<HardwareDevices> {
  const ports: SerialPort[] = [];
  const serial = async (device: string, path: string, baudRate: number) => {
    try {
      const p = await openSerialPort({ path, baudRate });
      ports.push(p);
      return p;
    } catch (e) {
      await Promise.all(ports.map((p) => closeSerialPort(p)));
      throw new DeviceOpenError(`devices.${device}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const remotes: Array<{ close(): void }> = [];
  const out: HardwareDevices = {
    close: async () => {
      for (const r of remotes) r.close();
      await Promise.all(ports.map((p) => closeSerialPort(p)));
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
  const d = config.devices;
  if (d.printer.kind === 'xfs4iot') out.printer = await remote('printer', new Xfs4IotPrinter({ uri: d.printer.uri }));
  if (d.dispenser.kind === 'xfs4iot') out.dispenser = await remote('dispenser', new Xfs4IotDispenser({ uri: d.dispenser.uri }));
  if (d.cardReader.kind === 'xfs4iot') out.cardReader = await remote('cardReader', new Xfs4IotCardReader({ uri: d.cardReader.uri }));
  if (d.printer.kind === 'escpos') out.printer = new EscPosPrinter(await serial('printer', d.printer.port, d.printer.baudRate), { width: d.printer.width });
  if (d.dispenser.kind === 'puloon') {
    const c = d.dispenser;
    out.dispenser = new PuloonDispenser(
      await serial('dispenser', c.port, c.baudRate),
      { currency: config.terminal.currency, upper: c.upper, lower: c.lower, rejectCapacity: c.rejectCapacity },
      new JsonFileCountsStore(join(dataDir, 'devices', 'puloon-counts.json')),
    );
  }
  if (d.cardReader.kind === 'sankyo') {
    const reader = new SankyoCardReader(await serial('cardReader', d.cardReader.port, d.cardReader.baudRate), { retainBinCapacity: config.simulator.retainBinCapacity });
    await reader.initialize();
    out.cardReader = reader;
  } else if (d.cardReader.kind === 'magtek') {
    try {
      out.cardReader = new MagtekCardReader(openMagtekDevice(await nodeHidFactory(), { vendorId: d.cardReader.vendorId }));
    } catch (e) {
      await out.close();
      throw new DeviceOpenError(`devices.cardReader: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
