/**
 * The core's side of the watchdog (main/ops/watchdog.ts): a heartbeat `{ type: 'heartbeat' }` over the Node IPC
 * channel every intervalMs. A blocked event loop sends nothing, which is how the watchdog detects a hang.
 * Without an IPC channel (not started by the watchdog) it does nothing.
 */

export interface HeartbeatMessage {
  type: 'heartbeat';
  pid: number;
  /** Milliseconds since the epoch when it was sent. */
  at: number;
  seq: number;
}

export interface HeartbeatOptions {
  /** Defaults to process.send (present only when spawned with an IPC channel). */
  send?: ((msg: HeartbeatMessage) => unknown) | undefined;
  /** Return false to withhold the heartbeat (e.g. a stuck database): the watchdog then restarts the core. */
  healthy?: () => boolean;
  now?: () => number;
}

export function isSupervised(): boolean {
  return typeof process.send === 'function' && process.connected;
}

/** Starts sending heartbeats; returns a stop function. The timer does not keep the process alive. */
export function startHeartbeat(intervalMs = 2000, opts: HeartbeatOptions = {}): () => void {
  const send = opts.send ?? (process.send ? (m: HeartbeatMessage) => process.connected && process.send!(m) : undefined);
  if (!send) return () => {};
  const now = opts.now ?? Date.now;
  let seq = 0;
  const beat = () => {
    if (opts.healthy && !opts.healthy()) return;
    try {
      send({ type: 'heartbeat', pid: process.pid, at: now(), seq: seq++ });
    } catch {
      // The channel closed (the watchdog went away): nothing to report to.
    }
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** What the watchdog tells a restarted core (environment of the child): for the journal. */
export interface RestartInfo {
  restarts: number;
  reason: string | undefined;
}

export function watchdogRestartInfo(env: NodeJS.ProcessEnv = process.env): RestartInfo | null {
  const n = Number(env.ATM_WATCHDOG_RESTARTS ?? '');
  if (!Number.isInteger(n) || n <= 0) return null;
  return { restarts: n, reason: env.ATM_WATCHDOG_LAST_EXIT || undefined };
}
