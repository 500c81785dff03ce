/**
 * `npm run bench`: runs every benchmark section in its own child process (so one section's heap, JIT state
 * or leftover sockets cannot colour the next), then writes bench/results/latest.json and latest.md.
 *
 * Environment:
 *   BENCH_QUICK=1      short run (minutes); BENCH_QUICK=tiny: seconds, only checks the harness (used by tests)
 *   BENCH_ONLY=a,b     run only these sections (journal, iso8583, core, hostsim, coldstart, soak, renderer)
 *   BENCH_OUT=dir      where to write the results (default bench/results)
 *   BENCH_DIR=dir      where the temporary data dirs go (default the OS temp dir): the disk being measured
 *   BENCH_SOAK_TXNS=n  withdrawals in the memory soak (default 20000 full, 2000 quick)
 * Sections that need dist/ (coldstart, renderer) build it first when it is missing or older than the sources.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { markdownReport } from './report';
import type { BenchReport, Scale, SectionResult, SectionRun } from './lib/types';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

export const SECTIONS = ['journal', 'iso8583', 'core', 'hostsim', 'coldstart', 'soak', 'renderer'] as const;
export type SectionName = (typeof SECTIONS)[number];
const NEEDS_DIST: ReadonlySet<SectionName> = new Set(['coldstart', 'renderer']);
/** Per-section wall-clock limit for the child process. */
const LIMIT_MS: Record<Scale, number> = { full: 3_600_000, quick: 600_000, tiny: 120_000 };

export function scaleFromEnv(env: NodeJS.ProcessEnv = process.env): Scale {
  const q = env.BENCH_QUICK;
  if (q === 'tiny') return 'tiny';
  return q && q !== '0' ? 'quick' : 'full';
}

export interface BenchOptions {
  scale: Scale;
  only?: readonly SectionName[];
  outDir?: string;
  log?: (line: string) => void;
}

export async function runBench(opts: BenchOptions): Promise<{ report: BenchReport; jsonPath: string; mdPath: string }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const names = opts.only?.length ? SECTIONS.filter((s) => opts.only!.includes(s)) : [...SECTIONS];
  const startedAt = new Date().toISOString();
  const loadavgAtStart = loadavg();
  if (names.some((n) => NEEDS_DIST.has(n))) ensureBuilt(log);
  const sections: SectionResult[] = [];
  for (const name of names) {
    log(`bench: ${name} (${opts.scale})...`);
    const loadBefore = loadavg()[0]!;
    const r = await runSectionChild(name, opts.scale);
    // Other work on the machine colours every number: keep the 1-minute load average beside them.
    r.params = { ...r.params, loadavg1Before: loadBefore, loadavg1After: loadavg()[0]! };
    sections.push(r);
    log(`bench: ${name} ${r.status}${r.reason ? `: ${r.reason}` : ''} in ${(r.durationMs / 1000).toFixed(1)} s`);
  }
  const report: BenchReport = {
    schema: 'atm-bench/1',
    startedAt,
    finishedAt: new Date().toISOString(),
    scale: opts.scale,
    machine: { ...machineInfo(), loadavgAtStart, loadavgAtEnd: loadavg() },
    git: gitInfo(),
    sections,
  };
  const outDir = resolve(opts.outDir ?? join(root, 'bench', 'results'));
  mkdirSync(outDir, { recursive: true });
  const jsonPath = join(outDir, 'latest.json');
  const mdPath = join(outDir, 'latest.md');
  writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(mdPath, markdownReport(report));
  return { report, jsonPath, mdPath };
}

/** Section process groups still running: killed if the harness itself is interrupted (they are detached). */
const running = new Set<number>();
let interruptHooked = false;
function hookInterrupt(): void {
  if (interruptHooked) return;
  interruptHooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const pid of running) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      process.exit(130);
    });
  }
}

/** Spawns `node --import tsx --expose-gc bench/run.ts --section <name>`; the child writes its result to a file. */
function runSectionChild(name: SectionName, scale: Scale): Promise<SectionResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'atm-bench-result-'));
  const out = join(tmp, 'result.json');
  const started = performance.now();
  return new Promise<SectionResult>((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, 'run.ts'), '--section', name, '--result', out], {
      cwd: root,
      env: { ...process.env, BENCH_QUICK: scale === 'full' ? '0' : scale === 'quick' ? '1' : 'tiny' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout also kills what the section started (a kiosk, a host simulator).
      detached: true,
    });
    hookInterrupt();
    if (child.pid) running.add(child.pid);
    let tail = '';
    const keep = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(killGroup, LIMIT_MS[scale]);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal) killGroup(); // a section killed from outside must not leave its own children running
      if (child.pid) running.delete(child.pid);
      const durationMs = performance.now() - started;
      let result: SectionResult;
      try {
        result = { ...(JSON.parse(readFileSync(out, 'utf8')) as SectionResult), durationMs };
      } catch {
        const why = signal ? `killed by ${signal}` : `exit ${code}`;
        result = { section: name, title: name, status: 'failed', reason: `${why}: ${lastLines(tail)}`, params: {}, metrics: {}, notes: [], durationMs };
      }
      rmSync(tmp, { recursive: true, force: true });
      resolvePromise(result);
    });
  });
}

const lastLines = (s: string) => s.trim().split('\n').slice(-6).join(' | ').slice(-1500);

/** Child side: run one section, write its result (also a failure) to the result file, exit. */
async function sectionMain(name: string, resultPath: string): Promise<void> {
  const scale = scaleFromEnv();
  const started = performance.now();
  let result: SectionResult;
  try {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown section ${name}`);
    const mod = (await import(pathToFileURL(join(here, 'sections', `${name}.ts`)).href)) as { run: SectionRun };
    const r = await mod.run(scale);
    result = { section: name, status: 'ok', ...r, durationMs: performance.now() - started };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    console.error(e);
    result = { section: name, title: name, status: 'failed', reason, params: {}, metrics: {}, notes: [], durationMs: performance.now() - started };
  }
  writeFileSync(resultPath, JSON.stringify(result));
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestMtime(p));
    else if (/\.(ts|html|css)$/.test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** Builds dist/ (npm run build) when it is missing or older than the sources it is made from. */
function ensureBuilt(log: (l: string) => void): void {
  const outputs = [join(root, 'dist/main/launch.js'), join(root, 'dist/renderer/app.js')];
  const built = outputs.every((p) => existsSync(p)) ? Math.min(...outputs.map((p) => statSync(p).mtimeMs)) : 0;
  const sources = Math.max(...['main', 'renderer', 'devices', 'journals'].map((d) => newestMtime(join(root, d))));
  if (built > sources) return;
  log('bench: building dist/ (npm run build)');
  execFileSync(process.execPath, [join(root, 'build', 'bundle.mjs')], { cwd: root, stdio: 'inherit' });
}

function machineInfo(): Omit<BenchReport['machine'], 'loadavgAtStart' | 'loadavgAtEnd'> {
  const c = cpus();
  let fs = 'unknown filesystem';
  try {
    const dir = process.env.BENCH_DIR ?? tmpdir();
    fs = execFileSync('df', ['-PT', dir], { encoding: 'utf8' }).trim().split('\n').pop()!.split(/\s+/).slice(0, 2).join(' ') + ` (temp dirs in ${dir})`;
  } catch {
    /* not Linux/macOS df */
  }
  return { node: process.versions.node, platform: process.platform, arch: process.arch, cpus: c.length, cpuModel: c[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1024 ** 3), fs };
}

function gitInfo(): BenchReport['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim().length > 0;
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--section');
  if (at >= 0) {
    const res = args[args.indexOf('--result') + 1];
    if (!res) throw new Error('--section needs --result <file>');
    await sectionMain(args[at + 1] ?? '', res);
    // Anything a section left open (it should not) must not keep the child alive.
    process.exit(0);
  } else {
    const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean) as SectionName[];
    const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
    if (unknown.length) throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
    const { report, jsonPath, mdPath } = await runBench({ scale: scaleFromEnv(), only, ...(process.env.BENCH_OUT ? { outDir: process.env.BENCH_OUT } : {}) });
    console.log('\n' + readFileSync(mdPath, 'utf8'));
    console.log(`bench: wrote ${jsonPath} and ${mdPath}`);
    if (report.sections.some((s) => s.status === 'failed')) process.exitCode = 1;
  }
}
