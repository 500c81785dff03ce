/**
 * XFS4IoT-shaped vocabulary shared by every device service (see ../shared/DESIGN.md, "Device layer").
 * Every command is asynchronous and ends in exactly one completion. Errors are values, never strings to parse.
 */

/** XFS4IoT completion codes (2024-03 header field `completionCode`). */
export type CompletionCode =
  | 'success'
  | 'commandErrorCode'
  | 'canceled'
  | 'deviceNotReady'
  | 'hardwareError'
  | 'internalError'
  | 'invalidCommand'
  | 'invalidRequestID'
  | 'timeOut'
  | 'unsupportedCommand'
  | 'invalidData'
  | 'userError'
  | 'unsupportedData'
  | 'fraudAttempt'
  | 'sequenceError'
  | 'authorisationRequired'
  | 'noCommandNonce'
  | 'invalidToken'
  | 'invalidTokenNonce'
  | 'invalidTokenHMAC'
  | 'invalidTokenFormat'
  | 'invalidTokenKeyNoValue';

/** One command completion. `errorCode` is the command-specific code when completionCode is commandErrorCode. */
export type Completion<T, E extends string = string> =
  | { completionCode: 'success'; payload: T }
  | { completionCode: Exclude<CompletionCode, 'success'>; errorCode?: E; errorDescription?: string; payload?: Partial<T> };

export const ok = <T>(payload: T): Completion<T, never> => ({ completionCode: 'success', payload });
export function fail<E extends string, T = never>(
  completionCode: Exclude<CompletionCode, 'success'>,
  errorDescription: string,
  errorCode?: E,
  payload?: Partial<T>,
): Completion<T, E> {
  return { completionCode, errorDescription, ...(errorCode ? { errorCode } : {}), ...(payload ? { payload } : {}) };
}
export const isSuccess = <T, E extends string>(c: Completion<T, E>): c is { completionCode: 'success'; payload: T } =>
  c.completionCode === 'success';

/** Common.Status device field (XFS4IoT Common.Status `common.device`). */
export type DeviceState =
  | 'online'
  | 'offline'
  | 'powerOff'
  | 'noDevice'
  | 'hardwareError'
  | 'userError'
  | 'deviceBusy'
  | 'fraudAttempt'
  | 'potentialFraud'
  | 'starting';

export interface CommonStatus {
  device: DeviceState;
  devicePosition?: 'inPosition' | 'notInPosition' | 'unknown';
  /** Human-readable detail for operators; never contains card or key data. */
  detail?: string;
}

/** A tiny typed event emitter, usable both in Node and in the browser. */
export type Listener<T> = (event: T) => void;
export class TypedEmitter<Events extends Record<string, unknown>> {
  private listeners = new Map<keyof Events, Set<Listener<never>>>();
  on<K extends keyof Events>(name: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }
  emit<K extends keyof Events>(name: K, event: Events[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) (fn as Listener<Events[K]>)(event);
  }
  removeAll(): void {
    this.listeners.clear();
  }
}

/** Injectable clock + timers so simulators and machines are deterministic in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      if (ms <= 0) return resolve();
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
