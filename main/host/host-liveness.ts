/**
 * Whether the host is usable, beyond "the TCP connection is up": the link goes offline when the channel
 * drops or after N consecutive unanswered requests (default 3) while connected; then an echo (0800/301) is
 * sent every `echoIntervalMs` until one is answered, which brings it back online. Any answered request
 * also brings it back. A fresh connection is online only once an echo (or any request) is answered
 * (`confirmOnConnect`, default true): the channel re-makes the connection after repeated timeouts, and a
 * host that accepts TCP but answers nothing must not count as online.
 */
export interface LivenessOptions {
  /** Consecutive timeouts that take the link offline while connected. Default 3. */
  offlineAfterTimeouts?: number;
  /** Echo period while connected but offline. Default 5000 ms. */
  echoIntervalMs?: number;
  /** Require an answered echo before a new connection counts as online. Default true. */
  confirmOnConnect?: boolean;
}

export type LivenessCause = 'connected' | 'disconnected' | 'timeouts' | 'answered' | 'signedOn';

export class HostLiveness {
  private connected = false;
  private online = false;
  private timeouts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly o: LivenessOptions,
    private readonly probe: () => Promise<unknown>,
    private readonly changed: (online: boolean, cause: LivenessCause) => void,
  ) {}

  isConnected(): boolean {
    return this.connected;
  }
  isOnline(): boolean {
    return this.online;
  }

  onConnected(): void {
    this.connected = true;
    this.timeouts = 0;
    this.clear();
    if (this.o.confirmOnConnect ?? true) this.schedule(0);
    else this.set(true, 'connected');
  }

  onDisconnected(): void {
    this.connected = false;
    this.clear();
    this.set(false, 'disconnected');
  }

  answered(cause: LivenessCause = 'answered'): void {
    this.timeouts = 0;
    if (this.connected) {
      this.clear();
      this.set(true, cause);
    }
  }

  timedOut(): void {
    this.timeouts++;
    if (this.timeouts >= (this.o.offlineAfterTimeouts ?? 3) && this.connected) {
      this.set(false, 'timeouts');
      this.schedule(this.o.echoIntervalMs ?? 5000);
    }
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  start(): void {
    this.stopped = false;
    if (this.connected && !this.online) this.schedule(0);
  }

  private set(online: boolean, cause: LivenessCause): void {
    if (this.online === online) return;
    this.online = online;
    this.changed(online, cause);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped || !this.connected || this.online) return;
      void this.probe()
        .catch(() => undefined)
        .finally(() => {
          // Not after a disconnect: the next connection probes at once (onConnected).
          if (!this.online && this.connected) this.schedule(this.o.echoIntervalMs ?? 5000);
        });
    }, delayMs);
  }
}
