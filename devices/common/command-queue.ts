/**
 * One command queue per device (XFS4IoT: a service executes its commands one at a time, in arrival order).
 *
 * - Per-command timeouts complete the command with `timeOut`.
 * - `cancel(ids)` (Common.Cancel) completes queued commands with `canceled` at once; a running command is
 *   aborted (its AbortSignal fires and the device's cancel hook runs) and completes with the device's own
 *   answer if it arrives within the grace period (a device that already moved money must say so, never a
 *   made-up `canceled`), else with `canceled`.
 * - A device that disappears never hangs a command: a rejected promise completes with `hardwareError`,
 *   `failAll()` (transport closed) completes everything with `deviceNotReady`, and a device that never
 *   answers after a timeout/cancel is abandoned after the grace period so the next command can run.
 */
import { fail, systemClock, type Clock, type Completion, type CompletionCode } from './types';

export type RequestKey = number | string;

export interface CommandQueueOptions {
  clock?: Clock;
  /** Timeout for commands that give none (0 = none). */
  defaultTimeoutMs?: number;
  /** How long a timed-out/canceled command may take to give its own answer before it is abandoned. */
  graceMs?: number;
  /** Queued + running commands beyond which `run` answers `deviceNotReady` at once (0 = unbounded). */
  maxPending?: number;
}

export interface RunOptions {
  requestId?: RequestKey;
  /** Milliseconds from the start of execution; 0 or undefined = the queue default. */
  timeoutMs?: number;
  /** Asks the device to stop (e.g. CardReaderService.cancel). Called on cancel and on timeout. */
  onCancel?: () => void;
}

type AnyCompletion = Completion<unknown, string>;

interface Entry {
  readonly requestId: RequestKey | undefined;
  readonly exec: (signal: AbortSignal) => Promise<AnyCompletion>;
  readonly timeoutMs: number;
  readonly onCancel: (() => void) | undefined;
  readonly abort: AbortController;
  /** Set when the command was interrupted (timeout/cancel); the reason it will complete with. */
  interrupted: 'timeOut' | 'canceled' | null;
  done: boolean;
  finish(c: AnyCompletion): void;
  /** Resolves when the queue may move on from this entry. */
  release: () => void;
}

const errorName = (e: unknown): string => (e instanceof Error ? e.name : typeof e);

export class CommandQueue {
  private readonly waiting: Entry[] = [];
  private running: Entry | null = null;
  private readonly clock: Clock;
  private readonly defaultTimeoutMs: number;
  private readonly graceMs: number;
  private readonly maxPending: number;

  constructor(opts: CommandQueueOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 0;
    this.graceMs = opts.graceMs ?? 2000;
    this.maxPending = opts.maxPending ?? 0;
  }

  /** Number of queued plus running commands. */
  get pending(): number {
    return this.waiting.length + (this.running && !this.running.done ? 1 : 0);
  }

  /** True when a command with this request id is queued or running. */
  has(requestId: RequestKey): boolean {
    return this.entries().some((e) => e.requestId === requestId);
  }

  run<T, E extends string>(exec: (signal: AbortSignal) => Promise<Completion<T, E>>, opts: RunOptions = {}): Promise<Completion<T, E>> {
    if (this.maxPending > 0 && this.pending >= this.maxPending) {
      return Promise.resolve(fail<E, T>('deviceNotReady', 'too many commands queued'));
    }
    return new Promise<Completion<T, E>>((resolve) => {
      const entry: Entry = {
        requestId: opts.requestId,
        exec: exec as Entry['exec'],
        timeoutMs: opts.timeoutMs && opts.timeoutMs > 0 ? opts.timeoutMs : this.defaultTimeoutMs,
        onCancel: opts.onCancel,
        abort: new AbortController(),
        interrupted: null,
        done: false,
        finish: (c) => {
          if (entry.done) return;
          entry.done = true;
          resolve(c as Completion<T, E>);
        },
        release: () => undefined,
      };
      this.waiting.push(entry);
      void this.pump();
    });
  }

  /**
   * Common.Cancel: cancels the commands with these request ids (all when `ids` is undefined).
   * Returns how many commands matched.
   */
  cancel(ids?: readonly RequestKey[]): number {
    const match = (e: Entry) => ids === undefined || (e.requestId !== undefined && ids.includes(e.requestId));
    let n = 0;
    for (const e of [...this.waiting]) {
      if (!match(e)) continue;
      n++;
      this.waiting.splice(this.waiting.indexOf(e), 1);
      e.finish(fail('canceled', 'command canceled before it started'));
    }
    const r = this.running;
    if (r && !r.done && match(r)) {
      n++;
      this.interrupt(r, 'canceled');
    }
    return n;
  }

  /** The device or its transport is gone: every queued and running command completes with `code` now. */
  failAll(code: Extract<CompletionCode, 'deviceNotReady' | 'hardwareError'> = 'deviceNotReady', description = 'device not available'): void {
    for (const e of this.waiting.splice(0)) e.finish(fail(code, description));
    const r = this.running;
    if (r && !r.done) {
      r.abort.abort(new Error(description));
      r.finish(fail(code, description));
      r.release();
    }
  }

  private entries(): Entry[] {
    return [...(this.running && !this.running.done ? [this.running] : []), ...this.waiting];
  }

  private interrupt(e: Entry, reason: 'timeOut' | 'canceled'): void {
    if (e.done || e.interrupted) return;
    e.interrupted = reason;
    e.abort.abort(new Error(reason));
    try {
      e.onCancel?.();
    } catch {
      // A failing cancel hook must not stop the command from completing.
    }
    const grace = new AbortController();
    this.clock.sleep(this.graceMs, grace.signal).then(
      () => {
        e.finish(fail(reason, reason === 'timeOut' ? 'command timed out' : 'command canceled'));
        e.release();
      },
      () => undefined,
    );
    const stop = () => grace.abort();
    const prevRelease = e.release;
    e.release = () => {
      stop();
      prevRelease();
    };
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    const e = this.waiting.shift();
    if (!e) return;
    this.running = e;
    const timer = new AbortController();
    await new Promise<void>((release) => {
      let released = false;
      e.release = () => {
        if (released) return;
        released = true;
        release();
      };
      if (e.timeoutMs > 0) {
        this.clock.sleep(e.timeoutMs, timer.signal).then(() => this.interrupt(e, 'timeOut'), () => undefined);
      }
      let device: Promise<AnyCompletion>;
      try {
        device = e.exec(e.abort.signal);
      } catch (err) {
        device = Promise.reject(err);
      }
      device.then(
        (c) => e.finish(e.interrupted && c.completionCode === 'canceled' ? fail(e.interrupted, c.errorDescription ?? e.interrupted) : c),
        (err: unknown) => e.finish(fail('hardwareError', `device failed (${errorName(err)})`)),
      ).finally(() => e.release());
    });
    timer.abort();
    this.running = null;
    void this.pump();
  }
}

/** Names of the methods of S that return a Promise of a Completion (the device commands). */
export type CommandMethods<S> = {
  [K in keyof S]: S[K] extends (...args: never[]) => Promise<Completion<unknown, string>> ? K : never;
}[keyof S] &
  string;

export interface QueuedOptions<S> extends CommandQueueOptions {
  /** The methods that are device commands and go through the queue. */
  commands: ReadonlyArray<CommandMethods<S>>;
  /** Per-method timeouts in ms. */
  timeouts?: Partial<Record<CommandMethods<S>, number>>;
  /** For methods that take an AbortSignal: its parameter index (e.g. `{ readRawData: 1 }`). */
  signalArg?: Partial<Record<CommandMethods<S>, number>>;
  /** Device-level cancel (e.g. `() => reader.cancel()`), run when a running command is canceled or times out. */
  onCancel?: (method: CommandMethods<S>) => void;
}

export type Queued<S> = S & { readonly queue: CommandQueue };

/**
 * Wraps a device service so that its command methods run through one CommandQueue: strictly one at a time,
 * with timeouts, and a caller's AbortSignal becomes a Common.Cancel of that command. Other members
 * (status(), events, ...) pass through unchanged.
 */
export function queued<S extends object>(service: S, opts: QueuedOptions<S>): Queued<S> {
  const queue = new CommandQueue(opts);
  const commands = new Set<string>(opts.commands);
  let nextId = 1;
  return new Proxy(service, {
    get(target, prop, receiver) {
      if (prop === 'queue') return queue;
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !commands.has(prop) || typeof value !== 'function') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      const method = prop as CommandMethods<S>;
      const fn = value as (...a: unknown[]) => Promise<Completion<unknown, string>>;
      return (...args: unknown[]) => {
        const requestId = `${method}#${nextId++}`;
        const sigIdx = opts.signalArg?.[method];
        const callerSignal = sigIdx === undefined ? undefined : (args[sigIdx] as AbortSignal | undefined);
        const onCallerAbort = () => queue.cancel([requestId]);
        if (callerSignal?.aborted) return Promise.resolve(fail('canceled', 'command canceled before it started'));
        callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
        return queue
          .run(
            (signal) => {
              const callArgs = [...args];
              if (sigIdx !== undefined) {
                while (callArgs.length < sigIdx) callArgs.push(undefined);
                callArgs[sigIdx] = signal;
              }
              return fn.apply(target, callArgs);
            },
            { requestId, timeoutMs: opts.timeouts?.[method], onCancel: opts.onCancel ? () => opts.onCancel?.(method) : undefined },
          )
          .finally(() => callerSignal?.removeEventListener('abort', onCallerAbort));
      };
    },
  }) as Queued<S>;
}
