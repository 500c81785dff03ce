/**
 * Simulated encrypting PIN pad (Keyboard + PinPad). In secure PIN entry the digits stay inside this object:
 * only masked key events leave it, and the PIN comes out only as an encrypted ISO 9564 block built by the
 * injected encryptor (which stands for the EPP's crypto module and key store). The clear PIN is wiped after
 * the block is built, on cancel, and on every new entry.
 */
import { TypedEmitter, fail, ok, type Completion } from '../common/types';
import type {
  DigitKey,
  FunctionKey,
  KeyboardErrorCode,
  PadKey,
  PinEntryResult,
  PinPadErrorCode,
  PinPadEvents,
  PinPadService,
  PinPadStatus,
} from '../pinpad/types';

/** The EPP crypto module: builds and encrypts the PIN block under a stored key. Throws on unknown key/usage. */
export interface PinBlockEncryptor {
  encryptPin(req: { keyName: string; format: 0 | 1 | 3 | 4; pin: string; pan: string }): Uint8Array;
  keyCount(): number;
}

export class PinPadKeyError extends Error {
  constructor(
    readonly code: PinPadErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Mode =
  | { kind: 'idle' }
  | { kind: 'pin'; minLen: number; maxLen: number; autoEnd: boolean; fdks: FunctionKey[]; done: (r: Completion<PinEntryResult, KeyboardErrorCode>) => void }
  | { kind: 'data'; maxLen: number; fdks: FunctionKey[]; buffer: string; done: (r: Completion<{ digits: string; completion: 'enter' | 'cancel' | 'fdk'; fdk?: FunctionKey }, KeyboardErrorCode>) => void };

const DIGITS = new Set(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '00']);

export class PinPadSimulator implements PinPadService {
  readonly events = new TypedEmitter<PinPadEvents>();
  private mode: Mode = { kind: 'idle' };
  /** The entered PIN: never leaves this object in clear. */
  private pin: string[] = [];
  private pinReady = false;
  private offline = false;

  constructor(private readonly encryptor: PinBlockEncryptor) {}

  // ---- simulator control: a physical key press on the fascia ----
  pressKey(key: PadKey): Completion<Record<string, never>> {
    if (this.offline) return fail('deviceNotReady', 'PIN pad offline');
    const m = this.mode;
    if (DIGITS.has(key)) {
      const digit = key as DigitKey;
      if (m.kind === 'pin') {
        if (digit === '00' || this.pin.length >= m.maxLen) return ok({});
        this.pin.push(digit);
        this.events.emit('key', { kind: 'pinDigit', length: this.pin.length });
        if (m.autoEnd && this.pin.length === m.maxLen) this.finishPin('auto');
      } else if (m.kind === 'data') {
        if (m.buffer.length + digit.length > m.maxLen) return ok({});
        m.buffer += digit;
        this.events.emit('key', { kind: 'dataDigit', digit });
      }
      return ok({});
    }
    const fk = key as FunctionKey;
    if (m.kind === 'pin') {
      if (fk === 'enter') {
        if (this.pin.length >= m.minLen) this.finishPin('enter');
        else this.events.emit('key', { kind: 'function', key: 'enter' });
      } else if (fk === 'clear') {
        this.pin = [];
        this.events.emit('key', { kind: 'pinDigit', length: 0 });
      } else if (fk === 'backspace') {
        this.pin.pop();
        this.events.emit('key', { kind: 'pinDigit', length: this.pin.length });
      } else if (fk === 'cancel') {
        this.wipe();
        this.mode = { kind: 'idle' };
        m.done(ok({ digits: 0, completion: 'cancel' }));
        this.events.emit('key', { kind: 'function', key: 'cancel' });
      } else if (m.fdks.includes(fk)) {
        const digits = this.pin.length;
        this.wipe();
        this.mode = { kind: 'idle' };
        m.done(ok({ digits, completion: 'fdk', fdk: fk }));
        this.events.emit('key', { kind: 'function', key: fk });
      }
      return ok({});
    }
    if (m.kind === 'data') {
      if (fk === 'enter') {
        this.mode = { kind: 'idle' };
        m.done(ok({ digits: m.buffer, completion: 'enter' }));
      } else if (fk === 'clear') {
        m.buffer = '';
      } else if (fk === 'backspace') {
        m.buffer = m.buffer.slice(0, -1);
      } else if (fk === 'cancel') {
        this.mode = { kind: 'idle' };
        m.done(ok({ digits: '', completion: 'cancel' }));
      } else if (m.fdks.includes(fk)) {
        this.mode = { kind: 'idle' };
        m.done(ok({ digits: m.buffer, completion: 'fdk', fdk: fk }));
      }
      this.events.emit('key', { kind: 'function', key: fk });
      return ok({});
    }
    // Idle: function keys and FDKs are reported (menus are driven by them); digits are ignored.
    this.events.emit('key', { kind: 'function', key: fk });
    return ok({});
  }

  setOffline(offline: boolean): void {
    this.offline = offline;
    this.events.emit('statusChanged', this.status());
  }

  // ---- service ----
  status(): PinPadStatus {
    return { device: this.offline ? 'offline' : 'online', entryMode: this.mode.kind, keysLoaded: this.encryptor.keyCount() };
  }

  pinEntry(
    req: { minLen: number; maxLen: number; autoEnd: boolean; timeoutMs?: number; activeFdks?: FunctionKey[] },
    signal?: AbortSignal,
  ): Promise<Completion<PinEntryResult, KeyboardErrorCode>> {
    if (this.offline) return Promise.resolve(fail('deviceNotReady', 'PIN pad offline'));
    if (this.mode.kind !== 'idle') return Promise.resolve(fail('sequenceError', 'entry already active'));
    if (req.minLen < 4 || req.maxLen > 12 || req.minLen > req.maxLen) return Promise.resolve(fail('invalidData', 'PIN length must be 4..12'));
    this.wipe();
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (r: Completion<PinEntryResult, KeyboardErrorCode>) => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => {
        this.wipe();
        this.mode = { kind: 'idle' };
        done(fail('canceled', 'PIN entry canceled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (req.timeoutMs) {
        timer = setTimeout(() => {
          this.wipe();
          this.mode = { kind: 'idle' };
          done(fail('timeOut', 'PIN entry timed out'));
        }, req.timeoutMs);
      }
      this.mode = { kind: 'pin', minLen: req.minLen, maxLen: req.maxLen, autoEnd: req.autoEnd, fdks: req.activeFdks ?? [], done };
      this.events.emit('statusChanged', this.status());
    });
  }

  dataEntry(
    req: { maxLen: number; timeoutMs?: number; activeFdks?: FunctionKey[] },
    signal?: AbortSignal,
  ): Promise<Completion<{ digits: string; completion: 'enter' | 'cancel' | 'fdk'; fdk?: FunctionKey }, KeyboardErrorCode>> {
    if (this.offline) return Promise.resolve(fail('deviceNotReady', 'PIN pad offline'));
    if (this.mode.kind !== 'idle') return Promise.resolve(fail('sequenceError', 'entry already active'));
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      type R = Completion<{ digits: string; completion: 'enter' | 'cancel' | 'fdk'; fdk?: FunctionKey }, KeyboardErrorCode>;
      const done = (r: R) => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => {
        this.mode = { kind: 'idle' };
        done(fail('canceled', 'data entry canceled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (req.timeoutMs) {
        timer = setTimeout(() => {
          this.mode = { kind: 'idle' };
          done(fail('timeOut', 'data entry timed out'));
        }, req.timeoutMs);
      }
      this.mode = { kind: 'data', maxLen: req.maxLen, fdks: req.activeFdks ?? [], buffer: '', done };
    });
  }

  async getPinBlock(req: { keyName: string; format: 0 | 1 | 3 | 4; pan: string }): Promise<Completion<{ pinBlock: Uint8Array }, PinPadErrorCode>> {
    if (this.offline) return fail('deviceNotReady', 'PIN pad offline');
    if (!this.pinReady || this.pin.length === 0) return fail('commandErrorCode', 'no PIN entered', 'noPin');
    try {
      const pinBlock = this.encryptor.encryptPin({ keyName: req.keyName, format: req.format, pin: this.pin.join(''), pan: req.pan });
      return ok({ pinBlock });
    } catch (e) {
      if (e instanceof PinPadKeyError) return fail('commandErrorCode', e.message, e.code);
      return fail('internalError', 'PIN block could not be built');
    } finally {
      this.wipe();
    }
  }

  cancel(): void {
    const m = this.mode;
    if (m.kind === 'pin') {
      this.wipe();
      this.mode = { kind: 'idle' };
      m.done(fail('canceled', 'PIN entry canceled'));
    } else if (m.kind === 'data') {
      this.mode = { kind: 'idle' };
      m.done(fail('canceled', 'data entry canceled'));
    }
  }

  private finishPin(how: 'enter' | 'auto'): void {
    const m = this.mode;
    if (m.kind !== 'pin') return;
    this.pinReady = true;
    this.mode = { kind: 'idle' };
    m.done(ok({ digits: this.pin.length, completion: how }));
    this.events.emit('statusChanged', this.status());
  }

  private wipe(): void {
    this.pin.fill('0');
    this.pin = [];
    this.pinReady = false;
  }
}
