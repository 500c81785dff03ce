/**
 * The host simulator as a process of its own: for a kiosk configured with `host.mode: "remote"`, and for scripts
 * that play the customer's phone or the bank's operator. It listens on loopback, prints one JSON line
 * `{"listening":<port>}`, then reads JSON-line commands on stdin and answers one JSON line each, in order:
 *
 *   {"op":"confirmQr","payload":"000201...","cardId":"visa-debit"}  -> {"ok":true,"reference":"...","amount":4000}
 *   {"op":"issueCode","cardId":"visa-debit","amount":2000}           -> {"ok":true,"code":"12345678"}
 *   {"op":"fault","fault":"drop"}   {"op":"latency","ms":200}   {"op":"status","cardId":"mc-debit","status":"blocked"}
 *   {"op":"balance","cardId":"visa-debit"} -> {"ok":true,"balance":246000}    {"op":"stats"}
 *
 * A bad command answers {"ok":false,"error":"..."} and the next line is read. End of input closes the simulator.
 *
 *   node --import tsx main/host-sim/standalone.ts --data <dir> [--port 0] [--packager iso87a|iso87b]
 *        [--framing binary2|ascii4] [--pin-key <hex>] [--latency <ms>]
 *
 * The keys default to the kiosk's simulator keys (config.pinpad.testPinKey's default and kiosk.ts's SIM_PVK).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { TEST_CARDS } from '../../devices/card-reader/test-cards';
import { HOST_FAULTS, type HostFault } from './control';
import { HostSimulator } from './host-simulator';
import type { AccountStatus } from './bank-store';
import type { IssuerKeys } from './pin-check';

/** The kiosk's simulator keys (kept equal to kiosk.ts and the configuration default by a test). */
export const DEFAULT_PIN_KEY = '0123456789ABCDEFFEDCBA9876543210';
export const DEFAULT_SIM_KEYS: Omit<IssuerKeys, 'zpk'> = {
  pvk: Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex'),
  decimalizationTable: '0123456789012345',
};

type Answer = Record<string, unknown> & { ok: boolean };

const STATUSES: readonly AccountStatus[] = ['active', 'lost', 'stolen', 'blocked'];

/** Runs one command against the simulator. Never throws; never answers with a PAN. */
export function runCommand(sim: HostSimulator, line: string): Answer {
  let cmd: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: 'a command is a JSON object' };
    cmd = parsed as Record<string, unknown>;
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const text = (k: string) => (typeof cmd[k] === 'string' ? (cmd[k] as string) : null);
  const int = (k: string) => (Number.isSafeInteger(cmd[k]) ? (cmd[k] as number) : null);
  const cardId = text('cardId');
  switch (cmd.op) {
    case 'confirmQr': {
      const payload = text('payload');
      if (!payload || !cardId) return { ok: false, error: 'confirmQr needs payload and cardId' };
      return sim.confirmQr(payload, cardId);
    }
    case 'issueCode': {
      const amount = int('amount');
      if (!cardId || amount === null) return { ok: false, error: 'issueCode needs cardId and amount (minor units)' };
      try {
        return { ok: true, code: sim.issueOneTimeCode(cardId, amount, int('ttlMs') ?? undefined) };
      } catch (e) {
        return { ok: false, error: e instanceof Error ? e.message : 'failed' };
      }
    }
    case 'fault': {
      const fault = text('fault');
      if (!fault || !HOST_FAULTS.includes(fault as HostFault)) return { ok: false, error: `fault is one of ${HOST_FAULTS.join(', ')}` };
      sim.setFault(fault as HostFault);
      return { ok: true };
    }
    case 'latency': {
      const ms = int('ms');
      if (ms === null || ms < 0) return { ok: false, error: 'latency needs ms >= 0' };
      sim.setLatency(ms);
      return { ok: true };
    }
    case 'status': {
      const status = text('status');
      if (!cardId || !status || !STATUSES.includes(status as AccountStatus)) return { ok: false, error: `status needs cardId and one of ${STATUSES.join(', ')}` };
      return sim.setAccountStatus(cardId, status as AccountStatus) ? { ok: true } : { ok: false, error: 'unknown test card' };
    }
    case 'balance': {
      const card = TEST_CARDS.find((c) => c.id === cardId);
      const balance = card ? sim.bank.balanceOfPan(card.pan) : null;
      return balance === null ? { ok: false, error: 'unknown test card' } : { ok: true, balance };
    }
    case 'stats':
      return { ok: true, ...sim.statistics(), fault: sim.currentFault(), latencyMs: sim.latency() };
    default:
      return { ok: false, error: 'op is one of confirmQr, issueCode, fault, latency, status, balance, stats' };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      port: { type: 'string', default: '0' },
      packager: { type: 'string', default: 'iso87a' },
      framing: { type: 'string', default: 'binary2' },
      'pin-key': { type: 'string', default: DEFAULT_PIN_KEY },
      latency: { type: 'string', default: '0' },
    },
  });
  const fail = (msg: string) => {
    process.stderr.write(`host-sim: ${msg}\n`);
    process.exit(64);
  };
  if (!values.data) return fail('--data <dir> is required');
  if (values.packager !== 'iso87a' && values.packager !== 'iso87b') return fail('--packager is iso87a or iso87b');
  if (values.framing !== 'binary2' && values.framing !== 'ascii4') return fail('--framing is binary2 or ascii4');
  if (!/^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48})$/.test(values['pin-key'])) return fail('--pin-key is 32 or 48 hex digits');
  const port = Number(values.port);
  const latencyMs = Number(values.latency);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail('--port is 0-65535');
  if (!Number.isInteger(latencyMs) || latencyMs < 0) return fail('--latency is a whole number of ms');
  mkdirSync(values.data, { recursive: true });
  const sim = new HostSimulator({
    dbPath: join(values.data, 'host-sim.db'),
    port,
    packager: values.packager,
    framing: { length: values.framing },
    latencyMs,
    keys: { zpk: Buffer.from(values['pin-key'], 'hex'), ...DEFAULT_SIM_KEYS },
    currencyNumeric: '840',
    cardSecret: createHash('sha256').update(`host-sim:standalone:${values.data}`).digest(),
  });
  sim.on('protocolError', (e) => process.stderr.write(`host-sim: ${e.name}: ${e.message}\n`));
  const listening = await sim.listen();
  process.stdout.write(`${JSON.stringify({ listening })}\n`);
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim()) process.stdout.write(`${JSON.stringify(runCommand(sim, line))}\n`);
  }
  await sim.close();
}

if (process.argv[1] && /standalone\.[cm]?[jt]s$/.test(process.argv[1])) {
  main().catch((e: unknown) => {
    process.stderr.write(`host-sim: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
