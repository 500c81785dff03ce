/**
 * Publishes a PinPadService as the XFS4IoT Keyboard + PinPad service. In PIN entry a digit key event
 * never names the digit: Keyboard.KeyEvent carries only `completion` (`continue` for one more digit,
 * `clear`/`backspace` when digits were removed), so the PIN stays inside the device.
 */
import { z } from 'zod';
import { fail } from '../common/types';
import type { FunctionKey, KeyEvent, PinPadService, PinPadStatus } from '../pinpad/types';
import { toWire } from './codes';
import type { Payload } from './messages';
import { command, commonStatus, statusChanged, timeoutField, type ServiceAdapter } from './service-adapter';
import { digitKeyName, isFunctionKey, keyCompletion, toBase64 } from './wire-values';

const activeKeys = z.record(z.string(), z.looseObject({ terminate: z.boolean().optional() })).optional();
const pinEntry = z.looseObject({ ...timeoutField, minLen: z.number().int().min(0), maxLen: z.number().int().min(0).optional(), autoEnd: z.boolean().optional(), activeKeys });
const dataEntry = z.looseObject({ ...timeoutField, maxLen: z.number().int().min(0).optional(), autoEnd: z.boolean().optional(), activeKeys });
const getPinBlock = z.looseObject({
  ...timeoutField,
  customerData: z.string().regex(/^[0-9a-fA-F]{2,}$/),
  xorData: z.string().regex(/^[0-9a-fA-F]{2,}$/),
  padding: z.number().int().min(0).max(15),
  format: z.string(),
  key: z.string().min(1),
});

const FORMATS: Readonly<Record<string, 0 | 1 | 3 | 4>> = { iso0: 0, ansi: 0, iso1: 1, iso3: 3, iso4: 4 };
export const pinFormatToWire = (f: 0 | 1 | 3 | 4): string => `iso${f}`;

const fdksOf = (keys: Record<string, unknown> | undefined): FunctionKey[] =>
  Object.keys(keys ?? {}).filter((k): k is FunctionKey => k.startsWith('fdk') && isFunctionKey(k));

const status = (s: PinPadStatus): Payload => ({
  common: commonStatus(s),
  keyboard: { autoBeepMode: { activeAvailable: false, inactiveAvailable: false } },
  keyManagement: { encryptionState: s.keysLoaded > 0 ? 'ready' : 'notInitialized', certificateState: 'unknown' },
});

/** Keyboard.KeyEvent for one of our key events; `prevLength` is the PIN length before it. */
export function keyEventToWire(e: KeyEvent, prevLength: number): Payload {
  if (e.kind === 'pinDigit') return { completion: e.length === 0 && prevLength > 1 ? 'clear' : e.length < prevLength ? 'backspace' : 'continue' };
  if (e.kind === 'dataDigit') return { digit: digitKeyName(e.digit), completion: 'continue' };
  return { digit: e.key, completion: keyCompletion(e.key) };
}

export function pinPadAdapter(pinpad: PinPadService, serviceName = 'PinPad'): ServiceAdapter {
  return {
    serviceName,
    interfaces: ['Common', 'Keyboard', 'PinPad', 'KeyManagement'],
    status: () => status(pinpad.status()),
    capabilities: () => ({ common: { serviceVersion: '1.0' }, pinPad: { pinFormats: { iso0: true, iso1: true, iso3: true, iso4: true } } }),
    cancel: () => pinpad.cancel(),
    commands: {
      'Keyboard.PinEntry': command({
        schema: pinEntry,
        queued: true,
        run: async (p, ctx) => {
          let length = 0;
          const off = pinpad.events.on('key', (e) => {
            ctx.event('Keyboard.KeyEvent', keyEventToWire(e, length));
            if (e.kind === 'pinDigit') length = e.length;
          });
          try {
            const c = await pinpad.pinEntry({ minLen: p.minLen, maxLen: p.maxLen ?? 12, autoEnd: p.autoEnd ?? false, activeFdks: fdksOf(p.activeKeys) }, ctx.signal);
            return toWire(ctx.name, c, (r) => ({ ...(r.digits !== undefined ? { digits: r.digits } : {}), ...(r.completion ? { completion: r.completion } : {}) }));
          } finally {
            off();
          }
        },
      }),
      'Keyboard.DataEntry': command({
        schema: dataEntry,
        queued: true,
        run: async (p, ctx) => {
          const off = pinpad.events.on('key', (e) => ctx.event('Keyboard.KeyEvent', keyEventToWire(e, 0)));
          try {
            const c = await pinpad.dataEntry({ maxLen: p.maxLen ?? 12, activeFdks: fdksOf(p.activeKeys) }, ctx.signal);
            return toWire(ctx.name, c, (r) => {
              const digits = r.digits ?? '';
              const keys = digits.split('').map((d) => ({ digit: digitKeyName(d as '0'), completion: 'continue' }));
              return { keys: keys.length, pinKeys: keys, ...(r.completion ? { completion: r.completion } : {}) };
            });
          } finally {
            off();
          }
        },
      }),
      'PinPad.GetPinBlock': command({
        schema: getPinBlock,
        queued: true,
        run: async (p, ctx) => {
          const format = FORMATS[p.format];
          if (format === undefined) return toWire(ctx.name, fail('commandErrorCode', `PIN block format ${p.format} not supported`, 'formatNotSupported'));
          const c = await pinpad.getPinBlock({ keyName: p.key, format, pan: p.customerData });
          return toWire(ctx.name, c, (r) => (r.pinBlock?.length ? { pinBlock: toBase64(r.pinBlock) } : {}));
        },
      }),
    },
    subscribe: (send) => {
      const off = pinpad.events.on('statusChanged', (s) => send('Common.StatusChangedEvent', statusChanged(status(s))));
      return off;
    },
  };
}
