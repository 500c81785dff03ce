/**
 * Opens a real serial port (or a pty from socat) with the serialport package and resolves once it is open.
 * Adapters take the opened stream, so tests can hand them any Duplex instead.
 */
import { SerialPort } from 'serialport';

export interface SerialSettings {
  path: string;
  baudRate: number;
  dataBits?: 8 | 7;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
}

export function openSerialPort(settings: SerialSettings): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort(
      { path: settings.path, baudRate: settings.baudRate, dataBits: settings.dataBits ?? 8, parity: settings.parity ?? 'none', stopBits: settings.stopBits ?? 1, autoOpen: false },
    );
    port.open((err) => (err ? reject(new Error(`cannot open ${settings.path}: ${err.message}`)) : resolve(port)));
  });
}

/** Closes a port, ignoring "already closed". */
export function closeSerialPort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  });
}
