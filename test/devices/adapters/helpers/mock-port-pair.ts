/**
 * Connects an adapter to a device simulator through @serialport/binding-mock: the adapter gets a real
 * `SerialPortMock` (the serialport stream machinery over the mock binding); the simulator gets a Duplex whose
 * writes appear as received data on the port and which receives every byte the port writes.
 */
import { Duplex } from 'node:stream';
import { SerialPortMock } from 'serialport';

export interface MockPortPair {
  host: SerialPortMock;
  device: Duplex;
  close(): Promise<void>;
}

let seq = 0;

export async function openMockPortPair(): Promise<MockPortPair> {
  const path = `/dev/mock-atm-${process.pid}-${++seq}`;
  SerialPortMock.binding.createPort(path, { echo: false, record: false });
  const host = new SerialPortMock({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => host.open((e) => (e ? reject(e) : resolve())));
  const binding = host.port;
  if (!binding) throw new Error('mock binding missing after open');
  const device = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      if (binding.isOpen) binding.emitData(Buffer.from(chunk));
      cb();
    },
  });
  const originalWrite = binding.write.bind(binding);
  binding.write = async (buffer: Buffer) => {
    await originalWrite(buffer);
    device.push(Buffer.from(buffer));
  };
  return {
    host,
    device,
    close: () =>
      new Promise<void>((resolve) => {
        device.destroy();
        if (!host.isOpen) return resolve();
        host.close(() => resolve());
      }),
  };
}
