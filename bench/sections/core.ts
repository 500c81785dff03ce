/**
 * Withdrawals per second through the whole core, in one process: the XState machine, simulated devices with
 * zero mechanical delay, the embedded host simulator over loopback TCP (real ISO 8583 codec and framing),
 * the hash-chained SQLite journal (WAL, synchronous=FULL). One customer at a time, as at a real ATM; each
 * withdrawal is 20.00 without a receipt, card and cash taken at once. CPU time per transaction is
 * process.cpuUsage() (user + system) over the batch divided by the count: it includes the embedded host.
 */
import { startBenchKiosk, withdraw } from '../lib/core-driver';
import { withTempDir } from '../lib/tempdir';
import { metricOf, pick, type SectionRun } from '../lib/types';

export const run: SectionRun = async (scale) => {
  const trials = pick(scale, { full: 5, quick: 3, tiny: 1 });
  const perTrial = pick(scale, { full: 300, quick: 60, tiny: 3 });
  const warmup = pick(scale, { full: 50, quick: 20, tiny: 1 });
  return withTempDir('atm-bench-core-', async (dir) => {
    const k = await startBenchKiosk(dir);
    try {
      const rows = () => (k.db.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n;
      for (let i = 0; i < warmup; i++) await withdraw(k);
      const rates: number[] = [];
      const cpuMs: number[] = [];
      const eventsPer: number[] = [];
      for (let t = 0; t < trials; t++) {
        const r0 = rows();
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        for (let i = 0; i < perTrial; i++) await withdraw(k);
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(c0);
        rates.push((perTrial * 1000) / wall);
        cpuMs.push((cpu.user + cpu.system) / 1000 / perTrial);
        eventsPer.push((rows() - r0) / perTrial);
      }
      const verify = k.journal.verify();
      if (!verify.ok) throw new Error(`journal chain broken at ${verify.seq}`);
      return {
        title: 'Withdrawals through the whole core (machine + simulated devices + embedded host over TCP + journal)',
        params: { trials, withdrawalsPerTrial: perTrial, warmup, amount: '20.00', receipt: false, journalVerified: verify.rows },
        metrics: {
          withdrawalsPerSecond: metricOf(rates, 'withdrawals/s', 'one customer after another, wall clock'),
          cpuMsPerWithdrawal: metricOf(cpuMs, 'ms CPU/withdrawal', 'process.cpuUsage user+system, includes the embedded host'),
          journalEventsPerWithdrawal: metricOf(eventsPer, 'events/withdrawal'),
        },
        notes: [],
      };
    } finally {
      await k.stop();
    }
  });
};
