/**
 * PcscCardReader / PcscChipAccess with a fake binding at the library boundary: reader attach/detach, card
 * insert/remove, removal in the middle of an APDU (both orders: removal event first, transmit failure first),
 * pcscd lost and back, and each failure's completion. Waits are on the adapter's own events.
 */
import { describe, expect, it } from 'vitest';
import { loadSmartcardBinding, PcscUnavailableError } from '../../../../devices/adapters/pcsc/pcsc-binding';
import { PcscCardReader } from '../../../../devices/adapters/pcsc/pcsc-card-reader';
import { PcscError } from '../../../../devices/adapters/pcsc/pcsc-errors';
import type { CardReaderEvents, CardReaderStatus } from '../../../../devices/card-reader/types';
import { FakePcsc } from './helpers/fake-binding';

const READER = 'Contact Reader 00 00';
const GET_DATA = Uint8Array.from([0x80, 0xca, 0x9f, 0x17, 0x00]);

function setup(opts: { reader?: string; removalGraceMs?: number } = {}) {
  const fake = new FakePcsc();
  const reader = new PcscCardReader({ binding: fake, retryMs: 5, removalGraceMs: opts.removalGraceMs ?? 2000, ...(opts.reader ? { reader: opts.reader } : {}) });
  const log: string[] = [];
  for (const ev of ['mediaInserted', 'mediaRemoved'] as const) reader.events.on(ev, () => log.push(ev));
  return { fake, reader, log };
}

function until(reader: PcscCardReader, pred: (s: CardReaderStatus) => boolean): Promise<void> {
  if (pred(reader.status())) return Promise.resolve();
  return new Promise((resolve) => {
    const off = reader.events.on('statusChanged', (s) => {
      if (pred(s)) {
        off();
        resolve();
      }
    });
  });
}

const next = <K extends keyof CardReaderEvents>(reader: PcscCardReader, name: K) =>
  new Promise<CardReaderEvents[K]>((resolve) => {
    const off = reader.events.on(name, (e) => {
      off();
      resolve(e);
    });
  });

describe('PC/SC card reader: readers and cards come and go', () => {
  it('a reader present at start with a card in it: online, mediaInserted, ATR on power-up', async () => {
    const { fake, reader, log } = setup();
    fake.readers.add(READER);
    fake.cards.add(READER);
    expect(reader.status().device).toBe('starting');
    await reader.open();
    await until(reader, (s) => s.device === 'online' && s.media === 'present');
    expect(log).toEqual(['mediaInserted']);
    const p = await reader.chipPower({ action: 'cold' });
    expect(p).toMatchObject({ completionCode: 'success' });
    expect(Buffer.from(p.payload!.atr!).toString('hex')).toBe('3b6000');
    reader.close();
  });

  it('no reader, then one attached (the first matching the configured name), detached (mediaRemoved, noDevice), another attached', async () => {
    const { fake, reader, log } = setup({ reader: 'contact' });
    await reader.open();
    expect(reader.status()).toMatchObject({ device: 'noDevice', detail: 'no PC/SC reader attached' });
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'deviceNotReady', errorDescription: 'no PC/SC reader matching "contact"' });
    fake.attachReader('Contactless Pad 00 00'); // "contact" matches this one too, and it came first: taken
    expect(reader.status().device).toBe('online');
    fake.attachReader(READER);
    fake.insertCard('Contactless Pad 00 00');
    expect(log).toEqual(['mediaInserted']);
    fake.detachReader('Contactless Pad 00 00');
    expect(log).toEqual(['mediaInserted', 'mediaRemoved']);
    // The other matching reader takes over.
    expect(reader.status()).toMatchObject({ device: 'online', media: 'notPresent' });
    expect(reader.chip.state().reader).toBe(READER);
    fake.detachReader(READER);
    expect(reader.status().device).toBe('noDevice');
    reader.close();
  });

  it('a reader whose name does not match is ignored', async () => {
    const { fake, reader } = setup({ reader: 'Gemalto' });
    await reader.open();
    fake.attachReader(READER, true);
    expect(reader.status().device).toBe('noDevice');
    reader.close();
  });

  it('ReadRawData waits for the insertion event, powers the chip and returns the ATR; without chip it is unsupported', async () => {
    const { fake, reader } = setup();
    fake.readers.add(READER);
    await reader.open();
    await until(reader, (s) => s.device === 'online');
    expect(await reader.readRawData({ tracks: ['track2'] })).toMatchObject({ completionCode: 'unsupportedData' });
    const read = reader.readRawData({ tracks: [], chip: true });
    expect(await reader.readRawData({ tracks: [], chip: true })).toMatchObject({ completionCode: 'sequenceError' });
    fake.insertCard(READER);
    const r = await read;
    expect(r.completionCode).toBe('success');
    expect(r.payload?.chipAtr).toBeDefined();
    expect(reader.chip.state()).toMatchObject({ powered: true, protocol: 'T1' });
    // Move to exit: chip powered down, the cardholder takes the card.
    expect(await reader.move({ to: 'exit' })).toMatchObject({ completionCode: 'success' });
    expect(reader.chip.state().powered).toBe(false);
    expect(await reader.move({ to: 'retain' })).toMatchObject({ completionCode: 'unsupportedCommand' });
    reader.close();
  });

  it('a pending read ends with deviceNotReady when the reader is unplugged or pcscd stops', async () => {
    const { fake, reader } = setup();
    fake.readers.add(READER);
    await reader.open();
    await until(reader, (s) => s.device === 'online');
    const read = reader.readRawData({ tracks: [], chip: true });
    fake.detachReader(READER);
    expect(await read).toMatchObject({ completionCode: 'deviceNotReady', errorDescription: 'no PC/SC reader attached' });
    fake.attachReader(READER);
    const again = reader.readRawData({ tracks: [], chip: true });
    fake.stopService();
    expect(await again).toMatchObject({ completionCode: 'deviceNotReady', errorDescription: 'PC/SC service (pcscd) not running: PC/SC service stopped' });
    reader.close();
  });
});

describe('PC/SC card reader: chip I/O failures', () => {
  async function poweredCard(opts: { removalGraceMs?: number } = {}) {
    const s = setup(opts);
    s.fake.readers.add(READER);
    s.fake.cards.add(READER);
    await s.reader.open();
    await until(s.reader, (st) => st.media === 'present');
    expect((await s.reader.chipPower({ action: 'cold' })).completionCode).toBe('success');
    return s;
  }

  it('card removed while the APDU is on the line (removal event, then the transmit fails): noMedia, mediaRemoved', async () => {
    const { fake, reader, log } = await poweredCard();
    fake.transmit = () =>
      new Promise((_, reject) => {
        fake.removeCard(READER);
        setImmediate(() => reject(new Error('Transaction failed')));
      });
    expect(await reader.chipIO({ apdu: GET_DATA })).toEqual({ completionCode: 'commandErrorCode', errorCode: 'noMedia', errorDescription: 'card removed during the APDU exchange' });
    expect(log).toEqual(['mediaInserted', 'mediaRemoved']);
    expect(reader.status().media).toBe('notPresent');
    reader.close();
  });

  it('card removed, but pcscd reports the failed transmit before the removal: still noMedia, once the removal event arrives', async () => {
    const { fake, reader } = await poweredCard();
    fake.transmit = async () => {
      setImmediate(() => fake.removeCard(READER));
      throw new Error('Communication error');
    };
    expect(await reader.chipIO({ apdu: GET_DATA })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMedia', errorDescription: 'card removed during the APDU exchange' });
    reader.close();
  });

  it('"Card was removed" from the library is noMedia at once; the next command is noMedia too', async () => {
    const { fake, reader } = await poweredCard();
    fake.transmit = async () => {
      fake.cards.delete(READER);
      throw new Error('Card was removed');
    };
    expect(await reader.chipIO({ apdu: GET_DATA })).toMatchObject({ errorCode: 'noMedia', errorDescription: 'card removed during the APDU exchange' });
    fake.removeCard(READER);
    expect(await reader.chipIO({ apdu: GET_DATA })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMedia' });
    reader.close();
  });

  it('a line error with the card still in: hardwareError after the grace period, the card stays present', async () => {
    const { fake, reader } = await poweredCard({ removalGraceMs: 30 });
    fake.transmit = async () => {
      throw new Error('Communication error');
    };
    expect(await reader.chipIO({ apdu: GET_DATA })).toMatchObject({ completionCode: 'hardwareError', errorDescription: 'the APDU exchange failed: Communication error' });
    expect(reader.status().media).toBe('present');
    reader.close();
  });

  it('T=0 negotiated: case 4 goes without Le and 61xx is fetched (through the binding)', async () => {
    const s = setup();
    s.fake.readers.add(READER);
    s.fake.cards.add(READER);
    s.fake.protocol = s.fake.constants.SCARD_PROTOCOL_T0;
    s.fake.transmit = async (tpdu) => (tpdu[1] === 0xc0 ? Uint8Array.of(0x6f, 0x00, 0x90, 0x00) : Uint8Array.of(0x61, 0x02));
    await s.reader.open();
    await until(s.reader, (st) => st.media === 'present');
    await s.reader.chipPower({ action: 'cold' });
    const r = await s.reader.chipIO({ apdu: Uint8Array.from([0x00, 0xa4, 0x04, 0x00, 0x02, 0x3f, 0x00, 0x00]) });
    expect(Buffer.from(r.payload?.response ?? []).toString('hex')).toBe('6f009000');
    expect(s.fake.connected[0]!.sent).toEqual(['00a40400023f00', '00c0000002']);
    s.reader.close();
  });

  it('chip commands before power-up, after power-off, without a card, with a malformed APDU', async () => {
    const { fake, reader } = setup();
    fake.readers.add(READER);
    await reader.open();
    await until(reader, (s) => s.device === 'online');
    expect(await reader.chipIO({ apdu: GET_DATA })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMedia' });
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMedia' });
    fake.insertCard(READER);
    expect(await reader.chipIO({ apdu: GET_DATA })).toMatchObject({ completionCode: 'sequenceError', errorDescription: 'chip not powered' });
    await reader.chipPower({ action: 'cold' });
    expect(await reader.chipIO({ apdu: Uint8Array.from([0x00, 0xa4]) })).toMatchObject({ completionCode: 'invalidData' });
    expect(await reader.chipPower({ action: 'warm' })).toMatchObject({ completionCode: 'success' });
    expect(fake.connected[0]!.reconnects).toEqual([fake.constants.SCARD_RESET_CARD]);
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'success' });
    expect(fake.connected[0]!.reconnects).toEqual([fake.constants.SCARD_RESET_CARD, fake.constants.SCARD_UNPOWER_CARD]);
    expect(await reader.chipPower({ action: 'off' })).toMatchObject({ completionCode: 'success' });
    expect(fake.connected[0]!.connected).toBe(false);
    expect(await reader.chipIO({ apdu: GET_DATA })).toMatchObject({ completionCode: 'sequenceError' });
    reader.close();
  });

  it('card held by another application, mute card', async () => {
    const { fake, reader } = setup({ removalGraceMs: 20 });
    fake.readers.add(READER);
    fake.cards.add(READER);
    await reader.open();
    await until(reader, (s) => s.media === 'present');
    fake.connectError = 'Sharing violation';
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'deviceNotReady', errorDescription: 'power on failed: Sharing violation' });
    fake.connectError = 'Card is unresponsive';
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'invalidMedia' });
    reader.close();
  });
});

describe('PC/SC card reader: the PC/SC service', () => {
  it('pcscd not running at open: PcscError serviceUnavailable naming pcscd', async () => {
    const { fake, reader } = setup();
    fake.serviceUp = false;
    const e = await reader.open().then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(PcscError);
    expect(e).toMatchObject({ kind: 'serviceUnavailable', message: 'PC/SC service (pcscd) not reachable: PC/SC service not running' });
  });

  it('with retryAtStart, pcscd missing at open is the noDevice state, and the reader appears once pcscd runs', async () => {
    const fake = new FakePcsc();
    fake.serviceUp = false;
    fake.readers.add(READER);
    const reader = new PcscCardReader({ binding: fake, retryMs: 5, retryAtStart: true });
    await reader.open();
    expect(reader.status()).toMatchObject({ device: 'noDevice', detail: 'PC/SC service (pcscd) not reachable: PC/SC service not running' });
    const online = until(reader, (s) => s.device === 'online');
    fake.serviceUp = true;
    await online;
    reader.close();
  });

  it('pcscd stops: card removed, reader gone, noDevice "pcscd not running"; it comes back: the reader is attached again', async () => {
    const { fake, reader, log } = setup();
    fake.readers.add(READER);
    fake.cards.add(READER);
    await reader.open();
    await until(reader, (s) => s.media === 'present');
    await reader.chipPower({ action: 'cold' });
    fake.stopService();
    expect(log).toEqual(['mediaInserted', 'mediaRemoved']);
    expect(reader.status()).toMatchObject({ device: 'noDevice', media: 'unknown', detail: 'PC/SC service (pcscd) not running: PC/SC service stopped' });
    expect(await reader.chipIO({ apdu: GET_DATA })).toMatchObject({ completionCode: 'deviceNotReady', errorDescription: 'PC/SC service (pcscd) not running: PC/SC service stopped' });
    const contexts = fake.contextsCreated;
    const inserted = next(reader, 'mediaInserted');
    fake.serviceUp = true;
    await inserted; // retried, monitor restarted, the reader with its card announced again
    expect(fake.contextsCreated).toBe(contexts + 1);
    expect(reader.status()).toMatchObject({ device: 'online', media: 'present' });
    expect((await reader.chipPower({ action: 'cold' })).completionCode).toBe('success');
    reader.close();
  });

  it('no PC/SC library: a clear "PC/SC not available" error with what to install', async () => {
    const e = await loadSmartcardBinding(async () => {
      throw new Error("Cannot find package 'smartcard'");
    }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(PcscUnavailableError);
    expect((e as Error).message).toMatch(/^PC\/SC not available: the optional "smartcard" module could not be loaded \(Cannot find package 'smartcard'\)\. Install libpcsclite-dev and pcscd/);
    const reader = new PcscCardReader({
      binding: () =>
        loadSmartcardBinding(async () => {
          throw new Error('libpcsclite.so.1: cannot open shared object file');
        }),
    });
    await expect(reader.open()).rejects.toMatchObject({ kind: 'unavailable' });
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'deviceNotReady' });
  });
});
