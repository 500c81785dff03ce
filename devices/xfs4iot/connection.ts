/**
 * Client side of an XFS4IoT service connection: sends commands with unique requestIds, routes
 * acknowledge/event/completion by requestId, hands unsolicited events to listeners, reconnects with
 * exponential back-off, and completes every pending command with `deviceNotReady` when the link drops
 * (never a hang). A command that the service refuses in its acknowledge completes at once.
 */
import WebSocket from 'ws';
import { systemClock, type Clock } from '../common/types';
import { message, outgoingEnvelope, type Payload, type WireCompletion } from './messages';

export interface ConnectionOptions {
  /** e.g. ws://127.0.0.1:5846/xfs4iot/v1.0/CardReader/ */
  uri: string;
  clock?: Clock;
  /** Reconnect back-off: first delay, doubling up to maxMs. */
  backoff?: { initialMs: number; maxMs: number };
  /** Extra time the client waits beyond a command's own timeout before giving up locally. */
  timeoutMarginMs?: number;
}

export interface SendOptions {
  /** XFS4IoT payload timeout in ms (0 = none). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (name: string, payload: Payload) => void;
}

interface Pending {
  name: string;
  resolve: (c: WireCompletion) => void;
  onEvent?: (name: string, payload: Payload) => void;
}

type Listener = (name: string, payload: Payload) => void;

export class Xfs4IotConnection {
  private ws: WebSocket | null = null;
  private nextRequestId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly unsolicited = new Set<Listener>();
  private readonly connectedListeners = new Set<(connected: boolean) => void>();
  private closed = false;
  private attempt = 0;
  private retry: AbortController | null = null;
  private readonly clock: Clock;

  constructor(private readonly opts: ConnectionOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Starts connecting (and reconnecting until close()). */
  start(): void {
    if (this.closed || this.ws) return;
    const ws = new WebSocket(this.opts.uri);
    this.ws = ws;
    let opened = false;
    ws.on('open', () => {
      opened = true;
      this.attempt = 0;
      for (const fn of [...this.connectedListeners]) fn(true);
    });
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.ws === ws) this.ws = null;
      this.dropPending('connection to the service closed');
      if (opened) for (const fn of [...this.connectedListeners]) fn(false);
      this.scheduleReconnect();
    });
  }

  /** Resolves when connected (or after timeoutMs with false). */
  async waitConnected(timeoutMs = 5000): Promise<boolean> {
    if (this.connected) return true;
    return new Promise<boolean>((resolve) => {
      const stop = new AbortController();
      const off = this.onConnectionChange((up) => {
        if (!up) return;
        off();
        stop.abort();
        resolve(true);
      });
      this.clock.sleep(timeoutMs, stop.signal).then(() => {
        off();
        resolve(this.connected);
      }, () => undefined);
    });
  }

  onConnectionChange(fn: (connected: boolean) => void): () => void {
    this.connectedListeners.add(fn);
    return () => this.connectedListeners.delete(fn);
  }

  onUnsolicited(fn: Listener): () => void {
    this.unsolicited.add(fn);
    return () => this.unsolicited.delete(fn);
  }

  /** Sends a command; resolves with its completion payload. Aborting `signal` sends Common.Cancel. */
  send(name: string, payload: Payload = {}, opts: SendOptions = {}): Promise<WireCompletion> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve({ completionCode: 'deviceNotReady', errorDescription: 'not connected to the service' });
    }
    const requestId = this.nextRequestId++;
    return new Promise<WireCompletion>((resolve) => {
      const watchdog = new AbortController();
      const finish = (c: WireCompletion) => {
        watchdog.abort();
        opts.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(requestId);
        resolve(c);
      };
      const onAbort = () => void this.send('Common.Cancel', { requestIds: [requestId] });
      this.pending.set(requestId, { name, resolve: finish, onEvent: opts.onEvent });
      if (opts.signal?.aborted) queueMicrotask(onAbort);
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeoutMs) {
        // The service enforces the timeout; this only guards against a service that never answers.
        this.clock.sleep(opts.timeoutMs + (this.opts.timeoutMarginMs ?? 2000), watchdog.signal).then(
          () => finish({ completionCode: 'timeOut', errorDescription: 'no completion from the service' }),
          () => undefined,
        );
      }
      ws.send(JSON.stringify(message('command', name, requestId, { ...payload, ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}) })));
    });
  }

  /** Request ids of pending commands with this name. */
  pendingIds(name: string): number[] {
    return [...this.pending].filter(([, p]) => p.name === name).map(([id]) => id);
  }

  close(): void {
    this.closed = true;
    this.retry?.abort();
    this.ws?.close();
    this.ws = null;
    this.dropPending('connection closed');
  }

  private dropPending(reason: string): void {
    for (const p of [...this.pending.values()]) p.resolve({ completionCode: 'deviceNotReady', errorDescription: reason });
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 250, maxMs: 10_000 };
    const delay = Math.min(maxMs, initialMs * 2 ** this.attempt++);
    this.retry = new AbortController();
    this.clock.sleep(delay, this.retry.signal).then(() => this.start(), () => undefined);
  }

  private onMessage(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return;
    }
    const msg = outgoingEnvelope.safeParse(raw);
    if (!msg.success) return;
    const { header, payload } = msg.data;
    const p = header.requestId === undefined ? undefined : this.pending.get(header.requestId);
    if (header.type === 'acknowledge') {
      if (!p || payload.status === 'ok') return;
      const code = payload.status === 'invalidRequestID' ? 'invalidRequestID' : payload.status === 'tooManyRequests' ? 'deviceNotReady' : 'invalidCommand';
      p.resolve({ completionCode: code, errorDescription: typeof payload.errorDescription === 'string' ? payload.errorDescription : `command refused: ${String(payload.status)}` });
      return;
    }
    if (header.type === 'completion') {
      if (p) p.resolve({ ...payload, completionCode: typeof payload.completionCode === 'string' ? payload.completionCode : 'internalError' } as WireCompletion);
      return;
    }
    // Intermediate events carry their command's requestId; anything else is unsolicited
    // (accept header type `event` or `unsolicited`, as services differ).
    if (header.type === 'event' && p) {
      p.onEvent?.(header.name, payload);
      return;
    }
    for (const fn of [...this.unsolicited]) fn(header.name, payload);
  }
}
