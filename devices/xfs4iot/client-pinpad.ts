/**
 * An external XFS4IoT Keyboard/PinPad service as our PinPadService. PIN entry key events arrive masked
 * (completion only); the PIN length is counted here from `continue`/`backspace`/`clear`.
 */
import { TypedEmitter, type Completion, type DeviceState } from '../common/types';
import type { FunctionKey, KeyboardErrorCode, PinEntryResult, PinPadErrorCode, PinPadEvents, PinPadService, PinPadStatus } from '../pinpad/types';
import { fromWire } from './codes';
import { Xfs4IotClientBase, obj, str } from './client-base';
import type { Payload, WireCompletion } from './messages';
import { pinFormatToWire } from './pinpad-adapter';
import { digitFromKeyName, fromBase64, isFunctionKey } from './wire-values';

type DataEntryResult = { digits: string; completion: 'enter' | 'cancel' | 'fdk'; fdk?: FunctionKey };

const activeKeys = (fdks: readonly FunctionKey[] = []): Payload =>
  Object.fromEntries([...['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].map((k) => [k, { terminate: false }]),
    ['enter', { terminate: true }], ['cancel', { terminate: true }], ['clear', { terminate: false }], ['backspace', { terminate: false }],
    ...fdks.map((k) => [k, { terminate: true }])]);

export class Xfs4IotPinPad extends Xfs4IotClientBase implements PinPadService {
  readonly events = new TypedEmitter<PinPadEvents>();
  private state: PinPadStatus = { device: 'offline', entryMode: 'idle', keysLoaded: 0 };

  status(): PinPadStatus {
    return { ...this.state };
  }

  async pinEntry(req: { minLen: number; maxLen: number; autoEnd: boolean; timeoutMs?: number; activeFdks?: FunctionKey[] }, signal?: AbortSignal): Promise<Completion<PinEntryResult, KeyboardErrorCode>> {
    let length = 0;
    let lastFdk: FunctionKey | undefined;
    const w = await this.entry('pin', 'Keyboard.PinEntry', { minLen: req.minLen, maxLen: req.maxLen, autoEnd: req.autoEnd, activeKeys: activeKeys(req.activeFdks) }, req.timeoutMs, signal, (e) => {
      const digit = str(e.digit);
      if (digit && isFunctionKey(digit)) {
        if (digit.startsWith('fdk')) lastFdk = digit;
        if (digit !== 'clear' && digit !== 'backspace') return this.events.emit('key', { kind: 'function', key: digit });
      }
      length = e.completion === 'clear' ? 0 : e.completion === 'backspace' ? Math.max(0, length - 1) : e.completion === 'continue' ? length + 1 : length;
      this.events.emit('key', { kind: 'pinDigit', length });
    });
    return fromWire<PinEntryResult, KeyboardErrorCode>('Keyboard.PinEntry', w, (x) => {
      if (x.completionCode !== 'success') return undefined;
      const completion = str(x.completion);
      return {
        digits: typeof x.digits === 'number' ? x.digits : 0,
        completion: completion === 'auto' || completion === 'cancel' || completion === 'fdk' ? completion : 'enter',
        ...(completion === 'fdk' && lastFdk ? { fdk: lastFdk } : {}),
      };
    });
  }

  async dataEntry(req: { maxLen: number; timeoutMs?: number; activeFdks?: FunctionKey[] }, signal?: AbortSignal): Promise<Completion<DataEntryResult, KeyboardErrorCode>> {
    let lastFdk: FunctionKey | undefined;
    const w = await this.entry('data', 'Keyboard.DataEntry', { maxLen: req.maxLen, activeKeys: activeKeys(req.activeFdks) }, req.timeoutMs, signal, (e) => {
      const name = str(e.digit) ?? '';
      const digit = digitFromKeyName(name);
      if (digit) this.events.emit('key', { kind: 'dataDigit', digit });
      else if (isFunctionKey(name)) {
        if (name.startsWith('fdk')) lastFdk = name;
        this.events.emit('key', { kind: 'function', key: name });
      }
    });
    return fromWire<DataEntryResult, KeyboardErrorCode>('Keyboard.DataEntry', w, (x) => {
      if (x.completionCode !== 'success') return undefined;
      const digits = (Array.isArray(x.pinKeys) ? x.pinKeys : []).map((k) => digitFromKeyName(str(obj(k).digit) ?? '') ?? '').join('');
      const completion = str(x.completion);
      return { digits, completion: completion === 'cancel' || completion === 'fdk' ? completion : 'enter', ...(completion === 'fdk' && lastFdk ? { fdk: lastFdk } : {}) };
    });
  }

  async getPinBlock(req: { keyName: string; format: 0 | 1 | 3 | 4; pan: string }): Promise<Completion<{ pinBlock: Uint8Array }, PinPadErrorCode>> {
    const w = await this.connection.send('PinPad.GetPinBlock', { customerData: req.pan, xorData: '00', padding: 15, format: pinFormatToWire(req.format), key: req.keyName });
    return fromWire('PinPad.GetPinBlock', w, (x) => (typeof x.pinBlock === 'string' ? { pinBlock: fromBase64(x.pinBlock) } : undefined));
  }

  cancel(): void {
    const ids = [...this.connection.pendingIds('Keyboard.PinEntry'), ...this.connection.pendingIds('Keyboard.DataEntry')];
    if (ids.length) void this.connection.send('Common.Cancel', { requestIds: ids });
  }

  private async entry(mode: 'pin' | 'data', name: string, payload: Payload, timeoutMs: number | undefined, signal: AbortSignal | undefined, onKey: (e: Payload) => void): Promise<WireCompletion> {
    this.setMode(mode);
    try {
      return await this.connection.send(name, payload, { timeoutMs, signal, onEvent: (n, e) => n === 'Keyboard.KeyEvent' && onKey(e) });
    } finally {
      this.setMode('idle');
    }
  }

  private setMode(entryMode: PinPadStatus['entryMode']): void {
    this.state = { ...this.state, entryMode };
    this.events.emit('statusChanged', this.status());
  }

  protected async loadState(): Promise<void> {
    const s = await this.commonStatus();
    if (s) this.applyStatus({ ...obj(s.common), keyManagement: s.keyManagement });
  }

  protected onDisconnected(): void {
    this.state = { ...this.state, device: 'offline' };
    this.events.emit('statusChanged', this.status());
  }

  protected onUnsolicited(name: string, payload: Payload): void {
    if (name === 'Common.StatusChangedEvent') this.applyStatus(payload);
  }

  private applyStatus(flat: Payload): void {
    const km = str(obj(flat.keyManagement).encryptionState);
    this.state = {
      ...this.state,
      ...(str(flat.device) ? { device: str(flat.device) as DeviceState } : {}),
      ...(km ? { keysLoaded: km === 'ready' ? Math.max(1, this.state.keysLoaded) : 0 } : {}),
    };
    this.events.emit('statusChanged', this.status());
  }
}
