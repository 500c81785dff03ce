/**
 * The two wirings every serial adapter is tested over: @serialport/binding-mock and a real socat pty pair opened
 * with the real SerialPort class. `vanish()` makes the device disappear mid-command (mock: the port closes under
 * the adapter; socat: the socat process is killed).
 */
import type { Duplex } from 'node:stream';
import { openMockPortPair } from './mock-port-pair';
import { SOCAT, openSocatPair, socatMissingMessage } from './socat-pair';

export interface Wiring {
  host: Duplex;
  device: Duplex;
  vanish(): void;
  close(): Promise<void>;
}

export interface Transport {
  name: string;
  available: boolean;
  skipReason?: string;
  open(): Promise<Wiring>;
}

export const TRANSPORTS: Transport[] = [
  {
    name: 'binding-mock',
    available: true,
    open: async () => {
      const p = await openMockPortPair();
      return { host: p.host, device: p.device, vanish: () => void p.host.close(() => undefined), close: p.close };
    },
  },
  {
    name: 'socat pty pair',
    available: SOCAT !== null,
    skipReason: socatMissingMessage,
    open: async () => {
      const p = await openSocatPair();
      return { host: p.host, device: p.device, vanish: p.kill, close: p.close };
    },
  },
];

for (const t of TRANSPORTS) if (!t.available) console.warn(`[adapters] ${t.name}: ${t.skipReason}`);
