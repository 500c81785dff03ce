/**
 * The benchmark harness (npm run bench) in its tiny mode: every section runs a few iterations in its own child
 * process and the results are well formed. No timing is asserted: numbers from a tiny run mean nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SECTIONS, runBench, scaleFromEnv } from '../../bench/run';
import { chromiumAvailable } from '../support/chromium';

const metric = z.strictObject({
  value: z.number().refine(Number.isFinite, 'finite'),
  unit: z.string().min(1),
  n: z.number().int().positive(),
  min: z.number().optional(),
  max: z.number().optional(),
  trials: z.array(z.number().refine(Number.isFinite, 'finite')).optional(),
  note: z.string().optional(),
});
const section = z.strictObject({
  section: z.enum(SECTIONS),
  title: z.string().min(1),
  status: z.enum(['ok', 'skipped', 'failed']),
  reason: z.string().optional(),
  params: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), metric),
  notes: z.array(z.string()),
  durationMs: z.number().nonnegative(),
});
const report = z.strictObject({
  schema: z.literal('atm-bench/1'),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  scale: z.literal('tiny'),
  machine: z.strictObject({ node: z.string(), platform: z.string(), arch: z.string(), cpus: z.number().int().positive(), cpuModel: z.string(), memoryGb: z.number(), fs: z.string(), loadavgAtStart: z.array(z.number()), loadavgAtEnd: z.array(z.number()) }),
  git: z.strictObject({ commit: z.string(), dirty: z.boolean() }),
  sections: z.array(section),
});

const out = mkdtempSync(join(tmpdir(), 'atm-bench-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench harness (tiny mode, shape only)', () => {
  it('reads the scale from BENCH_QUICK', () => {
    expect(scaleFromEnv({})).toBe('full');
    expect(scaleFromEnv({ BENCH_QUICK: '1' })).toBe('quick');
    expect(scaleFromEnv({ BENCH_QUICK: 'tiny' })).toBe('tiny');
  });

  it('runs every section and writes well-formed JSON and a Markdown table', { timeout: 240_000 }, async () => {
    const { report: r, jsonPath, mdPath } = await runBench({ scale: 'tiny', outDir: out, log: () => {} });
    const parsed = report.parse(JSON.parse(readFileSync(jsonPath, 'utf8')));
    expect(parsed.sections.map((s) => s.section)).toEqual([...SECTIONS]);
    for (const s of parsed.sections) {
      const allowedSkip = s.section === 'renderer' && !chromiumAvailable;
      expect(s.status, `${s.section}: ${s.reason ?? ''}`).toBe(allowedSkip ? 'skipped' : 'ok');
      if (s.status === 'ok') expect(Object.keys(s.metrics).length, s.section).toBeGreaterThan(0);
    }
    const byName = Object.fromEntries(parsed.sections.map((s) => [s.section, s]));
    expect(Object.keys(byName.journal!.metrics)).toEqual(expect.arrayContaining(['rawFdatasyncOverwrite', 'journalSingle', 'journalSingleRatio', 'journalGroupedEvents']));
    expect(Object.keys(byName.core!.metrics)).toEqual(expect.arrayContaining(['withdrawalsPerSecond', 'cpuMsPerWithdrawal']));
    expect(Object.keys(byName.iso8583!.metrics)).toEqual(expect.arrayContaining(['oursPackA', 'oursUnpackA', 'peerPack', 'peerUnpack']));
    expect(Object.keys(byName.hostsim!.metrics).some((k) => k.startsWith('p99C'))).toBe(true);
    expect(Object.keys(byName.coldstart!.metrics)).toEqual(expect.arrayContaining(['coldStartMs', 'rssAfterStartMb']));
    expect(Object.keys(byName.soak!.metrics)).toEqual(expect.arrayContaining(['rssAfterRunMb', 'heapGrowthPer1kMb']));
    expect(r.sections).toHaveLength(SECTIONS.length);

    const md = readFileSync(mdPath, 'utf8');
    expect(md).toContain('| Measure | Median (or percentile) | Range over trials | n |');
    for (const label of ['Journal, 1 event per commit', 'Withdrawals through the whole core', 'ISO 8583 0200+55 pack, iso_8583', 'Host simulator, ', 'Cold start to in service'])
      expect(md).toContain(label);
    expect(md).not.toContain('NaN');
  });
});
