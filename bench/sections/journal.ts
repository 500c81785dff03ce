/**
 * Journal durable append rate against the disk's own limit, measured in the same run and directory:
 * - raw: write 4 KiB + fdatasync in a loop (node:fs), overwriting a preallocated file (the ceiling: SQLite
 *   reuses its WAL file in place after each checkpoint), and appending (each sync also commits the file size);
 * - journal, one event per commit (autocommit: what Journal.append does outside a transaction);
 * - journal, grouped: `group` events in one db.transaction (what a multi-row write-ahead step does).
 * The database is opened by journals/database.ts (WAL + synchronous=FULL), events by journals/journal.ts.
 * Each trial interleaves short slices of the four loops (raw, single, grouped, append, raw, ...) so that
 * whatever else the disk is doing hits them alike; the ratio is taken per trial, then the median.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../journals/database';
import { Journal } from '../../journals/journal';
import { metricOf, pick, type SectionRun } from '../lib/types';

const BLOCK = 4096;
const GROUP = 10;

/** A loop body to run in slices: `step` does one durable commit and returns how many events it wrote. */
interface Loop {
  step(): number;
  close(): void;
}

function rawLoop(dir: string, mode: 'append' | 'overwrite'): Loop {
  const path = join(dir, `raw-${mode}.bin`);
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(BLOCK, 0x5a);
  const slots = 256;
  let n = 0;
  if (mode === 'overwrite') {
    for (let i = 0; i < slots; i++) writeSync(fd, buf, 0, BLOCK, i * BLOCK);
    fdatasyncSync(fd);
  }
  return {
    step() {
      writeSync(fd, buf, 0, BLOCK, mode === 'append' ? n * BLOCK : (n % slots) * BLOCK);
      fdatasyncSync(fd);
      n++;
      return 1;
    },
    close() {
      closeSync(fd);
      rmSync(path, { force: true });
    },
  };
}

function journalLoop(dir: string, name: string, group: number): Loop {
  const db: Db = openDatabase(join(dir, `${name}.db`));
  const journal = new Journal(db, 'BENCH001');
  let txn = 1;
  const event = () =>
    journal.append('dispense.requested', { amount: 6000, currency: 'USD', counts: { CST1: 3 }, stan: '000123', rrn: '532812000123' }, { txn, maskedPan: '476173******0010' });
  const commit =
    group === 1
      ? event
      : db.transaction(() => {
          for (let i = 0; i < group; i++) event();
        });
  return {
    step() {
      commit();
      txn++;
      return group;
    },
    close: () => db.close(),
  };
}

/** Runs `loop` for `ms`; returns [commits, events, seconds]. */
function slice(loop: Loop, ms: number): [number, number, number] {
  let commits = 0;
  let events = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    events += loop.step();
    commits++;
    t = performance.now();
  }
  return [commits, events, (t - t0) / 1000];
}

export const run: SectionRun = async (scale) => {
  const trials = pick(scale, { full: 9, quick: 3, tiny: 1 });
  const slices = pick(scale, { full: 8, quick: 4, tiny: 1 });
  const sliceMs = pick(scale, { full: 250, quick: 150, tiny: 50 });
  const base = process.env.BENCH_DIR ?? tmpdir();
  const dir = mkdtempSync(join(base, 'atm-bench-journal-'));
  const names = ['overwrite', 'single', 'grouped', 'append'] as const;
  const series: Record<(typeof names)[number] | 'groupedEvents', number[]> = { overwrite: [], single: [], grouped: [], append: [], groupedEvents: [] };
  const loops: Record<(typeof names)[number], Loop> = {
    overwrite: rawLoop(dir, 'overwrite'),
    append: rawLoop(dir, 'append'),
    single: journalLoop(dir, 'single', 1),
    grouped: journalLoop(dir, 'grouped', GROUP),
  };
  try {
    for (const n of names) slice(loops[n], 200); // warm-up: files created, statements prepared, JIT
    for (let t = 0; t < trials; t++) {
      const acc = Object.fromEntries(names.map((n) => [n, [0, 0, 0]])) as Record<(typeof names)[number], [number, number, number]>;
      for (let s = 0; s < slices; s++) {
        for (const n of names) {
          const [c, e, sec] = slice(loops[n], sliceMs);
          acc[n][0] += c;
          acc[n][1] += e;
          acc[n][2] += sec;
        }
      }
      for (const n of names) series[n].push(acc[n][0] / acc[n][2]);
      series.groupedEvents.push(acc.grouped[1] / acc.grouped[2]);
    }
  } finally {
    for (const l of Object.values(loops)) l.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = (xs: number[], of: number[] = series.overwrite) => xs.map((x, i) => x / of[i]!);
  return {
    title: 'Journal durable append (WAL, synchronous=FULL) vs raw fdatasync',
    params: { dir: base, trials, slicesPerTrial: slices, sliceMs, trialSeconds: (slices * sliceMs * names.length) / 1000, groupSize: GROUP, rawBlockBytes: BLOCK },
    metrics: {
      rawFdatasyncOverwrite: metricOf(series.overwrite, 'fdatasync/s', '4 KiB overwrite in a preallocated file + fdatasync (node:fs): the ceiling'),
      rawFdatasyncAppend: metricOf(series.append, 'fdatasync/s', '4 KiB append + fdatasync (node:fs): each sync also commits the file size'),
      journalSingle: metricOf(series.single, 'events/s', 'one event per commit'),
      journalSingleRatio: metricOf(ratio(series.single), 'x raw', 'commits/s / raw overwrite fdatasync/s, per trial'),
      journalSingleRatioAppend: metricOf(ratio(series.single, series.append), 'x raw', 'commits/s / raw append fdatasync/s, per trial'),
      journalGroupedEvents: metricOf(series.groupedEvents, 'events/s', `${GROUP} events per commit`),
      journalGroupedCommits: metricOf(series.grouped, 'commits/s', `${GROUP} events per commit`),
      journalGroupedCommitRatio: metricOf(ratio(series.grouped), 'x raw', 'commits/s / raw overwrite fdatasync/s, per trial'),
      journalGroupedEventRatio: metricOf(ratio(series.groupedEvents), 'x raw', 'events/s / raw overwrite fdatasync/s, per trial'),
    },
    notes: [],
  };
};
