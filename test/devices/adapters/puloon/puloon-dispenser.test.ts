import { afterEach, describe, expect, it } from 'vitest';
import { PuloonDispenser, type PuloonDispenserConfig } from '../../../../devices/adapters/puloon/puloon-dispenser';
import { PuloonDeviceSim } from '../../../../devices/adapters/puloon/puloon-device-sim';
import { MemoryCountsStore } from '../../../../devices/adapters/puloon/counts-store';
import type { DispenserEvents } from '../../../../devices/dispenser/types';
import { TRANSPORTS, type Wiring } from '../helpers/transports';

const config: PuloonDispenserConfig = {
  currency: 'EUR',
  upper: { id: 'UPPER', denomination: 2000, initialCount: 100, capacity: 500, lowThreshold: 10 },
  lower: { id: 'LOWER', denomination: 5000, initialCount: 100, capacity: 500, lowThreshold: 10 },
  rejectCapacity: 50,
};
const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

for (const t of TRANSPORTS) {
  describe.skipIf(!t.available)(`Puloon LCDM dispenser over ${t.name}`, () => {
    let wiring: Wiring | null = null;
    afterEach(async () => {
      await wiring?.close();
      wiring = null;
    });
    async function setup(simOpts: Partial<ConstructorParameters<typeof PuloonDeviceSim>[1]> = {}, cfg = config) {
      wiring = await t.open();
      const sim = new PuloonDeviceSim(wiring.device, { upper: 100, lower: 100, ...simOpts });
      const store = new MemoryCountsStore();
      const events: Array<keyof DispenserEvents> = [];
      const d = new PuloonDispenser(wiring.host, cfg, store, { ackTimeoutMs: 100, statusTimeoutMs: 200, perNoteTimeoutMs: 10, takePollMs: 10, retries: 2 });
      for (const e of ['itemsPresented', 'itemsTaken', 'incompleteDispense', 'cashUnitThreshold'] as const) d.events.on(e, () => events.push(e));
      return { sim, d, store, events, wiring };
    }
    const unit = (d: PuloonDispenser, id: string) => d.cashUnits().find((u) => u.id === id)!;

    it('denominates, dispenses from both cassettes, presents and detects the take via the exit sensor', async () => {
      const { sim, d, store, events } = await setup();
      expect(await d.denominate({ amount: 9000, currency: 'EUR', mix: 'minimumNotes' })).toEqual({ completionCode: 'success', payload: { counts: { UPPER: 2, LOWER: 1 } } });
      expect(await d.dispense({ counts: { UPPER: 2, LOWER: 1 } })).toEqual({ completionCode: 'success', payload: { counts: { UPPER: 2, LOWER: 1 } } });
      expect(sim.commands).toEqual([0x46, 0x45, 0x55]);
      expect([sim.upper, sim.lower, sim.notesAtExit]).toEqual([98, 99, 3]);
      expect(d.status()).toMatchObject({ outputPosition: 'notEmpty', intermediateStacker: 'empty', shutter: 'closed' });
      expect(await d.present()).toEqual({ completionCode: 'success', payload: { counts: { UPPER: 2, LOWER: 1 } } });
      await new Promise((r) => setTimeout(r, 40));
      expect(events).toEqual(['itemsPresented']);
      sim.takeNotes();
      await until(() => events.includes('itemsTaken'));
      expect(d.status().outputPosition).toBe('empty');
      expect(unit(d, 'UPPER')).toMatchObject({ count: 98, dispensed: 2, presented: 2 });
      expect(store.load()!.find((u) => u.id === 'LOWER')).toMatchObject({ count: 99, dispensed: 1 });
    });

    it('splits large dispenses into chunks and counts rejected notes into the reject tray', async () => {
      const { sim, d } = await setup({ rejectEvery: 10 }, { ...config, maxNotesPerCommand: 20 });
      expect(await d.dispense({ counts: { UPPER: 45 } })).toEqual({ completionCode: 'success', payload: { counts: { UPPER: 45 } } });
      expect(sim.commands).toEqual([0x46, 0x45, 0x45, 0x45]);
      expect(unit(d, 'UPPER')).toMatchObject({ count: 100 - 45 - 4, dispensed: 45, rejected: 4 });
      expect(unit(d, 'REJ').count).toBe(4);
      expect(sim.rejectTray).toBe(4);
    });

    it('purges first when notes are left in the path; reject() purges', async () => {
      const { sim, d } = await setup();
      expect(await d.reject()).toEqual({ completionCode: 'success', payload: { counts: {} } });
      expect(sim.commands).toEqual([0x44]);
      expect(await d.retract()).toMatchObject({ completionCode: 'unsupportedCommand' });
    });

    const mapped: Array<[number, Record<string, unknown>]> = [
      [0x33, { completionCode: 'commandErrorCode', errorCode: 'jam' }],
      [0x35, { completionCode: 'commandErrorCode', errorCode: 'jam' }],
      [0x32, { completionCode: 'commandErrorCode', errorCode: 'incompleteDispense' }],
      [0x44, { completionCode: 'commandErrorCode', errorCode: 'incompleteDispense' }],
      [0x38, { completionCode: 'commandErrorCode', errorCode: 'cashUnitError' }],
      [0x45, { completionCode: 'commandErrorCode', errorCode: 'cashUnitError' }],
      [0x41, { completionCode: 'hardwareError' }],
      [0x37, { completionCode: 'internalError' }],
      [0x7e, { completionCode: 'hardwareError' }],
    ];
    for (const [error, completion] of mapped) {
      it(`error byte 0x${error.toString(16)} after 3 notes -> ${JSON.stringify(completion)} with what exited`, async () => {
        const { sim, d, events } = await setup();
        sim.injectFault({ kind: 'error', error, afterNotes: 3 });
        const r = await d.dispense({ counts: { UPPER: 5, LOWER: 2 } });
        expect(r).toMatchObject({ ...completion, payload: { counts: { UPPER: 3 } } });
        expect(sim.commands).toEqual([0x46, 0x45]);
        expect(unit(d, 'UPPER')).toMatchObject({ count: 97, dispensed: 3 });
        expect(events).toContain('incompleteDispense');
        expect(d.status().outputPosition).toBe('notEmpty');
      });
    }

    it('bill end when the cassette runs dry -> cashUnitError, unit empty', async () => {
      const { d } = await setup({ lower: 1 });
      expect(await d.dispense({ counts: { LOWER: 3 } })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'cashUnitError', payload: { counts: { LOWER: 1 } } });
      expect(unit(d, 'LOWER').state).toBe('empty');
    });

    it('missing cassette seen in status -> cashUnitError before any note moves', async () => {
      const { sim, d } = await setup();
      sim.lowerPresent = false;
      expect(await d.dispense({ counts: { LOWER: 1 } })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'cashUnitError' });
      expect(sim.commands).toEqual([0x46]);
      expect(unit(d, 'LOWER').state).toBe('missing');
      sim.lowerPresent = true;
      expect((await d.dispense({ counts: { LOWER: 1 } })).completionCode).toBe('success');
      expect(unit(d, 'LOWER').state).toBe('ok');
    });

    it('retries on NAK and succeeds; too many NAKs -> hardwareError', async () => {
      const { sim, d } = await setup();
      sim.injectFault({ kind: 'nak', times: 2 });
      expect((await d.dispense({ counts: { UPPER: 1 } })).completionCode).toBe('success');
      sim.injectFault({ kind: 'nak', times: 10 });
      expect(await d.dispense({ counts: { UPPER: 1 } })).toMatchObject({ completionCode: 'hardwareError' });
      expect(sim.upper).toBe(99);
    });

    it('NAKs a response with a bad BCC and takes the resend; persistent bad BCC -> hardwareError', async () => {
      const { sim, d } = await setup();
      sim.injectFault({ kind: 'badBcc', times: 1 });
      expect(await d.dispense({ counts: { UPPER: 2 } })).toMatchObject({ completionCode: 'success', payload: { counts: { UPPER: 2 } } });
      sim.injectFault({ kind: 'badBcc', times: 20 });
      expect(await d.refreshStatus()).toMatchObject({ completionCode: 'hardwareError' });
    });

    it('device not answering -> timeOut; ACK without response during dispense -> timeOut', async () => {
      const { sim, d } = await setup();
      sim.injectFault({ kind: 'noAnswer' });
      expect(await d.dispense({ counts: { UPPER: 1 } })).toMatchObject({ completionCode: 'timeOut' });
      expect(d.status().device).toBe('hardwareError');
      sim.injectFault({ kind: 'noResponse' });
      expect(await d.refreshStatus()).toMatchObject({ completionCode: 'timeOut' });
      sim.injectFault({ kind: 'none' });
      expect(await d.refreshStatus()).toMatchObject({ completionCode: 'success' });
    });

    it('device disappearing mid-dispense -> hardwareError (outcome unknown), then deviceNotReady; no hang', async () => {
      const { sim, d, wiring: w } = await setup({ msPerNote: 30 });
      const p = d.dispense({ counts: { UPPER: 10 } });
      await until(() => sim.commands.includes(0x45));
      w.vanish();
      const r = await p;
      expect(['hardwareError', 'timeOut']).toContain(r.completionCode);
      await new Promise((res) => setTimeout(res, 100));
      expect(await d.dispense({ counts: { UPPER: 1 } })).toMatchObject({ completionCode: 'deviceNotReady' });
      expect(d.status().device).toBe('noDevice');
    });

    it('validates requests and brackets exchanges', async () => {
      const { d } = await setup();
      expect(await d.dispense({ counts: { NOPE: 1 } })).toMatchObject({ completionCode: 'invalidData' });
      expect(await d.dispense({ counts: { UPPER: 1000 } })).toMatchObject({ errorCode: 'notDispensable' });
      expect(await d.dispense({ counts: {} })).toMatchObject({ errorCode: 'noItems' });
      expect(await d.present()).toMatchObject({ errorCode: 'noItems' });
      expect((await d.startExchange()).completionCode).toBe('success');
      expect(await d.dispense({ counts: { UPPER: 1 } })).toMatchObject({ errorCode: 'exchangeActive' });
      expect(await d.endExchange({ units: [{ id: 'UPPER', count: 300 }] })).toMatchObject({ completionCode: 'success' });
      expect(unit(d, 'UPPER')).toMatchObject({ count: 300, initial: 300, dispensed: 0 });
    });

    it('restores counts from the store', async () => {
      const { d, store, wiring: w } = await setup();
      await d.dispense({ counts: { UPPER: 4 } });
      const again = new PuloonDispenser(w.host, config, store);
      expect(again.cashUnits().find((u) => u.id === 'UPPER')).toMatchObject({ count: 96, dispensed: 4 });
    });
  });
}
