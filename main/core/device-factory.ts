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
  const out: HardwareDevices = { close: async () => void (await Promise.all(ports.map((p) => closeSerialPort(p)))) };
  const d = config.devices;
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
