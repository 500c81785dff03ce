/**
 * Test support: a private pcscd with vsmartcard's vpcd driver, started in the foreground for the test and
 * stopped after it (it can also be stopped and restarted, for service loss). It listens on its own socket
 * (systemd-style socket activation: a small python3 wrapper binds the socket as fd 3 and execs pcscd with
 * LISTEN_FDS / LISTEN_PID), and libpcsclite is pointed at it with PCSCLITE_CSOCK_NAME, so it neither needs nor
 * disturbs a system pcscd or a concurrent test run. Its reader.conf.d holds one vpcd reader on free ports.
 * pcscd runs without APDU logging (-a): nothing card-related is printed. (pcscd 1.9 still writes and removes
 * /run/pcscd/pcscd.pid; the system socket is left alone.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSmartcardBinding } from '../../../../../devices/adapters/pcsc/pcsc-binding';

export const PCSCD = ['/usr/sbin/pcscd', '/usr/bin/pcscd', '/sbin/pcscd', '/usr/local/sbin/pcscd'].find((p) => existsSync(p)) ?? null;
export const VPCD_DRIVER =
  ['/usr/lib/pcsc/drivers/serial/libifdvpcd.so', '/usr/lib/x86_64-linux-gnu/pcsc/drivers/serial/libifdvpcd.so', '/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so'].find((p) => existsSync(p)) ?? null;
const TEST_READER = 'ATM Test PCD';

/** Why the pcscd tests cannot run here, or null. */
export async function pcscSkipReason(): Promise<string | null> {
  if (process.platform !== 'linux') return 'PC/SC round-trip tests need Linux (pcscd + vpcd)';
  if (!PCSCD) return 'pcscd not installed: PC/SC round-trip tests skipped (apt-get install pcscd)';
  if (!VPCD_DRIVER) return 'vsmartcard vpcd driver not installed: PC/SC round-trip tests skipped (apt-get install vsmartcard-vpcd)';
  if (spawnSync('python3', ['-c', 'import socket'], { stdio: 'ignore' }).status !== 0) return 'python3 not found (it binds pcscd\'s private socket): PC/SC round-trip tests skipped';
  try {
    await loadSmartcardBinding();
  } catch (e) {
    return `${(e as Error).message} PC/SC round-trip tests skipped.`;
  }
  return null;
}

/** Two consecutive free TCP ports (vpcd opens one per slot), from a random start to keep concurrent runs apart. */
async function freePortPair(): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
    });
  const start = 36000 + 2 * Math.floor(Math.random() * 2000);
  for (let i = 0; i < 200; i++) {
    const port = start + 2 * i;
    if ((await tryPort(port)) && (await tryPort(port + 1))) return port;
  }
  throw new Error('no free port pair for vpcd');
}

/** Binds a unix socket as fd 3 and execs pcscd with it (sd_listen_fds), so pcscd serves that path. */
const SOCKET_ACTIVATE = `import os, socket, sys
path = sys.argv[1]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, 0o666)
s.listen(64)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ['LISTEN_FDS'] = '1'
os.environ['LISTEN_PID'] = str(os.getpid())
os.execv(sys.argv[2], sys.argv[2:])
`;

export interface TestPcscd {
  /** vpcd port of the reader's first slot (the virtual card connects here). */
  port: number;
  /** PC/SC name of that slot. */
  reader: string;
  /** The private socket; PCSCLITE_CSOCK_NAME must name it before the first PC/SC context of the process. */
  socket: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops pcscd and removes its directory. */
  dispose(): Promise<void>;
}

export async function startTestPcscd(): Promise<TestPcscd> {
  const dir = mkdtempSync(join(tmpdir(), 'atm-pcscd-'));
  const conf = join(dir, 'reader.conf.d');
  const socket = join(dir, 'pcscd.comm');
  const port = await freePortPair();
  mkdirSync(conf);
  writeFileSync(join(conf, 'vpcd'), `FRIENDLYNAME "${TEST_READER}"\nDEVICENAME /dev/null:${port}\nLIBPATH ${VPCD_DRIVER}\nCHANNELID ${port}\n`);
  let proc: ChildProcess | null = null;
  let output = '';

  const start = () =>
    new Promise<void>((resolve, reject) => {
      output = '';
      // ATM_PCSCD_LOG=<file>: pcscd's debug log (no APDUs: never -a) for diagnosing these tests.
      const logFile = process.env.ATM_PCSCD_LOG;
      // --auto-exit: a pcscd orphaned by a killed test process quits after 60 s without clients.
      const p = spawn('python3', ['-c', SOCKET_ACTIVATE, socket, PCSCD!, '--foreground', '--auto-exit', logFile ? '--debug' : '--info', '--config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      const timer = setTimeout(() => fail(new Error(`pcscd did not get ready in 10 s: ${output.slice(-2000)}`)), 10_000);
      const fail = (e: Error) => {
        clearTimeout(timer);
        p.kill('SIGKILL');
        reject(e);
      };
      const onOutput = (d: Buffer) => {
        output += d.toString();
        if (logFile) appendFileSync(logFile, d);
        if (/daemon ready/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      p.stdout!.on('data', onOutput);
      p.stderr!.on('data', onOutput);
      p.once('error', fail);
      p.once('exit', (code, signal) => fail(new Error(`pcscd exited (${code ?? signal}) before it was ready: ${output.slice(-2000)}`)));
    });

  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGTERM');
    const killer = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };

  try {
    await start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    reader: `${TEST_READER} 00 00`,
    socket,
    stop,
    start,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
