/**
 * Memory over many transactions through the whole core (same composition as the `core` section): RSS and
 * V8 heap after a forced GC at the start, after warm-up, and at ten checkpoints. "No growth" is judged on
 * heapUsed after GC between the first checkpoint after warm-up and the last (RSS also carries SQLite's page
 * cache and allocator slack, so it is reported but not the criterion). V8 and SQLite caches still fill during
 * the first thousands of withdrawals, so the growth is given both from warm-up and over the second half of the
 * run (midpoint checkpoint to last), the latter being the leak criterion. Count: BENCH_SOAK_TXNS, else by scale.
 * RSS also holds SQLite's page caches, which fill as the databases grow until each connection reaches its
 * cache_size (better-sqlite3 builds SQLite with 16,000 KiB): the section reports that ceiling, and
 * BENCH_SOAK_CACHE_KIB=n sets cache_size on the kiosk's and the host's connections to check what RSS does with a
 * smaller one. Slopes are least-squares fits over the checkpoints, not two noisy end points.
 */
import { startBenchKiosk, withdraw } from '../lib/core-driver';
import { withTempDir } from '../lib/tempdir';
import { metricOf, pick, type SectionRun } from '../lib/types';

const MB = 1024 * 1024;

export const run: SectionRun = async (scale) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the soak section needs node --expose-gc');
  const total = Number(process.env.BENCH_SOAK_TXNS ?? pick(scale, { full: 20_000, quick: 2_000, tiny: 20 }));
  const warmup = Math.min(500, Math.max(1, Math.floor(total / 10)));
  const checkpoints = pick(scale, { full: 10, quick: 5, tiny: 2 });
  const sample = (txns: number) => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { txns, rssMb: m.rss / MB, heapUsedMb: m.heapUsed / MB, externalMb: m.external / MB };
  };
  return withTempDir('atm-bench-soak-', async (dir) => {
    const k = await startBenchKiosk(dir);
    try {
      const dbs = [k.db, ...(k.hostSim ? [k.hostSim.bank.db] : [])];
      const cacheKib = process.env.BENCH_SOAK_CACHE_KIB;
      if (cacheKib) for (const db of dbs) db.pragma(`cache_size = -${Math.max(100, Number(cacheKib) | 0)}`);
      const cacheCeilingMb = dbs.reduce((sum, db) => sum + cacheKibOf(db.pragma('cache_size', { simple: true }) as number), 0) / 1024;
      const series = [sample(0)];
      for (let i = 0; i < warmup; i++) await withdraw(k);
      series.push(sample(warmup));
      const step = Math.max(1, Math.floor((total - warmup) / checkpoints));
      let done = warmup;
      const t0 = performance.now();
      while (done < total) {
        const n = Math.min(step, total - done);
        for (let i = 0; i < n; i++) await withdraw(k);
        done += n;
        series.push(sample(done));
      }
      const rate = ((done - warmup) * 1000) / (performance.now() - t0);
      const first = series[1]!;
      const last = series[series.length - 1]!;
      const mid = series.reduce((best, x) => (Math.abs(x.txns - total / 2) < Math.abs(best.txns - total / 2) ? x : best), first);
      const perK = (a: number, b: number, from = first) => ((b - a) / Math.max(1, last.txns - from.txns)) * 1000;
      const secondHalf = series.filter((x) => x.txns >= mid.txns);
      const heapGrowth = last.heapUsedMb - first.heapUsedMb;
      return {
        title: `Memory over ${total} withdrawals through the whole core`,
        params: { withdrawals: total, warmup, checkpoints: series.length, sqliteCacheKib: cacheKib ? Number(cacheKib) : 'default', series: series.map((s) => ({ txns: s.txns, rssMb: round(s.rssMb), heapUsedMb: round(s.heapUsedMb), externalMb: round(s.externalMb) })) },
        metrics: {
          rssAfterStartMb: { value: series[0]!.rssMb, unit: 'MB', n: 1, note: 'in-process core (no UI server), after GC' },
          rssAfterWarmupMb: { value: first.rssMb, unit: 'MB', n: 1, note: `after ${first.txns} withdrawals` },
          rssAfterRunMb: { value: last.rssMb, unit: 'MB', n: 1, note: `after ${last.txns} withdrawals` },
          heapUsedAfterWarmupMb: { value: first.heapUsedMb, unit: 'MB', n: 1, note: 'after GC' },
          heapUsedAfterRunMb: { value: last.heapUsedMb, unit: 'MB', n: 1, note: 'after GC' },
          heapUsedAtMidpointMb: { value: mid.heapUsedMb, unit: 'MB', n: 1, note: `after GC, at ${mid.txns} withdrawals` },
          heapGrowthPer1kMb: { value: perK(mid.heapUsedMb, last.heapUsedMb, mid), unit: 'MB/1k withdrawals', n: series.filter((x) => x.txns >= mid.txns).length, note: `heapUsed after GC, second half: ${mid.txns} to ${last.txns} withdrawals` },
          heapGrowthFromWarmupPer1kMb: { value: perK(first.heapUsedMb, last.heapUsedMb), unit: 'MB/1k withdrawals', n: series.length - 1, note: 'heapUsed after GC, first post-warm-up checkpoint to last (includes caches filling)' },
          rssGrowthPer1kMb: { value: slopePer1k(secondHalf, (x) => x.rssMb), unit: 'MB/1k withdrawals', n: secondHalf.length, note: `RSS, least-squares over the second half: ${mid.txns} to ${last.txns} withdrawals` },
          rssGrowthFromWarmupPer1kMb: { value: slopePer1k(series.slice(1), (x) => x.rssMb), unit: 'MB/1k withdrawals', n: series.length - 1, note: 'RSS, least-squares over the post-warm-up checkpoints' },
          sqlitePageCacheCeilingMb: { value: cacheCeilingMb, unit: 'MB', n: dbs.length, note: 'sum of cache_size over the kiosk and host connections: what their page caches may grow to' },
          heapCheckpointSpreadMb: metricOf(series.slice(1).map((s) => s.heapUsedMb), 'MB', 'heapUsed after GC over the post-warm-up checkpoints'),
          withdrawalsPerSecond: { value: rate, unit: 'withdrawals/s', n: 1, note: 'over the whole soak' },
        },
        notes: [
          `heapUsed after GC moved ${sign(heapGrowth)} MB from ${first.txns} to ${last.txns} withdrawals, ${sign(last.heapUsedMb - mid.heapUsedMb)} MB from ${mid.txns} to ${last.txns}.`,
        ],
      };
    } finally {
      await k.stop();
    }
  });
};

const round = (x: number) => Math.round(x * 100) / 100;

/** cache_size is pages when positive, KiB when negative (SQLite); pages are taken as 4 KiB. */
const cacheKibOf = (v: number) => (v < 0 ? -v : v * 4);

/** Least-squares slope of y over withdrawals, per 1,000 withdrawals. */
function slopePer1k<T extends { txns: number }>(points: T[], y: (p: T) => number): number {
  if (points.length < 2) return 0;
  const mx = points.reduce((a, p) => a + p.txns, 0) / points.length;
  const my = points.reduce((a, p) => a + y(p), 0) / points.length;
  const num = points.reduce((a, p) => a + (p.txns - mx) * (y(p) - my), 0);
  const den = points.reduce((a, p) => a + (p.txns - mx) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 1000;
}
const sign = (x: number) => `${x >= 0 ? '+' : ''}${round(x)}`;
