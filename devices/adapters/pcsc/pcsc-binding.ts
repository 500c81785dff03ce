/**
 * The library boundary of the PC/SC adapter: the few calls of the `smartcard` module (N-API bindings over
 * libpcsclite / winscard) the adapter uses, as interfaces, so tests can put a fake transport here. The module is
 * an optionalDependency and is imported lazily: the kiosk installs and runs where PC/SC is absent, and only a
 * configuration that asks for a PC/SC reader gets the "PC/SC not available" error.
 */

/** A connected card (SCardConnect handle). */
export interface PcscCardHandle {
  /** Active protocol: the binding's SCARD_PROTOCOL_T0 / _T1 value. */
  readonly protocol: number;
  readonly atr: Buffer | null;
  transmit(command: Buffer, options?: { maxRecvLength?: number }): Promise<Buffer>;
  /** SCardStatus: current state, protocol and ATR. */
  getStatus(): { state: number; protocol: number; atr: Buffer };
  disconnect(disposition?: number): void;
  /** SCardReconnect; resolves with the active protocol. */
  reconnect(shareMode?: number, protocol?: number, initialization?: number): Promise<number>;
}

export interface PcscReaderHandle {
  readonly name: string;
  readonly state: number;
  readonly atr: Buffer | null;
  connect(shareMode?: number, protocol?: number): Promise<PcscCardHandle>;
}

/** SCardEstablishContext. The constructor throws when pcscd is not reachable. */
export interface PcscContextHandle {
  readonly isValid: boolean;
  listReaders(): PcscReaderHandle[];
  close(): void;
}

export interface PcscMonitorEvent {
  type: 'reader-attached' | 'reader-detached' | 'card-inserted' | 'card-removed' | 'error';
  /** Reader name; for `error` the PC/SC error text. */
  reader: string;
  state: number;
  atr: Buffer | null;
}

/** Reader/card change monitor (SCardGetStatusChange on a background thread, with PnP notification). */
export interface PcscMonitorHandle {
  readonly isRunning: boolean;
  start(callback: (event: PcscMonitorEvent) => void): void;
  stop(): void;
}

export interface PcscConstants {
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_SHARE_SHARED: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_UNPOWER_CARD: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_MUTE: number;
}

export interface PcscBinding {
  readonly constants: PcscConstants;
  newContext(): PcscContextHandle;
  newMonitor(): PcscMonitorHandle;
}

/** The PC/SC library cannot be loaded (module not installed or not built, libpcsclite missing). */
export class PcscUnavailableError extends Error {
  override name = 'PcscUnavailableError';
}

type SmartcardModule = PcscConstants & {
  Context: new () => PcscContextHandle;
  ReaderMonitor: new () => PcscMonitorHandle;
};

/** The module name is not a literal so the type check and the bundle do not need the optional module installed. */
const SMARTCARD_MODULE: string = 'smartcard';
const importSmartcard = (): Promise<unknown> => import(/* @vite-ignore */ SMARTCARD_MODULE);

/** Loads the `smartcard` module; throws PcscUnavailableError with what to install when it cannot. */
export async function loadSmartcardBinding(importer: () => Promise<unknown> = importSmartcard): Promise<PcscBinding> {
  let mod: SmartcardModule;
  try {
    const m = (await importer()) as Partial<SmartcardModule> & { default?: Partial<SmartcardModule> };
    const resolved = (typeof m.Context === 'function' ? m : m.default) as SmartcardModule | undefined;
    if (!resolved || typeof resolved.Context !== 'function' || typeof resolved.ReaderMonitor !== 'function') throw new Error('module does not export Context/ReaderMonitor');
    mod = resolved;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new PcscUnavailableError(
      `PC/SC not available: the optional "smartcard" module could not be loaded (${why}). ` +
        'Install libpcsclite-dev and pcscd (Debian/Ubuntu: apt-get install libpcsclite-dev pcscd), then run npm rebuild smartcard.',
    );
  }
  const constants: PcscConstants = {
    SCARD_SHARE_EXCLUSIVE: mod.SCARD_SHARE_EXCLUSIVE,
    SCARD_SHARE_SHARED: mod.SCARD_SHARE_SHARED,
    SCARD_PROTOCOL_T0: mod.SCARD_PROTOCOL_T0,
    SCARD_PROTOCOL_T1: mod.SCARD_PROTOCOL_T1,
    SCARD_LEAVE_CARD: mod.SCARD_LEAVE_CARD,
    SCARD_RESET_CARD: mod.SCARD_RESET_CARD,
    SCARD_UNPOWER_CARD: mod.SCARD_UNPOWER_CARD,
    SCARD_STATE_PRESENT: mod.SCARD_STATE_PRESENT,
    SCARD_STATE_MUTE: mod.SCARD_STATE_MUTE,
  };
  return { constants, newContext: () => new mod.Context(), newMonitor: () => new mod.ReaderMonitor() };
}

/** pcsc-lite / winscard values, for fakes. */
export const PCSC_LITE_CONSTANTS: PcscConstants = {
  SCARD_SHARE_EXCLUSIVE: 1,
  SCARD_SHARE_SHARED: 2,
  SCARD_PROTOCOL_T0: 1,
  SCARD_PROTOCOL_T1: 2,
  SCARD_LEAVE_CARD: 0,
  SCARD_RESET_CARD: 1,
  SCARD_UNPOWER_CARD: 2,
  SCARD_STATE_PRESENT: 0x20,
  SCARD_STATE_MUTE: 0x200,
};
