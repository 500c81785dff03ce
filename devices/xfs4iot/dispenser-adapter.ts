/** Publishes a DispenserService as the XFS4IoT CashDispenser (+ CashManagement, Storage) service. */
import { z } from 'zod';
import { fail, type Completion } from '../common/types';
import type { CashUnit, DispenserService, DispenserStatus, MixAlgorithm, NoteCounts } from '../dispenser/types';
import { cashUnitsFromWire, cashUnitsToWire, valuesFromWire, valuesToWire } from './cash-units';
import { toWire } from './codes';
import type { Payload } from './messages';
import { command, commonStatus, statusChanged, timeoutField, type ServiceAdapter } from './service-adapter';
import { toMajor, toMinor, unitName } from './wire-values';

const currencies = z.record(z.string().regex(/^[A-Z]{3}$/), z.number().min(0.001));
const values = z.record(z.string().regex(/^unit[0-9A-Za-z]+$/), z.number().int().min(1));
const denomination = z.looseObject({ currencies: currencies.optional(), values: values.optional() });
const mixName = z.string().regex(/^mix[0-9A-Za-z]+$/);
const denominateCmd = z.looseObject({ ...timeoutField, denomination, mix: mixName.optional() });
const dispenseCmd = z.looseObject({ ...timeoutField, denomination: z.looseObject({ denomination, mix: mixName.optional() }), position: z.string().optional() });
const positionCmd = z.looseObject({ ...timeoutField, position: z.string().optional() });
const retractCmd = z.looseObject({ ...timeoutField, outputPosition: z.string().optional(), retractArea: z.string().optional() });
const setStorageCmd = z.looseObject({ ...timeoutField, storage: z.record(z.string().regex(/^unit[0-9A-Za-z]+$/), z.looseObject({ cash: z.looseObject({}).optional() })) });
const empty = z.looseObject({ ...timeoutField });

/** mix1 = minimum number of notes, mix2 = equal emptying (XFS mix numbers); `mixPrefer<minor units>` is ours. */
export function mixFromWire(mix: string | undefined): MixAlgorithm | null {
  if (mix === undefined || mix === 'mix1') return 'minimumNotes';
  if (mix === 'mix2') return 'equalEmptying';
  const m = /^mixPrefer([0-9]+)$/.exec(mix);
  return m ? { preferDenomination: Number(m[1]) } : null;
}
export const mixToWire = (mix: MixAlgorithm): string => (mix === 'minimumNotes' ? 'mix1' : mix === 'equalEmptying' ? 'mix2' : `mixPrefer${mix.preferDenomination}`);

type EndExchangeUnit = Pick<CashUnit, 'id'> & Partial<Pick<CashUnit, 'count' | 'denomination' | 'currency' | 'lowThreshold'>>;

export function dispenserAdapter(dispenser: DispenserService, serviceName = 'CashDispenser'): ServiceAdapter {
  /** Storage.SetStorage changes held until Storage.EndExchange applies them (our endExchange takes them at once). */
  let pendingChanges = new Map<string, EndExchangeUnit>();
  const amounts = (counts: NoteCounts): Payload => {
    const units = dispenser.cashUnits();
    const sums: Record<string, number> = {};
    for (const [id, n] of Object.entries(counts)) {
      const u = units.find((x) => x.id === id);
      if (u) sums[u.currency] = (sums[u.currency] ?? 0) + n * u.denomination;
    }
    const currenciesOut = Object.fromEntries(Object.entries(sums).filter(([, v]) => v > 0).map(([c, v]) => [c, toMajor(v, c)]));
    return { ...(Object.keys(currenciesOut).length ? { currencies: currenciesOut } : {}), values: valuesToWire(counts) };
  };
  const status = (s: DispenserStatus = dispenser.status()): Payload => ({
    common: commonStatus(s, s.exchangeActive ? 'active' : 'inactive'),
    cashDispenser: {
      intermediateStacker: s.intermediateStacker,
      positions: [{ position: 'outDefault', shutter: s.shutter === 'jammed' ? 'jammedUnknown' : s.shutter, positionStatus: s.outputPosition }],
    },
  });
  const denominate = async (d: z.infer<typeof denomination>, mix: string | undefined): Promise<Completion<{ counts: NoteCounts }, string>> => {
    const alg = mixFromWire(mix);
    if (!alg) return fail('commandErrorCode', `unknown mix ${mix ?? ''}`, 'invalidMixNumber');
    const entries = Object.entries(d.currencies ?? {});
    const [entry] = entries;
    if (!entry || entries.length > 1) return fail('invalidData', 'exactly one currency amount is required');
    const [currency, major] = entry;
    return dispenser.denominate({ amount: toMinor(major, currency), currency, mix: alg });
  };

  return {
    serviceName,
    interfaces: ['Common', 'CashDispenser', 'CashManagement', 'Storage'],
    status: () => status(),
    capabilities: () => ({
      common: { serviceVersion: '1.0' },
      cashDispenser: { type: 'selfServiceBill', shutterControl: false, retractAreas: { retract: true, reject: true }, positions: { outDefault: true } },
      cashManagement: { cashBox: false, exchangeTypes: { byHand: true } },
    }),
    commands: {
      'CashDispenser.Denominate': command({
        schema: denominateCmd,
        queued: true,
        run: async (p, ctx) => toWire(ctx.name, await denominate(p.denomination, p.mix), (r) => (r.counts ? amounts(r.counts) : {})),
      }),
      'CashDispenser.Dispense': command({
        schema: dispenseCmd,
        queued: true,
        run: async (p, ctx) => {
          const d = p.denomination.denomination;
          let counts: NoteCounts;
          if (d.values) {
            counts = valuesFromWire(d.values, dispenser.cashUnits());
          } else {
            const mix = await denominate(d, p.denomination.mix);
            if (mix.completionCode !== 'success') return toWire(ctx.name, mix);
            counts = mix.payload.counts;
          }
          const off = dispenser.events.on('incompleteDispense', (e) => ctx.event('CashDispenser.IncompleteDispenseEvent', amounts(e.counts)));
          try {
            return toWire(ctx.name, await dispenser.dispense({ counts }), (r) => (r.counts ? { denomination: amounts(r.counts) } : {}));
          } finally {
            off();
          }
        },
      }),
      'CashDispenser.Present': command({
        schema: positionCmd,
        queued: true,
        run: async (_p, ctx) => toWire(ctx.name, await dispenser.present(), () => ({ position: 'outDefault' })),
      }),
      'CashDispenser.Reject': command({ schema: empty, queued: true, run: async (_p, ctx) => toWire(ctx.name, await dispenser.reject()) }),
      'CashManagement.Retract': command({
        schema: retractCmd,
        queued: true,
        run: async (_p, ctx) => {
          const c = await dispenser.retract();
          const bin = dispenser.cashUnits().find((u) => u.type === 'retract');
          return toWire(ctx.name, c, (r) =>
            bin && r.counts ? { storage: { [unitName(bin.id)]: { retractOperations: 1, retracted: { unrecognized: Object.values(r.counts).reduce((a, b) => a + b, 0) } } } } : {},
          );
        },
      }),
      'Storage.GetStorage': command({ schema: empty, queued: false, run: async () => ({ completionCode: 'success', storage: cashUnitsToWire(dispenser.cashUnits()) }) }),
      'Storage.StartExchange': command({
        schema: empty,
        queued: true,
        run: async (_p, ctx) => {
          pendingChanges = new Map();
          return toWire(ctx.name, await dispenser.startExchange());
        },
      }),
      'Storage.SetStorage': command({
        schema: setStorageCmd,
        queued: true,
        run: async (p, ctx) => {
          if (!dispenser.status().exchangeActive) return toWire(ctx.name, fail('commandErrorCode', 'no exchange active', 'noExchangeActive'));
          const known = new Map(dispenser.cashUnits().map((u) => [unitName(u.id), u]));
          const changes: EndExchangeUnit[] = [];
          for (const [name, unit] of Object.entries(p.storage)) {
            const u = known.get(name);
            if (!u) return toWire(ctx.name, fail('commandErrorCode', `unknown storage unit ${name}`, 'invalidUnit'));
            const wire = cashUnitsFromWire({ [name]: { ...unit, capacity: u.capacity } })[0];
            const cfg = (unit.cash as { configuration?: { currency?: unknown; value?: unknown; lowThreshold?: unknown }; status?: { initial?: unknown } } | undefined) ?? {};
            changes.push({
              id: u.id,
              ...(cfg.status?.initial !== undefined && wire ? { count: wire.initial } : {}),
              ...(typeof cfg.configuration?.currency === 'string' ? { currency: cfg.configuration.currency } : {}),
              ...(typeof cfg.configuration?.value === 'number' && wire ? { denomination: wire.denomination } : {}),
              ...(typeof cfg.configuration?.lowThreshold === 'number' ? { lowThreshold: cfg.configuration.lowThreshold } : {}),
            });
          }
          for (const c of changes) pendingChanges.set(c.id, { ...pendingChanges.get(c.id), ...c });
          return { completionCode: 'success' };
        },
      }),
      'Storage.EndExchange': command({
        schema: empty,
        queued: true,
        run: async (_p, ctx) => {
          const units = [...pendingChanges.values()];
          const c = await dispenser.endExchange({ units });
          if (c.completionCode === 'success') pendingChanges = new Map();
          return toWire(ctx.name, c.completionCode === 'sequenceError' ? fail('commandErrorCode', 'no exchange active', 'noExchangeActive') : c);
        },
      }),
    },
    subscribe: (send) => {
      const offs = [
        dispenser.events.on('itemsTaken', () => send('CashManagement.ItemsTakenEvent', { position: { position: 'outDefault' } })),
        dispenser.events.on('itemsPresented', () => send('CashManagement.ItemsPresentedEvent', { position: { position: 'outDefault', additionalBunches: '0' } })),
        dispenser.events.on('cashUnitThreshold', ({ unit }) => send('Storage.StorageThresholdEvent', cashUnitsToWire([unit]))),
        dispenser.events.on('statusChanged', (s) => send('Common.StatusChangedEvent', statusChanged(status(s)))),
      ];
      return () => offs.forEach((off) => off());
    },
  };
}
