import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_CARDS, track2Of } from '../../../devices/card-reader/test-cards';
import { Xfs4IotCardReader } from '../../../devices/xfs4iot/client-card-reader';
import { startRig, until, type Rig } from './harness';

const card = TEST_CARDS[0]!;
let rig: Rig;
let reader: Xfs4IotCardReader;

beforeEach(async () => {
  rig = await startRig();
  reader = new Xfs4IotCardReader({ uri: rig.endpoint.serviceUri('CardReader'), backoff: { initialMs: 20, maxMs: 100 } });
  expect(await reader.start()).toBe(true);
});
afterEach(async () => {
  reader.close();
  expect(rig.violations()).toEqual([]);
  await rig.close();
});

describe('Xfs4IotCardReader <-> endpoint(CardReaderSimulator)', () => {
  it('reads status, capabilities and the retain bin on connect', () => {
    expect(reader.status()).toEqual({ device: 'online', media: 'notPresent', retainBin: { count: 0, capacity: 5, state: 'ok' } });
    expect(reader.capabilities()).toEqual({ type: 'motor', readTracks: ['track1', 'track2', 'track3'], chip: true, retainCapable: true });
  });

  it('ReadRawData: InsertCardEvent, MediaInsertedEvent, then the tracks and ATR', async () => {
    const inserted: string[] = [];
    reader.events.on('mediaInserted', () => inserted.push('inserted'));
    const read = reader.readRawData({ tracks: ['track1', 'track2'], chip: true });
    await until(() => rig.sent.some((m) => m.header.name === 'CardReader.InsertCardEvent'), 'InsertCardEvent');
    rig.reader.insertCard(card);
    const r = await read;
    expect(r.completionCode).toBe('success');
    if (r.completionCode !== 'success') return;
    expect(r.payload.track2).toBe(track2Of(card));
    expect(r.payload.track1?.startsWith('B')).toBe(true);
    expect(r.payload.chipAtr?.length).toBeGreaterThan(0);
    expect(inserted).toEqual(['inserted']);
    const events = rig.sent.filter((m) => m.header.type === 'event').map((m) => m.header.name);
    expect(events).toEqual(['CardReader.InsertCardEvent', 'CardReader.MediaInsertedEvent']);
  });

  it('ReadRawData error: invalidMedia, and deviceNotReady when offline', async () => {
    rig.reader.insertCard(card);
    rig.reader.injectFault('readError');
    expect(await reader.readRawData({ tracks: ['track2'] })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'invalidMedia' });
    rig.reader.injectFault('offline');
    expect(await reader.readRawData({ tracks: ['track2'] })).toMatchObject({ completionCode: 'deviceNotReady' });
    await until(() => reader.status().device === 'offline', 'offline status');
  });

  it('Move to exit, the card is taken: MediaRemovedEvent arrives unsolicited', async () => {
    const seen: string[] = [];
    reader.events.on('cardAction', (e) => seen.push(e.action));
    reader.events.on('mediaRemoved', () => seen.push('removed'));
    rig.reader.insertCard(card);
    expect(await reader.move({ to: 'exit' })).toEqual({ completionCode: 'success', payload: {} });
    rig.reader.takeCard();
    await until(() => seen.includes('removed'), 'MediaRemovedEvent');
    expect(seen).toEqual(['ejected', 'removed']);
    const removed = rig.sent.find((m) => m.header.name === 'CardReader.MediaRemovedEvent')!;
    expect(removed.header.type).toBe('unsolicited');
    expect(removed.header.requestId).toBeUndefined();
    await until(() => reader.status().media === 'notPresent', 'media status');
  });

  it('Move to retain counts the bin; a full bin is errorCode retainBinFull (wire "full"); jam is mediaJam', async () => {
    rig.reader.insertCard(card);
    expect((await reader.move({ to: 'retain' })).completionCode).toBe('success');
    await until(() => reader.status().retainBin.count === 1, 'retain count');
    rig.reader.insertCard(card);
    rig.reader.injectFault('retainBinFull');
    expect(await reader.move({ to: 'retain' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'retainBinFull' });
    expect(rig.sent.some((m) => m.header.type === 'completion' && m.payload.errorCode === 'full')).toBe(true);
    rig.reader.injectFault('cardJam');
    expect(await reader.move({ to: 'exit' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'mediaJam' });
    expect(await reader.move({ to: 'exit' })).toMatchObject({ errorCode: 'mediaJam' });
    expect(await reader.move({ to: 'exit' }).then((r) => r.completionCode)).toBe('commandErrorCode');
  });

  it('Reset clears a jam by retaining; without a card it just resets', async () => {
    expect((await reader.reset()).completionCode).toBe('success');
    rig.reader.insertCard(card);
    rig.reader.injectFault('cardJam');
    await reader.move({ to: 'exit' });
    expect((await reader.reset({ to: 'retain' })).completionCode).toBe('success');
    await until(() => reader.status().retainBin.count === 1, 'retain count');
  });

  it('ChipPower + ChipIO exchange APDUs; errors map to noMedia / hardwareError', async () => {
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMedia' });
    expect(await reader.chipIO({ apdu: Uint8Array.of(0, 0xa4, 4, 0) })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMedia' });
    rig.reader.insertCard(card);
    const atr = await reader.chipPower({ action: 'cold' });
    expect(atr.completionCode).toBe('success');
    const select = Uint8Array.from(Buffer.from('00A404000E315041592E5359532E444446303100', 'hex'));
    const r = await reader.chipIO({ apdu: select });
    expect(r.completionCode).toBe('success');
    if (r.completionCode === 'success') expect(Buffer.from(r.payload.response.slice(-2)).toString('hex')).toBe('9000');
    expect(await reader.chipPower({ action: 'off' })).toEqual({ completionCode: 'success', payload: {} });
    rig.reader.injectFault('chipError');
    expect(await reader.chipIO({ apdu: select })).toMatchObject({ completionCode: 'hardwareError' });
  });

  it('cancel() ends a pending ReadRawData with canceled (Common.Cancel)', async () => {
    const read = reader.readRawData({ tracks: ['track2'] });
    await until(() => rig.sent.some((m) => m.header.name === 'CardReader.InsertCardEvent'), 'InsertCardEvent');
    reader.cancel();
    expect(await read).toMatchObject({ completionCode: 'canceled' });
    expect(rig.sent.some((m) => m.header.name === 'Common.Cancel' && m.header.type === 'completion' && m.payload.completionCode === 'success')).toBe(true);
  });

  it('an AbortSignal cancels; a timeout completes with timeOut', async () => {
    const ac = new AbortController();
    const read = reader.readRawData({ tracks: ['track2'] }, ac.signal);
    await until(() => rig.sent.some((m) => m.header.name === 'CardReader.InsertCardEvent'), 'InsertCardEvent');
    ac.abort();
    expect(await read).toMatchObject({ completionCode: 'canceled' });
    expect(await reader.readRawData({ tracks: ['track2'], timeoutMs: 30 })).toMatchObject({ completionCode: 'timeOut' });
  });

  it('the connection dropping mid-command completes it with deviceNotReady, then reconnects', async () => {
    const statuses: string[] = [];
    reader.events.on('statusChanged', (s) => statuses.push(s.device));
    const read = reader.readRawData({ tracks: ['track2'] });
    await until(() => rig.sent.some((m) => m.header.name === 'CardReader.InsertCardEvent'), 'InsertCardEvent');
    rig.endpoint.disconnectAll('CardReader');
    expect(await read).toMatchObject({ completionCode: 'deviceNotReady' });
    expect(statuses).toContain('offline');
    await until(() => reader.connection.connected && reader.status().device === 'online', 'reconnect');
    rig.reader.insertCard(card);
    expect((await reader.readRawData({ tracks: ['track2'] })).completionCode).toBe('success');
  });

  it('no card data is sent anywhere but in the ReadRawData completion', async () => {
    rig.reader.insertCard(card);
    await reader.readRawData({ tracks: ['track1', 'track2', 'track3'] });
    const withPan = rig.sent.filter((m) => JSON.stringify(m).includes(Buffer.from(track2Of(card), 'latin1').toString('base64')));
    expect(withPan.map((m) => `${m.header.type} ${m.header.name}`)).toEqual(['completion CardReader.ReadRawData']);
    expect(rig.sent.some((m) => JSON.stringify(m).includes(card.pan))).toBe(false);
  });
});
