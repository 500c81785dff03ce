/**
 * Journal durable append rate against the disk's own limit, measured in the same run and directory:
 * - raw: write 4 KiB + fdatasync in a loop (node:fs), appending, and overwriting a preallocated file;
 * - journal, one event per commit (autocommit: what Journal.append does outside a transaction);
 * - journal, grouped: `group` events in one db.transaction (what a multi-row write-ahead step does).
 * The database is opened by journals/database.ts (WAL + synchronous=FULL), events by journals/journal.ts.
 * Trials are time-boxed and interleaved (raw, single, grouped, raw, ...) so drift hits all alike.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../journals/database';
import { Journal } from '../../journals/journal';
import { metricOf, pick, type SectionRun } from '../lib/types';

const BLOCK = 4096;

function rawFdatasync(dir: string, ms: number, mode: 'append' | 'overwrite'): number {
  const path = join(dir, `raw-${mode}.bin`);
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(BLOCK, 0x5a);
  const slots = 256;
  try {
    if (mode === 'overwrite') {
      for (let i = 0; i < slots; i++) writeSync(fd, buf, 0, BLOCK, i * BLOCK);
      fdatasyncSync(fd);
    }
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      const pos = mode === 'append' ? n * BLOCK : (n % slots) * BLOCK;
      writeSync(fd, buf, 0, BLOCK, pos);
      fdatasyncSync(fd);
      n++;
      t = performance.now();
    }
    return (n * 1000) / (t - t0);
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

function journalRate(dir: string, name: string, ms: number, group: number): { events: number; commits: number } {
  const db = openDatabase(join(dir, `${name}.db`));
  try {
    const journal = new Journal(db, 'BENCH001');
    let seqTxn = 1;
    const event = () =>
      journal.append('dispense.requested', { amount: 6000, currency: 'USD', counts: { CST1: 3 }, stan: '000123', rrn: '532812000123' }, { txn: seqTxn, maskedPan: '476173******0010' });
    const commitGroup = group === 1 ? () => event() : db.transaction(() => {
      for (let i = 0; i < group; i++) event();
    });
    // Warm-up: prepared statements, WAL file creation, first checkpoint out of the way.
    for (let i = 0; i < 20; i++) commitGroup();
    let commits = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      commitGroup();
      seqTxn++;
      commits++;
      t = performance.now();
    }
    const s = (t - t0) / 1000;
    return { events: (commits * group) / s, commits: commits / s };
  } finally {
    db.close();
  }
}

export const run: SectionRun = async (scale) => {
  const trials = pick(scale, { full: 7, quick: 3, tiny: 1 });
  const ms = pick(scale, { full: 2000, quick: 600, tiny: 100 });
  const group = 10;
  const base = process.env.BENCH_DIR ?? tmpdir();
  const dir = mkdtempSync(join(base, 'atm-bench-journal-'));
  const raw: number[] = [];
  const rawOverwrite: number[] = [];
  const single: number[] = [];
  const groupedEvents: number[] = [];
  const groupedCommits: number[] = [];
  try {
    rawFdatasync(dir, Math.min(ms, 300), 'append'); // warm-up
    for (let i = 0; i < trials; i++) {
      raw.push(rawFdatasync(dir, ms, 'append'));
      rawOverwrite.push(rawFdatasync(dir, ms, 'overwrite'));
      single.push(journalRate(dir, `single-${i}`, ms, 1).events);
      const g = journalRate(dir, `grouped-${i}`, ms, group);
      groupedEvents.push(g.events);
      groupedCommits.push(g.commits);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Ratios per trial (same trial = same disk conditions), then the median of the ratios. The denominator is
  // the overwrite loop: SQLite's WAL file is reused in place after each checkpoint, so a commit's fsync is an
  // overwrite too, and overwriting is the faster (ceiling) of the two raw loops on this disk.
  const ratio = (xs: number[], of: number[] = rawOverwrite) => xs.map((x, i) => x / of[i]!);
  return {
    title: 'Journal durable append (WAL, synchronous=FULL) vs raw fdatasync',
    params: { dir: base, trialMs: ms, trials, groupSize: group, rawBlockBytes: BLOCK },
    metrics: {
      rawFdatasyncOverwrite: metricOf(rawOverwrite, 'fdatasync/s', '4 KiB overwrite in a preallocated file + fdatasync (node:fs): the ceiling'),
      rawFdatasyncAppend: metricOf(raw, 'fdatasync/s', '4 KiB append + fdatasync (node:fs): also syncs the file size'),
      journalSingle: metricOf(single, 'events/s', 'one event per commit'),
      journalSingleRatio: metricOf(ratio(single), 'x raw', 'commits/s / raw overwrite fdatasync/s, per trial'),
      journalSingleRatioAppend: metricOf(ratio(single, raw), 'x raw', 'commits/s / raw append fdatasync/s, per trial'),
      journalGroupedEvents: metricOf(groupedEvents, 'events/s', `${group} events per commit`),
      journalGroupedCommits: metricOf(groupedCommits, 'commits/s', `${group} events per commit`),
      journalGroupedCommitRatio: metricOf(ratio(groupedCommits), 'x raw', 'commits/s / raw overwrite fdatasync/s, per trial'),
      journalGroupedEventRatio: metricOf(ratio(groupedEvents), 'x raw', 'events/s / raw overwrite fdatasync/s, per trial'),
    },
    notes: [],
  };
};
