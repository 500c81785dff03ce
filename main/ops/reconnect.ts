/**
 * Device reconnection after USB/serial loss, for any adapter: keeps trying `open()` with exponential back-off,
 * watches the open handle for loss (a 'close'/'error' event, or the adapter calling lost()), closes what is
 * left of it and starts over. Emits 'online' (with the handle) and 'offline' (with the cause) on transitions,
 * so the device service can report `deviceNotReady`/`StatusChangedEvent` while the cable is out.
 *
 *   const link = new Reconnector({ name: 'printer', open: () => openSerialPort({ path, baudRate }),
 *     close: closeSerialPort, watch: watchEvents(['close', 'error']) });
 *   link.on('online', (port) => printer.attach(port)); link.on('offline', () => printer.detach());
 *   link.start();
 */
import { EventEmitter } from 'node:events';

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor?: number;
}

export interface ReconnectOptions<T> {
  /** For logs. */
  name: string;
  open: () => Promise<T>;
  close?: (handle: T) => unknown;
  /** Calls `lost` when the handle dies; may return an unsubscribe function. */
  watch?: (handle: T, lost: (cause?: Error) => void) => (() => void) | void;
  backoff?: Backoff;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

export type LinkState = 'idle' | 'connecting' | 'online' | 'waiting' | 'stopped';

/** `watch` for handles that are event emitters (serialport's SerialPort: 'close' on unplug, 'error'). */
export function watchEvents(events: string[] = ['close', 'error']) {
  return <T extends { on(e: string, fn: (...a: unknown[]) => void): unknown; off?(e: string, fn: (...a: unknown[]) => void): unknown; removeListener?(e: string, fn: (...a: unknown[]) => void): unknown }>(handle: T, lost: (cause?: Error) => void) => {
    const fn = (...a: unknown[]) => lost(a[0] instanceof Error ? a[0] : undefined);
    for (const e of events) handle.on(e, fn);
    return () => {
      for (const e of events) (handle.off ?? handle.removeListener)?.call(handle, e, fn);
    };
  };
}

export class Reconnector<T> extends EventEmitter<{ online: [T]; offline: [Error | undefined]; attemptFailed: [Error, number]; stopped: [] }> {
  private st: LinkState = 'idle';
  private current: T | null = null;
  private unwatch: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private readonly backoff: Required<Backoff>;

  constructor(private readonly opts: ReconnectOptions<T>) {
    super();
    this.backoff = { factor: 2, ...(opts.backoff ?? { initialMs: 500, maxMs: 30_000 }) };
  }

  get state(): LinkState {
    return this.st;
  }
  get online(): boolean {
    return this.st === 'online';
  }
  get handle(): T | null {
    return this.current;
  }

  start(): void {
    if (this.st !== 'idle') return;
    void this.connect();
  }

  /** The adapter noticed the device is gone (a write failed, a status poll timed out). */
  lost(cause?: Error): void {
    if (this.st !== 'online') return;
    const handle = this.current;
    this.unwatch?.();
    this.unwatch = null;
    this.current = null;
    this.opts.log?.warn({ device: this.opts.name, cause: cause?.message }, 'device lost: reconnecting');
    if (handle !== null) {
      try {
        void Promise.resolve(this.opts.close?.(handle)).catch(() => {});
      } catch {
        // already gone
      }
    }
    this.emit('offline', cause);
    this.attempt = 0;
    this.schedule();
  }

  /** Resolves with the handle once online (null after timeoutMs or stop()). */
  waitOnline(timeoutMs: number): Promise<T | null> {
    if (this.st === 'online') return Promise.resolve(this.current);
    if (this.st === 'stopped') return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = (h: T | null) => {
        clearTimeout(t);
        this.off('online', done);
        this.off('stopped', onStop);
        resolve(h);
      };
      const onStop = () => done(null);
      const t = setTimeout(onStop, timeoutMs);
      this.on('online', done);
      this.on('stopped', onStop);
    });
  }

  async stop(): Promise<void> {
    const handle = this.current;
    const wasOnline = this.st === 'online';
    this.st = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.unwatch?.();
    this.unwatch = null;
    this.current = null;
    if (handle !== null) await Promise.resolve(this.opts.close?.(handle)).catch(() => {});
    if (wasOnline) this.emit('offline', undefined);
    this.emit('stopped');
  }

  /** Delay before attempt n (1-based) of a series. */
  delay(n: number): number {
    return Math.min(this.backoff.maxMs, Math.round(this.backoff.initialMs * this.backoff.factor ** Math.max(0, n - 1)));
  }

  private schedule(): void {
    if (this.st === 'stopped') return;
    this.st = 'waiting';
    const d = this.delay(++this.attempt);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, d);
  }

  private async connect(): Promise<void> {
    if (this.st === 'stopped') return;
    this.st = 'connecting';
    let handle: T;
    try {
      handle = await this.opts.open();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (this.attempt === 0 || this.attempt % 10 === 0) this.opts.log?.warn({ device: this.opts.name, attempt: this.attempt + 1, err: err.message }, 'device open failed: retrying');
      this.emit('attemptFailed', err, this.attempt + 1);
      this.schedule();
      return;
    }
    if ((this.st as LinkState) === 'stopped') {
      await Promise.resolve(this.opts.close?.(handle)).catch(() => {});
      return;
    }
    this.current = handle;
    this.st = 'online';
    this.attempt = 0;
    this.unwatch = this.opts.watch?.(handle, (cause) => this.lost(cause)) ?? null;
    this.opts.log?.info({ device: this.opts.name }, 'device online');
    this.emit('online', handle);
  }
}
