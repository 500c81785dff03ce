/**
 * MagTek stripe head + PC/SC contacts as one card reader, with a fake HID device and a fake PC/SC binding:
 * tracks then ATR, a card that never reaches the contacts, cancel while waiting for the contacts, combined
 * status and media events (the swipe's own inserted/removed pair is not the card leaving).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MagtekCardReader } from '../../../../devices/adapters/magtek/magtek-card-reader';
import type { HidDeviceLike } from '../../../../devices/adapters/magtek/magtek-hid';
import { buildMagtekReport } from '../../../../devices/adapters/magtek/magtek-report';
import { PcscCardReader } from '../../../../devices/adapters/pcsc/pcsc-card-reader';
import { StripeChipCardReader } from '../../../../devices/adapters/pcsc/stripe-chip-card-reader';
import { FakePcsc } from './helpers/fake-binding';

const READER = 'Contact Reader 00 00';
const T2 = '4761739001010010=30122010000000000000';

class FakeHid extends EventEmitter implements HidDeviceLike {
  swipe() {
    this.emit('data', Buffer.from(buildMagtekReport([null, T2, null])));
  }
  close() {}
}

async function setup(chipSettleMs = 1000) {
  const fake = new FakePcsc();
  fake.readers.add(READER);
  const hid = new FakeHid();
  const chip = new PcscCardReader({ binding: fake, retryMs: 0 });
  await chip.open();
  const reader = new StripeChipCardReader(new MagtekCardReader(hid), chip, { chipSettleMs });
  const media: string[] = [];
  reader.events.on('mediaInserted', () => media.push('inserted'));
  reader.events.on('mediaRemoved', () => media.push('removed'));
  return { fake, hid, chip, reader, media };
}

describe('StripeChipCardReader', () => {
  it('dip: the head reads the tracks, then the card reaches the contacts and the chip is powered', async () => {
    const { fake, hid, reader, media } = await setup();
    const read = reader.readRawData({ tracks: ['track2'], chip: true });
    hid.swipe();
    await new Promise((r) => setImmediate(r)); // the stripe part completes first; the chip is not in yet
    expect(media).toEqual([]);
    fake.insertCard(READER);
    const r = await read;
    expect(r).toMatchObject({ completionCode: 'success', payload: { track2: T2 } });
    expect(r.payload?.chipAtr).toBeDefined();
    expect(media).toEqual(['inserted']);
    expect(reader.status()).toMatchObject({ device: 'online', media: 'present' });
    expect(await reader.chipIO({ apdu: Uint8Array.from([0x80, 0xca, 0x9f, 0x17, 0x00]) })).toMatchObject({ completionCode: 'success' });
    fake.removeCard(READER);
    expect(media).toEqual(['inserted', 'removed']);
  });

  it('a card that never reaches the contacts: the tracks alone (the kiosk applies its fallback rules)', async () => {
    const { hid, reader } = await setup(30);
    const read = reader.readRawData({ tracks: ['track2'], chip: true });
    hid.swipe();
    const r = await read;
    expect(r.completionCode).toBe('success');
    expect(r.payload).toEqual({ track2: T2 });
  });

  it('tracks only when the chip is not asked for; cancel while waiting for the contacts is canceled', async () => {
    const { hid, reader } = await setup(10_000);
    const plain = reader.readRawData({ tracks: ['track2'] });
    hid.swipe();
    expect(await plain).toEqual({ completionCode: 'success', payload: { track2: T2 } });
    const ac = new AbortController();
    const read = reader.readRawData({ tracks: ['track2'], chip: true }, ac.signal);
    hid.swipe();
    await new Promise((r) => setImmediate(r));
    ac.abort();
    expect(await read).toMatchObject({ completionCode: 'canceled' });
  });

  it('status: the worse of the two, with both details; capabilities: dip with chip, the head\'s tracks', async () => {
    const { fake, reader } = await setup();
    expect(reader.capabilities()).toEqual({ type: 'dip', readTracks: ['track1', 'track2', 'track3'], chip: true, retainCapable: false });
    const changes: string[] = [];
    reader.events.on('statusChanged', (s) => changes.push(s.device));
    fake.stopService();
    expect(reader.status()).toMatchObject({ device: 'noDevice', detail: 'chip: PC/SC service (pcscd) not running: PC/SC service stopped' });
    expect(changes).toContain('noDevice');
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'deviceNotReady' });
    expect(await reader.move({ to: 'retain' })).toMatchObject({ completionCode: 'unsupportedCommand' });
  });
});
