/**
 * A byte-oriented view of a serial Duplex (a `SerialPort`, a pty, a test stream): incoming bytes are buffered and
 * taken by parsers with a timeout; writes resolve when the stream accepted them. When the stream closes or errors,
 * every pending and later operation rejects with `LinkError('closed')`, so a vanished device never hangs a command.
 */
import type { Duplex } from 'node:stream';
import { LinkError } from './link-errors';
import { realTimers, type Timers } from './timers';

/** Looks at the buffered bytes: null = need more; otherwise the value and how many bytes it consumed. */
export type ByteParser<T> = (buf: Buffer) => { value: T; consumed: number } | null;

interface Waiter {
  attempt(): boolean;
  fail(e: LinkError): void;
}

export class ByteLink {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: Waiter | null = null;
  private closedReason: string | null = null;
  private readonly closeListeners = new Set<() => void>();
  /** Writes whose callback has not fired yet: a port that dies mid-write may never call it. */
  private readonly pendingWrites = new Set<(e: LinkError) => void>();

  constructor(
    private readonly stream: Duplex,
    private readonly timers: Timers = realTimers,
  ) {
    stream.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
      if (this.waiter?.attempt()) this.waiter = null;
    });
    // An 'error' listener is mandatory: an unhandled stream error would crash the process.
    stream.on('error', (e: Error) => this.markClosed(`port error: ${e.message}`));
    stream.on('close', () => this.markClosed('port closed'));
    stream.on('end', () => this.markClosed('port ended'));
    if (stream.destroyed) this.markClosed('port already closed');
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  onClosed(fn: () => void): () => void {
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closedReason) return Promise.reject(new LinkError('closed', this.closedReason));
    return new Promise((resolve, reject) => {
      const abort = (e: LinkError) => reject(e);
      this.pendingWrites.add(abort);
      try {
        this.stream.write(Buffer.from(bytes), (err) => {
          this.pendingWrites.delete(abort);
          if (err) {
            this.markClosed(`write failed: ${err.message}`);
            reject(new LinkError('closed', `write failed: ${err.message}`));
          } else resolve();
        });
      } catch (e) {
        this.pendingWrites.delete(abort);
        reject(new LinkError('closed', `write failed: ${(e as Error).message}`));
      }
    });
  }

  /** Drops buffered input (stale bytes from an earlier, abandoned exchange). */
  discardInput(): void {
    this.buf = Buffer.alloc(0);
  }

  /** Waits up to timeoutMs for the parser to find a value in the incoming bytes. */
  read<T>(parser: ByteParser<T>, timeoutMs: number, what: string): Promise<T> {
    if (this.waiter) return Promise.reject(new Error('ByteLink: concurrent reads are not supported'));
    return new Promise<T>((resolve, reject) => {
      let timer: unknown = null;
      const finish = () => {
        if (timer !== null) this.timers.clearTimeout(timer);
        timer = null;
      };
      const waiter: Waiter = {
        attempt: () => {
          const r = parser(this.buf);
          if (!r) return false;
          this.buf = this.buf.subarray(r.consumed);
          finish();
          resolve(r.value);
          return true;
        },
        fail: (e) => {
          finish();
          reject(e);
        },
      };
      if (waiter.attempt()) return;
      if (this.closedReason) return reject(new LinkError('closed', this.closedReason));
      this.waiter = waiter;
      timer = this.timers.setTimeout(() => {
        if (this.waiter === waiter) this.waiter = null;
        timer = null;
        reject(new LinkError('timeout', `no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  /** Reads exactly n bytes. */
  readBytes(n: number, timeoutMs: number, what: string): Promise<Buffer> {
    return this.read((b) => (b.length >= n ? { value: Buffer.from(b.subarray(0, n)), consumed: n } : null), timeoutMs, what);
  }

  private markClosed(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    const w = this.waiter;
    this.waiter = null;
    w?.fail(new LinkError('closed', reason));
    for (const abort of [...this.pendingWrites]) abort(new LinkError('closed', reason));
    this.pendingWrites.clear();
    for (const fn of [...this.closeListeners]) fn();
  }
}
