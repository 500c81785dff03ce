/**
 * A device service that survives USB/serial loss. The kiosk holds one stable service object; underneath, a
 * Reconnector (main/ops/reconnect.ts) opens the port, builds the real adapter on it (and initialises it), and
 * on loss (port closed/errored, initialisation failing) throws the adapter away and starts over with back-off.
 *
 * While the device is away:
 *   - `status()` is the last known status with `device: 'offline'` and a detail naming the cause;
 *   - commands complete at once with `deviceNotReady` (never hang, never throw);
 *   - synchronous queries answer from the `offline` fallbacks (e.g. last known cash units);
 *   - a `statusChanged` event is emitted on each transition, so status, monitoring and the machine see it.
 * Events of the live adapter are forwarded on the stable `events` emitter.
 */
import { fail, TypedEmitter, type CommonStatus } from '../../devices/common/types';
import { Reconnector, type Backoff } from '../ops/reconnect';

interface ServiceShape<St extends CommonStatus> {
  readonly events: TypedEmitter<Record<string, unknown>>;
  status(): St;
}

export interface ReconnectingDeviceOptions<S, St extends CommonStatus, H> {
  /** For logs, errors and the journal: `printer`, `dispenser`, `cardReader`. */
  name: string;
  open(): Promise<H>;
  close(handle: H): unknown;
  /** Calls `lost` when the handle dies (port 'close'/'error'). */
  watch?(handle: H, lost: (cause?: Error) => void): (() => void) | void;
  /** Builds (and initialises) the adapter over an open handle; a throw counts as a failed attempt. */
  make(handle: H): Promise<S>;
  /** Names of the adapter's events to forward. */
  events: readonly string[];
  /** Status to report before the device was ever seen. */
  initialStatus: St;
  /** Answers for synchronous methods while offline (e.g. `cashUnits`, `capabilities`, `cancel`). */
  offline?: Record<string, (last: S | null) => unknown>;
  backoff?: Backoff;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
  /** Transition hook (journal, logs). */
  onChange?(online: boolean, detail: string): void;
}

export interface ReconnectingDevice<S> {
  service: S;
  readonly online: boolean;
  /** Resolves true once online, false after timeoutMs. */
  waitOnline(timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export function reconnectingDevice<S extends object, St extends CommonStatus, H>(opts: ReconnectingDeviceOptions<S, St, H>): ReconnectingDevice<S> {
  type Live = { handle: H; service: S };
  const events = new TypedEmitter<Record<string, unknown>>();
  let live: Live | null = null;
  let last: S | null = null;
  let lastStatus: St = opts.initialStatus;
  let cause = 'not yet connected';
  let unsubscribe: Array<() => void> = [];
  /** Last transition reported through onChange (null: none yet), so each is reported once. */
  let reported: boolean | null = null;
  let stopping = false;
  const report = (online: boolean, detail: string) => {
    if (reported === online || stopping) return;
    reported = online;
    opts.onChange?.(online, detail);
  };

  const shape = (s: S) => s as unknown as ServiceShape<St>;
  const offlineStatus = (): St => ({ ...lastStatus, device: 'offline', detail: `${opts.name}: ${cause}` });

  const link = new Reconnector<Live>({
    name: opts.name,
    open: async () => {
      const handle = await opts.open();
      try {
        return { handle, service: await opts.make(handle) };
      } catch (e) {
        await Promise.resolve(opts.close(handle)).catch(() => {});
        throw e;
      }
    },
    close: (l) => opts.close(l.handle),
    watch: (l, lost) => opts.watch?.(l.handle, lost),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  link.on('attemptFailed', (e) => {
    cause = e.message;
    report(false, cause);
  });
  link.on('online', (l) => {
    live = l;
    last = l.service;
    const inner = shape(l.service);
    unsubscribe = opts.events.map((name) =>
      inner.events.on(name, (ev) => {
        if (name === 'statusChanged') lastStatus = ev as St;
        events.emit(name, ev);
      }),
    );
    lastStatus = inner.status();
    events.emit('statusChanged', lastStatus);
    report(true, 'online');
  });
  link.on('offline', (e) => {
    if (live) lastStatus = shape(live.service).status();
    for (const u of unsubscribe) u();
    unsubscribe = [];
    live = null;
    cause = e?.message ?? 'connection lost';
    events.emit('statusChanged', offlineStatus());
    report(false, cause);
  });

  const service = new Proxy({} as S, {
    get(_t, prop) {
      if (prop === 'events') return events;
      if (prop === 'status') return () => (live ? shape(live.service).status() : offlineStatus());
      const current = live?.service;
      if (current) {
        const v = (current as Record<PropertyKey, unknown>)[prop];
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(current) : v;
      }
      if (typeof prop !== 'string') return undefined;
      const fallback = opts.offline?.[prop];
      if (fallback) return () => fallback(last);
      // A command while the device is away: a completion, at once.
      return async () => fail('deviceNotReady', `${opts.name} offline: ${cause}`);
    },
  });

  link.start();
  return {
    service,
    get online() {
      return link.online;
    },
    waitOnline: async (ms) => (await link.waitOnline(ms)) !== null,
    stop: async () => {
      stopping = true; // a shutdown is not a device fault
      for (const u of unsubscribe) u();
      unsubscribe = [];
      await link.stop();
      live = null;
    },
  };
}
