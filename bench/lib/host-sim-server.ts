/**
 * Child process for the host simulator capacity benchmark: runs the embedded HostSimulator (public API only:
 * constructor, listen, close) on loopback, prints "PORT <n>", and closes on SIGTERM or when stdin ends.
 * Usage: node --import tsx bench/lib/host-sim-server.ts <dataDir>
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { HostSimulator } from '../../main/host-sim/host-simulator';
import { SIM_DECIMALIZATION, SIM_PVK } from '../../main/core/kiosk';

export const BENCH_ZPK = '0123456789ABCDEFFEDCBA9876543210';

const dir = process.argv[2];
if (!dir) throw new Error('usage: host-sim-server.ts <dataDir>');
const dbPath = join(dir, 'host-sim.db');
const sim = new HostSimulator({
  dbPath,
  packager: 'iso87a',
  framing: { length: 'binary2' },
  latencyMs: 0,
  keys: { zpk: Buffer.from(BENCH_ZPK, 'hex'), pvk: SIM_PVK, decimalizationTable: SIM_DECIMALIZATION },
  currencyNumeric: '840',
  cardSecret: createHash('sha256').update('host-sim:bench').digest(),
});
// Benchmark accounts: no balance or daily limit in the way (second connection on the simulator's own DB).
const db = new Database(dbPath);
db.pragma('busy_timeout = 5000');
db.prepare('UPDATE accounts SET balance = ?, daily_limit = ?').run(100_000_000_000, 100_000_000_000);
db.close();

const port = await sim.listen();
process.stdout.write(`PORT ${port}\n`);
let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await sim.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
