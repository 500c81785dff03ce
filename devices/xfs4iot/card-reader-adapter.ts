/** Publishes a CardReaderService as the XFS4IoT CardReader (+ Storage for the retain bin) service. */
import { z } from 'zod';
import type { CardReaderService, CardReaderStatus, RawCardData } from '../card-reader/types';
import { fail } from '../common/types';
import { toWire } from './codes';
import type { Payload } from './messages';
import { command, commonStatus, statusChanged, timeoutField, type ServiceAdapter } from './service-adapter';
import { BASE64, fromBase64, RETAIN_UNIT, textToBase64, toBase64 } from './wire-values';

const TRACKS = ['track1', 'track2', 'track3'] as const;
const UNIT_TARGET = /^exit$|^transport$|^unit[0-9A-Za-z]+$/;

const readRawData = z.looseObject({ ...timeoutField, track1: z.boolean().optional(), track2: z.boolean().optional(), track3: z.boolean().optional(), chip: z.boolean().optional() });
const move = z.looseObject({ ...timeoutField, from: z.string().regex(UNIT_TARGET).optional(), to: z.string().regex(UNIT_TARGET).optional() });
const reset = z.looseObject({ ...timeoutField, to: z.enum(['exit', 'retain', 'currentPosition']).optional(), storageId: z.string().regex(/^unit[0-9A-Za-z]+$/).optional() });
const chipIO = z.looseObject({ ...timeoutField, chipProtocol: z.string().optional(), chipData: z.string().regex(BASE64) });
const chipPower = z.looseObject({ ...timeoutField, chipPower: z.enum(['cold', 'warm', 'off']) });
const empty = z.looseObject({ ...timeoutField });

function trackFields(req: z.infer<typeof readRawData>, data: Partial<RawCardData>): Payload {
  const out: Payload = {};
  for (const t of TRACKS) {
    if (!req[t]) continue;
    const value = data[t];
    out[t] = value ? { status: 'ok', data: textToBase64(value) } : { status: 'dataMissing' };
  }
  if (req.chip) out.chip = [data.chipAtr?.length ? { status: 'ok', data: toBase64(data.chipAtr) } : { status: 'dataMissing' }];
  return out;
}

function storage(s: CardReaderStatus): Payload {
  const { count, capacity, state } = s.retainBin;
  return {
    [RETAIN_UNIT]: {
      id: 'RET',
      capacity,
      status: 'ok',
      card: {
        capabilities: { type: 'retain', hardwareSensors: false },
        configuration: { threshold: capacity },
        status: { initialCount: 0, count, retainCount: count, replenishmentStatus: state },
      },
    },
  };
}

export function cardReaderAdapter(reader: CardReaderService, serviceName = 'CardReader'): ServiceAdapter {
  const status = (): Payload => {
    const s = reader.status();
    return { common: commonStatus(s), cardReader: { media: s.media } };
  };
  return {
    serviceName,
    interfaces: ['Common', 'CardReader', 'Storage'],
    status,
    capabilities: () => {
      const c = reader.capabilities();
      return {
        common: { serviceVersion: '1.0' },
        cardReader: {
          type: c.type,
          readTracks: Object.fromEntries(TRACKS.map((t) => [t, c.readTracks.includes(t)])),
          chipProtocols: { chipT0: c.chip, chipT1: c.chip },
          chipPower: { cold: c.chip, warm: c.chip, off: c.chip },
          powerOnOption: c.retainCapable ? 'retain' : 'exit',
        },
      };
    },
    cancel: () => reader.cancel(),
    commands: {
      'CardReader.ReadRawData': command({
        schema: readRawData,
        queued: true,
        run: async (p, ctx) => {
          const tracks = TRACKS.filter((t) => p[t]);
          if (tracks.length === 0 && !p.chip) return toWire(ctx.name, fail('invalidData', 'no data source requested'));
          if (reader.status().media === 'notPresent') ctx.event('CardReader.InsertCardEvent');
          const off = reader.events.on('mediaInserted', () => ctx.event('CardReader.MediaInsertedEvent'));
          try {
            const c = await reader.readRawData({ tracks, chip: p.chip ?? false }, ctx.signal);
            return toWire(ctx.name, c, (data) => trackFields(p, data));
          } finally {
            off();
          }
        },
      }),
      'CardReader.Move': command({
        schema: move,
        queued: true,
        run: async (p, ctx) => {
          const to = p.to ?? 'exit';
          if (to === 'transport') return toWire(ctx.name, fail('unsupportedData', 'moving a card to the transport is not supported'));
          return toWire(ctx.name, await reader.move({ to: to === 'exit' ? 'exit' : 'retain' }));
        },
      }),
      'CardReader.Reset': command({
        schema: reset,
        queued: true,
        run: async (p, ctx) => toWire(ctx.name, await reader.reset(p.to ? { to: p.to } : {})),
      }),
      'CardReader.ChipIO': command({
        schema: chipIO,
        queued: true,
        run: async (p, ctx) =>
          toWire(ctx.name, await reader.chipIO({ apdu: fromBase64(p.chipData) }), (r) =>
            r.response?.length ? { chipProtocol: p.chipProtocol === 'chipT0' ? 'chipT0' : 'chipT1', chipData: toBase64(r.response) } : {},
          ),
      }),
      'CardReader.ChipPower': command({
        schema: chipPower,
        queued: true,
        run: async (p, ctx) => toWire(ctx.name, await reader.chipPower({ action: p.chipPower }), (r) => (r.atr?.length ? { chipData: toBase64(r.atr) } : {})),
      }),
      'Storage.GetStorage': command({
        schema: empty,
        queued: false,
        run: async () => ({ completionCode: 'success', storage: storage(reader.status()) }),
      }),
    },
    subscribe: (send) => {
      let retained = reader.status().retainBin.count;
      const offs = [
        reader.events.on('mediaRemoved', () => send('CardReader.MediaRemovedEvent', {})),
        reader.events.on('cardAction', ({ action }) =>
          send('CardReader.CardActionEvent', action === 'ejected' ? { to: 'exit', from: 'transport' } : action === 'retained' ? { to: RETAIN_UNIT, from: 'transport' } : { to: 'transport', from: 'unknown' }),
        ),
        reader.events.on('statusChanged', (s) => {
          send('Common.StatusChangedEvent', statusChanged({ common: commonStatus(s), cardReader: { media: s.media } }));
          if (s.retainBin.count !== retained) {
            retained = s.retainBin.count;
            send('Storage.StorageChangedEvent', storage(s));
          }
        }),
      ];
      return () => offs.forEach((off) => off());
    },
  };
}
