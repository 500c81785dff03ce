/** The short Markdown table of a bench report (bench/results/latest.md and the README's Performance section). */
import { sig } from './lib/stats';
import type { BenchReport, Metric } from './lib/types';

const fmt = (m: Metric | undefined) => {
  if (!m || !Number.isFinite(m.value)) return 'n/a';
  const v = sig(m.value, 3).toLocaleString('en-US', { maximumFractionDigits: 3 });
  return `${v} ${m.unit}`;
};
const nOf = (m: Metric | undefined) => (m ? String(m.n) : '');
const rangeOf = (m: Metric | undefined) =>
  m && m.n > 1 && m.min !== undefined && m.max !== undefined ? `${sig(m.min, 3).toLocaleString('en-US')}–${sig(m.max, 3).toLocaleString('en-US')}` : '';

/** Rows: [what, value, n] picked from the sections that ran. */
function rows(r: BenchReport): Array<[string, string, string, string]> {
  const out: Array<[string, string, string, string]> = [];
  const sec = (name: string) => r.sections.find((s) => s.section === name);
  const add = (section: string, label: string, key: string, extra?: (m: Record<string, Metric>) => string) => {
    const s = sec(section);
    if (!s) return;
    if (s.status !== 'ok') {
      if (!out.some((row) => row[0].startsWith(`${s.title}`))) out.push([`${s.title}`, `${s.status}: ${s.reason ?? ''}`.trim(), '', '']);
      return;
    }
    const m = s.metrics[key];
    out.push([label, fmt(m) + (extra ? ` ${extra(s.metrics)}` : ''), rangeOf(m), nOf(m)]);
  };
  add('journal', 'Raw fdatasync, 4 KiB overwrite (same dir)', 'rawFdatasyncOverwrite');
  add('journal', 'Raw fdatasync, 4 KiB append (same dir)', 'rawFdatasyncAppend');
  add('journal', 'Journal, 1 event per commit', 'journalSingle', (m) => `(${fmt(m.journalSingleRatio)})`);
  add('journal', 'Journal, 10 events per commit', 'journalGroupedEvents', (m) => `(${fmt(m.journalGroupedCommits)} = ${fmt(m.journalGroupedCommitRatio)})`);
  add('core', 'Withdrawals through the whole core', 'withdrawalsPerSecond');
  add('core', 'CPU per withdrawal (incl. embedded host)', 'cpuMsPerWithdrawal', (m) => `(${fmt(m.journalEventsPerWithdrawal)})`);
  add('iso8583', 'ISO 8583 0200+55 pack, ours (ISO87A)', 'oursPackA', (m) => `(${fmt(m.packSpeedup)})`);
  add('iso8583', 'ISO 8583 0200+55 unpack, ours (ISO87A)', 'oursUnpackA', (m) => `(${fmt(m.unpackSpeedup)})`);
  add('iso8583', 'ISO 8583 0200+55 pack, ours (ISO87B)', 'oursPackB');
  add('iso8583', 'ISO 8583 0200+55 unpack, ours (ISO87B)', 'oursUnpackB');
  add('iso8583', 'ISO 8583 0200+55 pack, iso_8583', 'peerPack');
  add('iso8583', 'ISO 8583 0200+55 unpack, iso_8583', 'peerUnpack');
  const hs = sec('hostsim');
  if (hs?.status === 'ok') {
    for (const [key, m] of Object.entries(hs.metrics)) {
      const c = /^throughputC(\d+)$/.exec(key)?.[1];
      if (c) out.push([`Host simulator, ${c} concurrent connection${c === '1' ? '' : 's'}`, `${fmt(m)}, p99 ${fmt(hs.metrics[`p99C${c}`])}`, `${rangeOf(m)}; p99 ${rangeOf(hs.metrics[`p99C${c}`])} ms`, nOf(m)]);
    }
  } else add('hostsim', '', '');
  add('coldstart', 'Cold start to in service (headless core)', 'coldStartMs');
  add('coldstart', 'RSS after start (headless core process)', 'rssAfterStartMb');
  add('soak', 'RSS after warm-up (in-process core)', 'rssAfterWarmupMb');
  const soak = sec('soak');
  add('soak', `RSS after ${soak?.params.withdrawals ?? '?'} withdrawals`, 'rssAfterRunMb');
  add('soak', 'Heap after GC, growth over the second half', 'heapGrowthPer1kMb', (m) => `(${fmt(m.heapUsedAfterWarmupMb)} after warm-up, ${fmt(m.heapUsedAtMidpointMb)} at midpoint, ${fmt(m.heapUsedAfterRunMb)} at end)`);
  add('renderer', 'Renderer: state change to screen painted, p95', 'p95Ms', (m) => `(p50 ${fmt(m.p50Ms)})`);
  return out;
}

export function markdownTable(r: BenchReport): string {
  const lines = ['| Measure | Median (or percentile) | Range over trials | n |', '|---|---|---|---|'];
  for (const [a, b, c, d] of rows(r)) lines.push(`| ${a} | ${b} | ${c} | ${d} |`);
  return lines.join('\n');
}

export function markdownReport(r: BenchReport): string {
  const m = r.machine;
  return [
    `# Benchmark results (${r.scale})`,
    '',
    `${r.startedAt}, commit ${r.git.commit.slice(0, 10)}${r.git.dirty ? ' (uncommitted changes in the tree)' : ''}; ` +
      `Node ${m.node}, ${m.platform}/${m.arch}, ${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB RAM, ${m.fs}; ` +
      `load average ${m.loadavgAtStart.map((x) => x.toFixed(2)).join(' ')} at start, ${m.loadavgAtEnd.map((x) => x.toFixed(2)).join(' ')} at end.`,
    '',
    markdownTable(r),
    '',
    'n = trials (medians) or samples (percentiles). Full data: latest.json.',
    '',
  ].join('\n');
}
