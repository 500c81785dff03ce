/**
 * The ATM's ISO 8583 TCP client (node:net): one connection, many requests in flight, responses matched on
 * MTI class/function + field 41 + field 11 (see matching.ts).
 *
 * - `request()` resolves with the response or rejects with HostTimeoutError / HostOfflineError
 *   (or Iso8583Error / DuplicateRequestError for a request that cannot be sent), so callers can branch.
 * - A response to a request that already timed out is emitted as 'lateResponse' (the ATM must reverse it).
 * - Frames that cannot be decoded (Iso8583Error), that match nothing (UnmatchedResponseError) or that break the
 *   framing (FramingError; the connection is then dropped) are emitted as 'protocolError'; nothing throws.
 * - 'online' when the TCP connection is up; 'offline' when it drops, cannot be made, or after
 *   `maxConsecutiveFailures` consecutive timeouts (requests or echoes), in which case the connection is
 *   dropped and re-made. Reconnects back off exponentially with jitter (backoff.ts).
 * - While idle for `echo.intervalMs` it sends `echo.build()` (an 0800 with field 70 = 301).
 * - `request()` while not connected rejects at once with HostOfflineError('notConnected'): it does not queue.
 */
import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { packIso, unpackIso, type IsoMessage, type Packager } from '../iso8583';
import { backoffDelay, type Backoff } from './backoff';
import { DuplicateRequestError, FramingError, HostOfflineError, HostTimeoutError, UnmatchedResponseError } from './errors';
import { FrameDecoder, encodeFrame, type Framing } from './framing';
import { requestKey, responseKey } from './matching';
import { rememberRawFrame } from './raw-frames';
import { realTimers, type Timers } from './timers';

export interface IsoClientOptions {
  host: string;
  port: number;
  packager: Packager;
  framing: Framing;
  requestTimeoutMs: number;
  reconnect: Backoff;
  echo?: { intervalMs: number; build(): IsoMessage };
  /** Consecutive timeouts (requests or echoes) that take the link offline. Default 3. */
  maxConsecutiveFailures?: number;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Largest accepted frame, bytes. Default 8192. */
  maxFrame?: number;
  /** How long a timed-out request's response is still recognised as late. Default 10 min. */
  lateResponseWindowMs?: number;
  timers?: Timers;
  random?: () => number;
}

export type IsoClientEvents = {
  online: [];
  offline: [];
  lateResponse: [IsoMessage];
  protocolError: [Error];
};

interface Pending {
  mti: string;
  echo: boolean;
  timeoutMs: number;
  timer: unknown;
  resolve(msg: IsoMessage): void;
  reject(e: Error): void;
}

const MAX_LATE_KEYS = 1000;

export class IsoClient extends EventEmitter<IsoClientEvents> {
  private readonly timers: Timers;
  private readonly random: () => number;
  private socket: Socket | null = null;
  private decoder: FrameDecoder | null = null;
  private connected = false;
  private stopped = true;
  private state: 'unknown' | 'online' | 'offline' = 'unknown';
  private attempt = 0;
  private failures = 0;
  private reconnectTimer: unknown = null;
  private connectTimer: unknown = null;
  private echoTimer: unknown = null;
  private readonly pending = new Map<string, Pending>();
  private readonly late = new Map<string, { expires: number; echo: boolean }>();

  constructor(private readonly o: IsoClientOptions) {
    super();
    this.timers = o.timers ?? realTimers;
    this.random = o.random ?? Math.random;
    new FrameDecoder(o.framing); // validates the framing (TPDU) now rather than in a reconnect timer
  }

  isOnline(): boolean {
    return this.connected;
  }

  /** The packager on the wire (a MAC is computed over its encoding). */
  get packager(): Packager {
    return this.o.packager;
  }

  /** Requests awaiting a response. */
  get inFlight(): number {
    return this.pending.size;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clear('reconnectTimer');
    this.clear('connectTimer');
    this.clear('echoTimer');
    this.failAll('stopped');
    const sock = this.socket;
    this.socket = null;
    this.decoder = null;
    this.connected = false;
    sock?.destroy();
    this.setState('offline');
  }

  request(msg: IsoMessage, opts: { timeoutMs?: number } = {}): Promise<IsoMessage> {
    return this.send(msg, opts.timeoutMs ?? this.o.requestTimeoutMs, false);
  }

  private send(msg: IsoMessage, timeoutMs: number, echo: boolean): Promise<IsoMessage> {
    let frame: Buffer;
    let canonical: IsoMessage;
    try {
      const packed = packIso(msg, this.o.packager);
      canonical = unpackIso(packed, this.o.packager);
      frame = encodeFrame(packed, this.o.framing);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const sock = this.socket;
    if (!this.connected || !sock || sock.destroyed) return Promise.reject(new HostOfflineError(canonical.mti, this.stopped ? 'stopped' : 'notConnected'));
    const key = requestKey(canonical);
    if (this.pending.has(key)) return Promise.reject(new DuplicateRequestError(canonical.mti));
    return new Promise<IsoMessage>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => this.onTimeout(key), timeoutMs);
      this.pending.set(key, { mti: canonical.mti, echo, timeoutMs, timer, resolve, reject });
      this.late.delete(key);
      sock.write(frame);
      this.armEcho();
    });
  }

  private connect(): void {
    const sock = createConnection({ host: this.o.host, port: this.o.port });
    this.socket = sock;
    this.decoder = new FrameDecoder(this.o.framing, this.o.maxFrame ?? 8192);
    this.connectTimer = this.timers.setTimeout(() => sock.destroy(), this.o.connectTimeoutMs ?? 10_000);
    sock.setNoDelay(true);
    sock.on('connect', () => {
      if (sock !== this.socket) return;
      this.clear('connectTimer');
      this.connected = true;
      this.attempt = 0;
      this.failures = 0;
      this.setState('online');
      this.armEcho();
    });
    sock.on('data', (chunk: Buffer) => this.onData(sock, chunk));
    sock.on('error', () => undefined); // 'close' follows and handles it
    sock.on('close', () => this.onClose(sock));
  }

  private onClose(sock: Socket): void {
    if (sock !== this.socket) return;
    this.clear('connectTimer');
    this.clear('echoTimer');
    this.socket = null;
    this.decoder = null;
    this.connected = false;
    this.failAll('disconnected');
    this.setState('offline');
    if (!this.stopped) {
      const delay = backoffDelay(this.attempt++, this.o.reconnect, this.random);
      this.reconnectTimer = this.timers.setTimeout(() => {
        this.reconnectTimer = null;
        if (!this.stopped && !this.socket) this.connect();
      }, delay);
    }
  }

  private onData(sock: Socket, chunk: Buffer): void {
    if (sock !== this.socket || !this.decoder) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.emit('protocolError', e instanceof Error ? e : new FramingError(String(e)));
      sock.destroy();
      return;
    }
    for (const frame of frames) this.onFrame(frame);
  }

  private onFrame(frame: Buffer): void {
    let msg: IsoMessage;
    try {
      msg = unpackIso(frame, this.o.packager);
    } catch (e) {
      this.emit('protocolError', e instanceof Error ? e : new Error(String(e)));
      return;
    }
    rememberRawFrame(msg, frame);
    this.armEcho();
    const key = responseKey(msg);
    const p = this.pending.get(key);
    if (p) {
      this.pending.delete(key);
      this.timers.clearTimeout(p.timer);
      this.failures = 0;
      p.resolve(msg);
      return;
    }
    const late = this.late.get(key);
    if (late && late.expires >= this.timers.now()) {
      this.late.delete(key);
      if (!late.echo) this.emit('lateResponse', msg);
      return;
    }
    this.emit('protocolError', new UnmatchedResponseError(msg.mti));
  }

  private onTimeout(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    this.rememberLate(key, p.echo);
    p.reject(new HostTimeoutError(p.mti, p.timeoutMs));
    this.failures++;
    if (this.failures >= (this.o.maxConsecutiveFailures ?? 3)) {
      this.failures = 0;
      this.socket?.destroy(); // -> onClose: offline, pending rejected, reconnect
    }
  }

  private rememberLate(key: string, echo: boolean): void {
    const now = this.timers.now();
    for (const [k, v] of this.late) if (v.expires < now || this.late.size >= MAX_LATE_KEYS) this.late.delete(k);
    this.late.set(key, { expires: now + (this.o.lateResponseWindowMs ?? 600_000), echo });
  }

  private armEcho(): void {
    const echo = this.o.echo;
    if (!echo || !this.connected) return;
    this.clear('echoTimer');
    this.echoTimer = this.timers.setTimeout(() => {
      this.echoTimer = null;
      if (!this.connected) return;
      if (this.pending.size > 0) return this.armEcho();
      let msg: IsoMessage;
      try {
        msg = echo.build();
      } catch (e) {
        this.emit('protocolError', e instanceof Error ? e : new Error(String(e)));
        return this.armEcho();
      }
      this.send(msg, this.o.requestTimeoutMs, true).then(
        () => undefined,
        () => undefined, // timeouts are counted in onTimeout
      );
    }, echo.intervalMs);
  }

  private failAll(reason: 'disconnected' | 'stopped'): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      this.timers.clearTimeout(p.timer);
      p.reject(new HostOfflineError(p.mti, reason));
    }
  }

  private clear(name: 'reconnectTimer' | 'connectTimer' | 'echoTimer'): void {
    if (this[name] !== null) this.timers.clearTimeout(this[name]);
    this[name] = null;
  }

  private setState(s: 'online' | 'offline'): void {
    if (this.state === s) return;
    this.state = s;
    this.emit(s);
  }
}
