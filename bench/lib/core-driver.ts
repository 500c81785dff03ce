/**
 * Drives the whole kiosk core for the benchmarks with the same composition as the tests
 * (test/support/kiosk-harness.ts): startKiosk with simulated devices at zero mechanical delay, the embedded
 * ISO 8583 host simulator on loopback TCP, the SQLite journal; the customer acts through simulator commands.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Kiosk } from '../../main/core/kiosk';
import { card, select, sim, startTestKiosk, typePin, waitForScreen } from '../../test/support/kiosk-harness';

export type BenchKiosk = Kiosk & { dataDir: string };

/** Cassettes big enough for any run (the simulator's capacity is configuration, not a hardware limit). */
const NOTES = 10_000_000;

export async function startBenchKiosk(dataDir: string): Promise<BenchKiosk> {
  const k = await startTestKiosk(
    { simulator: { cassettes: [{ id: 'CST1', denomination: 2000, count: NOTES, capacity: NOTES, lowThreshold: 50 }] } },
    { messageMs: 0, screenTimeoutMs: 60_000, cardTakeMs: 60_000, cashTakeMs: 60_000 },
    dataDir,
  );
  await waitForScreen(k, 'welcome', 15_000);
  fundAccounts(k);
  return k;
}

/**
 * The embedded host's test accounts start with a few thousand and a 1000.00 daily limit: far too little for a
 * benchmark. Raise both in the host simulator's own database (a second SQLite connection; the simulator
 * reads the account on every request). Only the benchmark does this, only on its temporary data dir.
 */
export function fundAccounts(k: BenchKiosk): void {
  const db = new Database(join(k.dataDir, 'host-sim.db'));
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('UPDATE accounts SET balance = ?, daily_limit = ?').run(100_000_000_000, 100_000_000_000);
  } finally {
    db.close();
  }
}

const visa = card('visa-debit');

/** One cash withdrawal of 20.00 without a receipt, from welcome back to welcome. */
export async function withdraw(k: BenchKiosk): Promise<void> {
  sim(k, { type: 'insertCard', cardId: visa.id });
  await waitForScreen(k, 'enterPin');
  typePin(k, visa.pin);
  await waitForScreen(k, 'menu');
  select(k, 'withdrawal');
  await waitForScreen(k, 'amount');
  select(k, 'fast:2000');
  await waitForScreen(k, 'receiptQuestion');
  select(k, 'receiptNo');
  await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.cashFollows');
  sim(k, { type: 'takeCard' });
  await waitForScreen(k, 'takeCash');
  sim(k, { type: 'takeCash' });
  await waitForScreen(k, 'welcome');
}
