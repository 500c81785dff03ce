import { afterEach, describe, expect, it } from 'vitest';
import { SankyoCardReader } from '../../../../devices/adapters/sankyo/sankyo-card-reader';
import { SankyoDeviceSim, type SimCard } from '../../../../devices/adapters/sankyo/sankyo-device-sim';
import { CM } from '../../../../devices/adapters/sankyo/sankyo-codes';
import type { CardReaderEvents } from '../../../../devices/card-reader/types';
import { TRANSPORTS, type Wiring } from '../helpers/transports';

const PAN = '4761739001010010';
const card: SimCard = {
  track1: `B${PAN}^TEST/CARDHOLDER^3012201000000000`,
  track2: `${PAN}=30122010000000000000`,
  atr: Uint8Array.from([0x3b, 0x02, 0x14, 0x50]),
  apdu: (c) => Uint8Array.from([...c.subarray(0, 2), 0x90, 0x00]),
};
const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
};

for (const t of TRANSPORTS) {
  describe.skipIf(!t.available)(`Sankyo ICT3K5 card reader over ${t.name}`, () => {
    let wiring: Wiring | null = null;
    afterEach(async () => {
      await wiring?.close();
      wiring = null;
    });
    async function setup(init = true, retainCapacity = 50) {
      wiring = await t.open();
      const sim = new SankyoDeviceSim(wiring.device, { retainCapacity });
      const reader = new SankyoCardReader(wiring.host, { ackTimeoutMs: 100, replyTimeoutMs: 200, motionTimeoutMs: 300, pollMs: 10, retries: 2, retainBinCapacity: retainCapacity });
      const events: Array<keyof CardReaderEvents> = [];
      for (const e of ['mediaInserted', 'mediaRemoved', 'cardAction'] as const) reader.events.on(e, () => events.push(e));
      if (init) expect(await reader.initialize()).toEqual({ completionCode: 'success', payload: {} });
      return { sim, reader, events, wiring };
    }
    async function insert(sim: SankyoDeviceSim) {
      await until(() => sim.entryPermitted);
      expect(sim.insertCard(card)).toBe(true);
    }

    it('waits for a card (entry permitted, status polled), reads tracks and the ATR, ejects, sees the card leave', async () => {
      const { sim, reader, events } = await setup();
      const p = reader.readRawData({ tracks: ['track1', 'track2', 'track3'], chip: true, timeoutMs: 3000 });
      await insert(sim);
      const r = await p;
      expect(r).toEqual({ completionCode: 'success', payload: { track1: card.track1, track2: card.track2, chipAtr: card.atr } });
      expect(reader.status().media).toBe('present');
      expect(sim.commands).toContain('C:0');
      expect(sim.commands.filter((c) => c === 'C10').length).toBeGreaterThan(1);
      expect(await reader.chipIO({ apdu: Uint8Array.from([0x00, 0xa4, 0x04, 0x00]) })).toEqual({ completionCode: 'success', payload: { response: Uint8Array.from([0x00, 0xa4, 0x90, 0x00]) } });
      expect(await reader.chipPower({ action: 'off' })).toEqual({ completionCode: 'success', payload: {} });
      expect(await reader.move({ to: 'exit' })).toEqual({ completionCode: 'success', payload: {} });
      expect(reader.status().media).toBe('entering');
      await new Promise((r2) => setTimeout(r2, 40));
      expect(events).toEqual(['mediaInserted', 'cardAction']);
      sim.takeCard();
      await until(() => events.includes('mediaRemoved'));
      expect(reader.status().media).toBe('notPresent');
    });

    it('captures into the retain bin; a full bin -> retainBinFull', async () => {
      const { sim, reader } = await setup(true, 1);
      const p = reader.readRawData({ tracks: ['track2'], timeoutMs: 3000 });
      await insert(sim);
      expect((await p).completionCode).toBe('success');
      expect(await reader.move({ to: 'retain' })).toEqual({ completionCode: 'success', payload: {} });
      expect(sim.retained).toBe(1);
      expect(reader.status().retainBin).toEqual({ count: 1, capacity: 1, state: 'full' });
      const p2 = reader.readRawData({ tracks: ['track2'], timeoutMs: 3000 });
      await insert(sim);
      await p2;
      expect(await reader.move({ to: 'retain' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'retainBinFull' });
    });

    it('reset ejects a card left inside; warm/cold chip power', async () => {
      const { sim, reader, events } = await setup();
      const p = reader.readRawData({ tracks: ['track2'], timeoutMs: 3000 });
      await insert(sim);
      await p;
      expect((await reader.chipPower({ action: 'cold' })).completionCode).toBe('success');
      expect(await reader.chipPower({ action: 'warm' })).toEqual({ completionCode: 'success', payload: { atr: card.atr } });
      expect(await reader.reset({ to: 'exit' })).toEqual({ completionCode: 'success', payload: {} });
      expect(sim.position).toBe('gate');
      expect(events).toContain('cardAction');
    });

    it('times out and cancels a wait, inhibiting entry afterwards', async () => {
      const { sim, reader } = await setup();
      expect(await reader.readRawData({ tracks: ['track2'], timeoutMs: 60 })).toMatchObject({ completionCode: 'timeOut' });
      expect(sim.entryPermitted).toBe(false);
      const p = reader.readRawData({ tracks: ['track2'], timeoutMs: 5000 });
      await until(() => sim.entryPermitted);
      reader.cancel();
      expect(await p).toMatchObject({ completionCode: 'canceled' });
      expect(sim.entryPermitted).toBe(false);
      const ac = new AbortController();
      const p2 = reader.readRawData({ tracks: ['track2'] }, ac.signal);
      await until(() => sim.entryPermitted);
      ac.abort();
      expect(await p2).toMatchObject({ completionCode: 'canceled' });
    });

    it('a blank track is left out; no readable track -> invalidMedia (no track data in the description)', async () => {
      const { sim, reader } = await setup();
      const p = reader.readRawData({ tracks: ['track2', 'track3'], timeoutMs: 3000 });
      await insert(sim);
      expect(await p).toEqual({ completionCode: 'success', payload: { track2: card.track2 } });
      sim.injectFault({ kind: 'negative', code: '23', cm: CM.readTrack });
      const r = await reader.readRawData({ tracks: ['track2'] });
      expect(r).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'invalidMedia' });
      expect(JSON.stringify(r)).not.toContain(PAN);
    });

    const negatives: Array<[string, number, Record<string, unknown>]> = [
      ['10', CM.move, { completionCode: 'commandErrorCode', errorCode: 'mediaJam' }],
      ['11', CM.move, { completionCode: 'commandErrorCode', errorCode: 'shutterFail' }],
      ['13', CM.move, { completionCode: 'commandErrorCode', errorCode: 'cardTooLong' }],
      ['14', CM.move, { completionCode: 'commandErrorCode', errorCode: 'cardTooShort' }],
      ['16', CM.move, { completionCode: 'commandErrorCode', errorCode: 'noMedia' }],
      ['40', CM.move, { completionCode: 'commandErrorCode', errorCode: 'noMedia' }],
      ['50', CM.move, { completionCode: 'commandErrorCode', errorCode: 'retainBinFull' }],
      ['12', CM.move, { completionCode: 'hardwareError' }],
      ['41', CM.move, { completionCode: 'hardwareError' }],
      ['00', CM.move, { completionCode: 'invalidCommand' }],
      ['01', CM.move, { completionCode: 'invalidData' }],
      ['02', CM.move, { completionCode: 'sequenceError' }],
      ['03', CM.move, { completionCode: 'unsupportedCommand' }],
      ['B0', CM.move, { completionCode: 'deviceNotReady' }],
      ['60', CM.chip, { completionCode: 'commandErrorCode', errorCode: 'invalidMedia' }],
      ['ZZ', CM.move, { completionCode: 'hardwareError' }],
    ];
    for (const [code, cm, completion] of negatives) {
      it(`negative reply ${code} -> ${JSON.stringify(completion)}`, async () => {
        const { sim, reader } = await setup();
        sim.injectFault({ kind: 'negative', code, cm });
        const r = cm === CM.chip ? await reader.chipPower({ action: 'cold' }) : await reader.move({ to: 'retain' });
        expect(r).toMatchObject(completion);
      });
    }

    it('jam on eject -> mediaJam, status jammed; reset captures the jammed card', async () => {
      const { sim, reader } = await setup();
      const p = reader.readRawData({ tracks: ['track2'], timeoutMs: 3000 });
      await insert(sim);
      await p;
      sim.injectFault({ kind: 'jamOnEject' });
      expect(await reader.move({ to: 'exit' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'mediaJam' });
      expect(reader.status()).toMatchObject({ device: 'hardwareError', media: 'jammed' });
      expect((await reader.reset({ to: 'retain' })).completionCode).toBe('success');
      expect(sim.retained).toBe(1);
      expect(reader.status()).toMatchObject({ device: 'online', media: 'notPresent' });
    });

    it('an uninitialised reader answers B0 -> deviceNotReady', async () => {
      const { reader } = await setup(false);
      expect(await reader.move({ to: 'exit' })).toMatchObject({ completionCode: 'deviceNotReady' });
    });

    it('retries on NAK; too many NAKs -> hardwareError', async () => {
      const { sim, reader } = await setup();
      sim.injectFault({ kind: 'nak', times: 2 });
      expect((await reader.initialize()).completionCode).toBe('success');
      sim.injectFault({ kind: 'nak', times: 10 });
      expect(await reader.initialize()).toMatchObject({ completionCode: 'hardwareError' });
    });

    it('NAKs a reply with a bad CRC and takes the resend; persistent bad CRC -> hardwareError', async () => {
      const { sim, reader } = await setup();
      const p = reader.readRawData({ tracks: ['track2'], timeoutMs: 3000 });
      await insert(sim);
      await p;
      sim.injectFault({ kind: 'badCrc', times: 2 });
      expect(await reader.readRawData({ tracks: ['track2'] })).toEqual({ completionCode: 'success', payload: { track2: card.track2 } });
      sim.injectFault({ kind: 'badCrc', times: 50 });
      const r = await reader.readRawData({ tracks: ['track2'] });
      expect(r).toMatchObject({ completionCode: 'hardwareError' });
      expect(JSON.stringify(r)).not.toContain(PAN);
    });

    it('not answering -> timeOut (offline); ACK without reply -> timeOut', async () => {
      const { sim, reader } = await setup();
      sim.injectFault({ kind: 'noAnswer' });
      expect(await reader.move({ to: 'exit' })).toMatchObject({ completionCode: 'timeOut' });
      expect(reader.status().device).toBe('offline');
      sim.injectFault({ kind: 'noReply' });
      expect(await reader.readRawData({ tracks: ['track2'], timeoutMs: 1000 })).toMatchObject({ completionCode: 'timeOut' });
      sim.injectFault({ kind: 'none' });
      expect((await reader.initialize()).completionCode).toBe('success');
    });

    it('device disappearing while waiting for a card and mid-command -> deviceNotReady/hardwareError, no hang', async () => {
      const { sim, reader, wiring: w } = await setup();
      const p = reader.readRawData({ tracks: ['track2'], timeoutMs: 5000 });
      await until(() => sim.entryPermitted);
      w.vanish();
      expect(['deviceNotReady', 'hardwareError']).toContain((await p).completionCode);
      await new Promise((r) => setTimeout(r, 100));
      expect(await reader.move({ to: 'exit' })).toMatchObject({ completionCode: 'deviceNotReady' });
      expect(reader.status().device).toBe('noDevice');
    });

    it('device disappearing mid-command (ACKed, reply pending) -> hardwareError', async () => {
      const { sim, reader, wiring: w } = await setup();
      sim.injectFault({ kind: 'noReply' });
      const p = reader.move({ to: 'exit' });
      await until(() => sim.commands.includes('C30'));
      w.vanish();
      expect(await p).toMatchObject({ completionCode: 'hardwareError' });
    });
  });
}
