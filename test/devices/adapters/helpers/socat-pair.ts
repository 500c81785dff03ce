/**
 * A real pty pair from `socat -d -d pty,raw,echo=0 pty,raw,echo=0`, both ends opened with the real `SerialPort`
 * class (bindings-cpp). The adapter gets one end, the device simulator the other. `kill()` makes the device
 * vanish mid-command (the pty master goes away under the open port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import { closeSerialPort, openSerialPort } from '../../../../devices/adapters/serial/open-serial-port';

export const SOCAT = ['/usr/bin/socat', '/usr/local/bin/socat', '/bin/socat'].find((p) => existsSync(p)) ?? null;
export const socatMissingMessage = 'socat not installed: pty-pair tests skipped (apt-get install socat)';

export interface SocatPair {
  host: SerialPort;
  device: SerialPort;
  kill(): void;
  close(): Promise<void>;
}

function spawnSocat(): Promise<{ proc: ChildProcess; paths: [string, string] }> {
  if (!SOCAT) throw new Error(socatMissingMessage);
  const proc = spawn(SOCAT, ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`socat did not report its ptys: ${text}`));
    }, 5000);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      const paths = [...text.matchAll(/PTY is (\/dev\/\S+)/g)].map((m) => m[1]!);
      if (paths.length >= 2 && /starting data transfer loop/.test(text)) {
        clearTimeout(timer);
        resolve({ proc, paths: [paths[0]!, paths[1]!] });
      }
    });
  });
}

export async function openSocatPair(): Promise<SocatPair> {
  const { proc, paths } = await spawnSocat();
  const host = await openSerialPort({ path: paths[0], baudRate: 9600 });
  const device = await openSerialPort({ path: paths[1], baudRate: 9600 });
  // Errors after a kill are expected (EIO); the adapter under test listens on host itself.
  device.on('error', () => undefined);
  let alive = true;
  proc.on('exit', () => (alive = false));
  return {
    host,
    device,
    kill: () => {
      if (alive) proc.kill('SIGKILL');
    },
    close: async () => {
      await closeSerialPort(device);
      await closeSerialPort(host);
      if (alive) proc.kill('SIGTERM');
    },
  };
}
