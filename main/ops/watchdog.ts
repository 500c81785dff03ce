/**
 * Self-healing supervisor: runs the kiosk core (`node dist/main/launch.js --headless --no-watchdog`) as a
 * child process with a Node IPC channel, and
 *   - restarts it when it exits (crash, kill, clean exit nobody asked for);
 *   - restarts it when it hangs: no heartbeat (main/ops/heartbeat.ts) for `missedHeartbeats` intervals, or
 *     none at all within `startupGraceMs` of a start -> SIGKILL, then restart;
 *   - waits an exponential back-off between restarts (reset after a run of `stableMs`);
 *   - restarts at once, without back-off and outside the crash-loop count, a core that exits 75 (a restart an
 *     operator asked for, e.g. the monitoring API's restart command);
 *   - gives up on a crash loop (more than `maxRestarts` restarts within `windowMs`), and on exit code 78
 *     (EX_CONFIG: a bad configuration is not fixed by restarting). The service manager (systemd) then sees
 *     the watchdog fail and applies its own policy / alerts.
 * Every start, exit, hang and restart is logged; the restarted core gets ATM_WATCHDOG_RESTARTS and
 * ATM_WATCHDOG_LAST_EXIT in its environment so it can journal the restart.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';

export const EXIT_CONFIG = 78;
export const EXIT_GAVE_UP = 70;
/** EX_TEMPFAIL: the core stopped cleanly because an operator asked for a restart (remote command). */
export const EXIT_RESTART_REQUESTED = 75;

export interface WatchdogLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WatchdogOptions {
  command: string;
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Child stdio for fds 0-2 (fd 3 is always the IPC channel). Default inherit. */
  stdio?: 'inherit' | 'ignore' | 'pipe';
  heartbeatMs: number;
  missedHeartbeats: number;
  /** The first heartbeat must arrive within this long after a start. */
  startupGraceMs: number;
  backoff: { initialMs: number; maxMs: number; factor?: number };
  /** A run at least this long resets the back-off. Default: 4 x backoff.maxMs, at least 30 s. */
  stableMs?: number;
  crashLoop: { maxRestarts: number; windowMs: number };
  /** stop(): SIGTERM, then SIGKILL after this long. Default 10 s. */
  stopTimeoutMs?: number;
  log?: WatchdogLog;
  now?: () => number;
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
}

export type ExitReason = 'crash' | 'hang' | 'clean-exit' | 'spawn-error' | 'config' | 'requested';

export type WatchdogEvent =
  | { type: 'started'; pid: number | undefined; run: number }
  | { type: 'first-heartbeat'; pid: number | undefined; afterMs: number }
  | { type: 'hang'; pid: number | undefined; silentMs: number }
  | { type: 'exited'; pid: number | undefined; code: number | null; signal: NodeJS.Signals | null; reason: ExitReason; uptimeMs: number }
  | { type: 'restart-scheduled'; attempt: number; delayMs: number; reason: ExitReason }
  | { type: 'gave-up'; reason: 'crash-loop' | 'config'; restarts: number }
  | { type: 'stopped' };

export type WatchdogOutcome = { outcome: 'stopped' } | { outcome: 'gave-up'; reason: 'crash-loop' | 'config' };

export type WatchdogState = 'idle' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'failed';

const silentLog: WatchdogLog = { info() {}, warn() {}, error() {} };

/** Delay before restart number `failures` (1-based) of a series. */
export function backoffDelay(failures: number, b: WatchdogOptions['backoff']): number {
  const factor = b.factor ?? 2;
  return Math.min(b.maxMs, Math.round(b.initialMs * factor ** Math.max(0, failures - 1)));
}

export class Watchdog extends EventEmitter<{ event: [WatchdogEvent] }> {
  private child: ChildProcess | null = null;
  private st: WatchdogState = 'idle';
  private run = 0;
  private failures = 0;
  private restartTimes: number[] = [];
  private startedAt = 0;
  private lastBeat: number | null = null;
  private hangTimer: ReturnType<typeof setInterval> | null = null;
  private backoffTimer: ReturnType<typeof setTimeout> | null = null;
  private killedForHang = false;
  private lastExit: string | undefined;
  private readonly now: () => number;
  private readonly log: WatchdogLog;
  private resolveDone!: (o: WatchdogOutcome) => void;
  /** Settles when the watchdog stops for good (stop() or giving up). */
  readonly done: Promise<WatchdogOutcome>;

  constructor(private readonly opts: WatchdogOptions) {
    super();
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? silentLog;
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  get state(): WatchdogState {
    return this.st;
  }
  /** Restarts so far (not counting the first start). */
  get restarts(): number {
    return this.run > 0 ? this.run - 1 : 0;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.st !== 'idle') throw new Error(`watchdog already ${this.st}`);
    this.launch();
  }

  /** SIGTERM to the core, SIGKILL after stopTimeoutMs; no restart. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.st === 'stopped' || this.st === 'failed') return;
    const child = this.child;
    this.st = 'stopping';
    this.clearTimers();
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), this.opts.stopTimeoutMs ?? 10_000);
      await exited;
      clearTimeout(t);
    }
    this.finish({ outcome: 'stopped' });
  }

  private emitEvent(e: WatchdogEvent): void {
    this.emit('event', e);
  }

  private launch(): void {
    this.run++;
    this.killedForHang = false;
    this.lastBeat = null;
    this.startedAt = this.now();
    const env: NodeJS.ProcessEnv = { ...(this.opts.env ?? process.env), ATM_WATCHDOG: '1', ATM_WATCHDOG_RESTARTS: String(this.run - 1), ATM_HEARTBEAT_MS: String(this.opts.heartbeatMs) };
    if (this.lastExit) env.ATM_WATCHDOG_LAST_EXIT = this.lastExit;
    else delete env.ATM_WATCHDOG_LAST_EXIT;
    const io = this.opts.stdio ?? 'inherit';
    const spawn = this.opts.spawn ?? nodeSpawn;
    let child: ChildProcess;
    try {
      child = spawn(this.opts.command, this.opts.args ?? [], { cwd: this.opts.cwd, env, stdio: [io, io, io, 'ipc'] });
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'watchdog: cannot start the core');
      this.onExit(null, null, 'spawn-error');
      return;
    }
    this.child = child;
    this.st = 'running';
    this.log.info({ childPid: child.pid, run: this.run, restarts: this.run - 1 }, this.run === 1 ? 'watchdog: core started' : 'watchdog: core restarted');
    this.emitEvent({ type: 'started', pid: child.pid, run: this.run });
    child.on('message', (m: unknown) => {
      if (child !== this.child || !m || typeof m !== 'object' || (m as { type?: unknown }).type !== 'heartbeat') return;
      if (this.lastBeat === null) {
        this.emitEvent({ type: 'first-heartbeat', pid: child.pid, afterMs: this.now() - this.startedAt });
      }
      this.lastBeat = this.now();
    });
    let settled = false;
    child.once('error', (e) => {
      // Spawn failure (ENOENT, EACCES): no 'exit' follows when there never was a process.
      if (child.pid === undefined && !settled) {
        settled = true;
        this.log.error({ err: e.message, command: this.opts.command }, 'watchdog: cannot start the core');
        this.onExit(null, null, 'spawn-error');
      }
    });
    child.once('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      const reason: ExitReason = this.killedForHang ? 'hang' : code === EXIT_CONFIG ? 'config' : code === EXIT_RESTART_REQUESTED ? 'requested' : code === 0 ? 'clean-exit' : 'crash';
      this.onExit(code, signal, reason);
    });
    const tick = Math.max(20, Math.floor(this.opts.heartbeatMs / 2));
    this.hangTimer = setInterval(() => this.checkHang(), tick);
  }

  private checkHang(): void {
    const child = this.child;
    if (!child || this.st !== 'running' || this.killedForHang) return;
    const t = this.now();
    const limit = this.lastBeat === null ? this.opts.startupGraceMs : this.opts.heartbeatMs * this.opts.missedHeartbeats;
    const since = this.lastBeat ?? this.startedAt;
    if (t - since <= limit) return;
    this.killedForHang = true;
    this.log.error({ childPid: child.pid, silentMs: t - since, firstHeartbeat: this.lastBeat === null }, 'watchdog: core hung (no heartbeat): SIGKILL');
    this.emitEvent({ type: 'hang', pid: child.pid, silentMs: t - since });
    child.kill('SIGKILL');
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, reason: ExitReason): void {
    const pid = this.child?.pid;
    this.child = null;
    this.clearTimers();
    const uptimeMs = this.now() - this.startedAt;
    if (this.st === 'stopping' || this.st === 'stopped') return;
    this.lastExit = reason === 'hang' ? 'hang' : signal ? `signal ${signal}` : reason === 'spawn-error' ? 'spawn error' : `exit code ${code}`;
    if (reason === 'requested') this.lastExit = 'restart requested';
    const level = reason === 'requested' ? 'info' : reason === 'clean-exit' ? 'warn' : 'error';
    this.log[level]({ childPid: pid, code, signal, reason, uptimeMs }, `watchdog: core ${reason === 'hang' ? 'killed after a hang' : `exited (${this.lastExit})`}`);
    this.emitEvent({ type: 'exited', pid, code, signal, reason, uptimeMs });
    if (reason === 'config') {
      this.giveUp('config');
      return;
    }
    if (reason === 'requested') {
      // Not a failure: no back-off, not counted toward the crash loop.
      this.emitEvent({ type: 'restart-scheduled', attempt: this.restartTimes.length, delayMs: 0, reason });
      this.launch();
      return;
    }
    const stableMs = this.opts.stableMs ?? Math.max(30_000, 4 * this.opts.backoff.maxMs);
    if (uptimeMs >= stableMs) this.failures = 0;
    this.failures++;
    const t = this.now();
    this.restartTimes = this.restartTimes.filter((x) => t - x < this.opts.crashLoop.windowMs);
    if (this.restartTimes.length >= this.opts.crashLoop.maxRestarts) {
      this.giveUp('crash-loop');
      return;
    }
    this.restartTimes.push(t);
    const delayMs = backoffDelay(this.failures, this.opts.backoff);
    this.st = 'backoff';
    this.log.warn({ attempt: this.restartTimes.length, delayMs, reason }, 'watchdog: restarting the core after back-off');
    this.emitEvent({ type: 'restart-scheduled', attempt: this.restartTimes.length, delayMs, reason });
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = null;
      if (this.st === 'backoff') this.launch();
    }, delayMs);
  }

  private giveUp(reason: 'crash-loop' | 'config'): void {
    this.st = 'failed';
    this.log.error(
      { reason, restarts: this.restarts, windowMs: this.opts.crashLoop.windowMs },
      reason === 'config' ? 'watchdog: the core rejected its configuration: not restarting' : 'watchdog: crash loop: giving up',
    );
    this.emitEvent({ type: 'gave-up', reason, restarts: this.restarts });
    this.resolveDone({ outcome: 'gave-up', reason });
  }

  private finish(o: WatchdogOutcome): void {
    this.st = 'stopped';
    this.child = null;
    this.emitEvent({ type: 'stopped' });
    this.resolveDone(o);
  }

  private clearTimers(): void {
    if (this.hangTimer) clearInterval(this.hangTimer);
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.hangTimer = null;
    this.backoffTimer = null;
  }
}

/**
 * The service entry point: runs the watchdog until SIGINT/SIGTERM (stops the core, exit 0) or until it gives up
 * (exit 70, or 78 for a configuration error). Resolves with the process exit code.
 */
export async function runWatchdog(opts: WatchdogOptions): Promise<number> {
  const wd = new Watchdog(opts);
  const onSignal = (sig: NodeJS.Signals) => {
    opts.log?.info({ signal: sig }, 'watchdog: stopping the core');
    void wd.stop('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    wd.start();
    const o = await wd.done;
    if (o.outcome === 'stopped') return 0;
    return o.reason === 'config' ? EXIT_CONFIG : EXIT_GAVE_UP;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
