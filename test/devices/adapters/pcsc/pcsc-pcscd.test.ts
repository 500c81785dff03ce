/**
 * The PC/SC adapter against a real pcscd with vsmartcard's vpcd reader driver, and a virtual EMV card on vpcd's
 * socket backed by the repo's SimChipCard: the EMV kernel reads the card through
 * adapter -> smartcard (libpcsclite) -> pcscd -> vpcd -> TCP -> VpcdCard -> SimChipCard (in a child process), and the issuer checks
 * the ARQC. T=0 is exercised end to end with a card that speaks T=0 (61xx / 6Cxx). All in one file: the tests
 * share one private pcscd (helpers/pcscd.ts). Skipped with a message where pcscd, vpcd or the binding is absent.
 */
import { EventEmitter } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PcscCardReader } from '../../../../devices/adapters/pcsc/pcsc-card-reader';
import { StripeChipCardReader } from '../../../../devices/adapters/pcsc/stripe-chip-card-reader';
import { PcscError } from '../../../../devices/adapters/pcsc/pcsc-errors';
import { MagtekCardReader } from '../../../../devices/adapters/magtek/magtek-card-reader';
import type { HidDeviceLike } from '../../../../devices/adapters/magtek/magtek-hid';
import { buildMagtekReport } from '../../../../devices/adapters/magtek/magtek-report';
import { TEST_CHIP_CARDS, TEST_ISSUER_KEYS } from '../../../../devices/card-reader/chip/test-chip-cards';
import type { ChipCardProfile } from '../../../../devices/card-reader/chip/chip-card-profile';
import { chipTransportFromReader } from '../../../../devices/card-reader/chip/reader-transport';
import type { CardReaderEvents, CardReaderService, CardReaderStatus } from '../../../../devices/card-reader/types';
import { EmvTransaction } from '../../../../main/emv/kernel';
import { buildArpc, verifyArqc } from '../../../../main/emv/issuer';
import { terminalConfig } from '../../../../main/emv/terminal-config';
import { fromHex } from '../../../../main/emv/tdes';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../../main/config/config';
import { openHardware } from '../../../../main/core/device-factory';
import { pcscSkipReason, startTestPcscd, type TestPcscd } from './helpers/pcscd';
import { RemoteVirtualCard } from './helpers/remote-virtual-card';
import { ATR_T0, ATR_T1 } from './helpers/vpcd-card';

const skip = await pcscSkipReason();
if (skip) console.warn(skip);

const issuerKeys = { ac: fromHex(TEST_ISSUER_KEYS.ac), smi: fromHex(TEST_ISSUER_KEYS.smi), smc: fromHex(TEST_ISSUER_KEYS.smc) };
const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex').toUpperCase();

/** Resolves once `pred()` holds, re-checking on each statusChanged event; fails after `ms` with the status. */
function until(reader: CardReaderService, pred: (s: CardReaderStatus) => boolean, ms = 10_000): Promise<void> {
  if (pred(reader.status())) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`condition not reached in ${ms} ms; status ${JSON.stringify(reader.status())}`));
    }, ms);
    const off = reader.events.on('statusChanged', (s) => {
      if (!pred(s)) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** The next event of that name (fails after `ms`). */
function next<K extends keyof CardReaderEvents>(reader: CardReaderService, name: K, ms = 10_000): Promise<CardReaderEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${String(name)} event in ${ms} ms`));
    }, ms);
    const off = reader.events.on(name, (e) => {
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

describe.skipIf(skip !== null)('PC/SC chip access through pcscd + vpcd with a virtual EMV card', () => {
  let pcscd: TestPcscd;
  const cleanups: Array<() => void | Promise<void>> = [];

  beforeAll(async () => {
    pcscd = await startTestPcscd();
    process.env.PCSCLITE_CSOCK_NAME = pcscd.socket; // libpcsclite reads it at the first context of this process
  });
  afterAll(async () => {
    await pcscd?.dispose();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function openReader(opts: { reader?: string } = {}): Promise<PcscCardReader> {
    // A generous removal grace: under a loaded CI machine pcscd's 400 ms presence poll can run late.
    const reader = new PcscCardReader({ reader: opts.reader ?? pcscd.reader, retryMs: 200, removalGraceMs: 5000 });
    cleanups.push(() => reader.close());
    await reader.open();
    return reader;
  }

  /**
   * A virtual card on vpcd's port (in its own process, see helpers/virtual-card-process.ts). Cleanup pulls it and
   * waits until `reader` has seen it go: a card swapped within one pcscd presence poll (400 ms) is never
   * reported as removed, and pcscd then keeps a stale state.
   */
  async function virtualCard(profile: keyof typeof TEST_CHIP_CARDS, protocol: 'T0' | 'T1', reader: CardReaderService): Promise<RemoteVirtualCard> {
    const card = await RemoteVirtualCard.start(pcscd.port, profile, protocol);
    cleanups.push(async () => {
      const seen = reader.status().media === 'present' ? next(reader, 'mediaRemoved') : null;
      await card.stop();
      await seen;
    });
    return card;
  }

  async function emvRead(reader: CardReaderService, profile: ChipCardProfile) {
    const txn = new EmvTransaction({ transport: chipTransportFromReader(reader), config: terminalConfig(), now: () => new Date('2026-03-15T10:20:30Z') });
    const first = await txn.start({ amountMinor: 100_00 });
    return { txn, first, verify: () => (first.kind === 'online' ? verifyArqc(first.field55, issuerKeys, { pan: profile.pan, psn: profile.psn }) : null) };
  }

  it('T=1 card: inserted during ReadRawData (mediaInserted), ATR, EMV read with an ARQC the issuer verifies, ARPC, TC; removal is mediaRemoved', async () => {
    const reader = await openReader();
    await until(reader, (s) => s.device === 'online');
    expect(reader.status().media).toBe('notPresent');
    const card = await virtualCard('visaCvn10', 'T1', reader);

    const inserted = next(reader, 'mediaInserted');
    const read = reader.readRawData({ tracks: [], chip: true, timeoutMs: 10_000 });
    await card.insert();
    await inserted;
    const r = await read;
    expect(r.completionCode).toBe('success');
    expect(hex(r.payload?.chipAtr)).toBe(hex(ATR_T1));
    expect(reader.chip.state().protocol).toBe('T1');

    const { txn, first, verify } = await emvRead(reader, TEST_CHIP_CARDS.visaCvn10);
    expect(first).toMatchObject({ kind: 'online', aid: 'A0000000031010' });
    const v = verify();
    expect(v).toMatchObject({ ok: true, cvn: 'visa-10' });
    expect((await card.state()).atc['A0000000031010']).toBe(0x11);
    if (!v?.ok) throw new Error('unreachable');
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, v.context, { arc: '00' }) });
    expect(done).toMatchObject({ result: 'approved', issuerAuthentication: 'ok' });

    const removed = next(reader, 'mediaRemoved');
    await card.remove();
    await removed;
    expect(reader.status().media).toBe('notPresent');
    const after = await reader.chipIO({ apdu: Uint8Array.from([0x00, 0xb2, 0x01, 0x0c, 0x00]) });
    expect(after).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMedia' });
  });

  it('T=0 card: case 4 sent without Le, 61xx answered with GET RESPONSE, 6Cxx re-sent with the right Le; full Mastercard read verified by the issuer', async () => {
    const reader = await openReader();
    await until(reader, (s) => s.device === 'online');
    const card = await virtualCard('mastercard', 'T0', reader);
    await card.insert();
    await until(reader, (s) => s.media === 'present');
    const power = await reader.chipPower({ action: 'cold' });
    expect(hex(power.payload?.atr)).toBe(hex(ATR_T0));
    expect(reader.chip.state().protocol).toBe('T0');

    const { txn, first, verify } = await emvRead(reader, TEST_CHIP_CARDS.mastercard);
    expect(first).toMatchObject({ kind: 'online', aid: 'A0000000041010' });
    const v = verify();
    expect(v).toMatchObject({ ok: true, cvn: 'mastercard-16' });
    if (!v?.ok) throw new Error('unreachable');
    const done = await txn.completeOnline({ hostReached: true, arc: '00', arpc: buildArpc(1, v.context, { arc: '00' }) });
    expect(done.result).toBe('approved');

    const { headers } = await card.state();
    expect(headers.some((h) => h.startsWith('00c00000'))).toBe(true); // GET RESPONSE after 61xx
    expect(headers.filter((h) => h.startsWith('00b2')).length).toBeGreaterThan(2); // READ RECORD re-sent after 6Cxx
    // The card never saw a TPDU with both Lc data and Le (it would have answered 6700 and the read failed).
  });

  it('a warm reset gives the ATR again and the card forgets the selected application', async () => {
    const reader = await openReader();
    await until(reader, (s) => s.device === 'online');
    const card = await virtualCard('visaCvn10', 'T1', reader);
    await card.insert();
    await until(reader, (s) => s.media === 'present');
    expect((await reader.chipPower({ action: 'cold' })).completionCode).toBe('success');
    const select = Uint8Array.from([0x00, 0xa4, 0x04, 0x00, 0x07, ...fromHex('A0000000031010'), 0x00]);
    expect(hex((await reader.chipIO({ apdu: select })).payload?.response).endsWith('9000')).toBe(true);
    const warm = await reader.chipPower({ action: 'warm' });
    expect(hex(warm.payload?.atr)).toBe(hex(ATR_T1));
    expect((await card.state()).controls).toContain('reset');
    const gpo = await reader.chipIO({ apdu: Uint8Array.from([0x80, 0xa8, 0x00, 0x00, 0x02, 0x83, 0x00, 0x00]) });
    expect(hex(gpo.payload?.response)).toBe('6985'); // no application selected after the reset
    expect((await reader.chipPower({ action: 'off' })).completionCode).toBe('success');
    expect((await reader.chipIO({ apdu: select })).completionCode).toBe('sequenceError');
  });

  it('card removed in the middle of an APDU exchange: noMedia "card removed during the APDU exchange", mediaRemoved, and the EMV kernel fails at GENERATE AC with chipIo', async () => {
    const reader = await openReader();
    await until(reader, (s) => s.device === 'online');
    const card = await virtualCard('visaCvn10', 'T1', reader);
    await card.insert();
    await until(reader, (s) => s.media === 'present');
    expect((await reader.chipPower({ action: 'cold' })).completionCode).toBe('success');
    await card.removeOnIns(0xae); // pulled when GENERATE AC arrives
    const removed = next(reader, 'mediaRemoved');
    const { first } = await emvRead(reader, TEST_CHIP_CARDS.visaCvn10);
    await removed;
    expect(first).toMatchObject({ kind: 'failed', code: 'chipIo' });
    expect((first as { message: string }).message).toMatch(/GENERATE AC.*ChipIO commandErrorCode\/noMedia/);

    // The same directly on ChipIO.
    await card.removeOnIns(0xb2);
    await card.insert();
    await until(reader, (s) => s.media === 'present');
    expect((await reader.chipPower({ action: 'cold' })).completionCode).toBe('success');
    const r = await reader.chipIO({ apdu: Uint8Array.from([0x00, 0xb2, 0x01, 0x0c, 0x00]) });
    expect(r).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMedia', errorDescription: 'card removed during the APDU exchange' });
  });

  it('no card: ChipPower is noMedia, ReadRawData times out, Cancel ends a pending read', async () => {
    const reader = await openReader();
    await until(reader, (s) => s.device === 'online');
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMedia' });
    expect(await reader.readRawData({ tracks: [], chip: true, timeoutMs: 200 })).toMatchObject({ completionCode: 'timeOut' });
    const pending = reader.readRawData({ tracks: [], chip: true });
    reader.cancel();
    expect(await pending).toMatchObject({ completionCode: 'canceled' });
  });

  it('no reader of that name: noDevice with a clear detail, commands deviceNotReady', async () => {
    const reader = await openReader({ reader: 'No Such Reader' });
    expect(reader.status()).toMatchObject({ device: 'noDevice', detail: 'no PC/SC reader attached' });
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'deviceNotReady', errorDescription: 'no PC/SC reader matching "No Such Reader"' });
    expect(await reader.readRawData({ tracks: [], chip: true, timeoutMs: 100 })).toMatchObject({ completionCode: 'deviceNotReady' });
  });

  it('MagTek stripe + PC/SC chip as one card reader: tracks from the swipe, ATR from the contacts, EMV through the combined service', async () => {
    const chip = await openReader();
    await until(chip, (s) => s.device === 'online');
    const hid = new (class extends EventEmitter implements HidDeviceLike {
      close() {}
    })();
    const reader = new StripeChipCardReader(new MagtekCardReader(hid), chip, { chipSettleMs: 10_000 });
    const card = await virtualCard('visaCvn10', 'T1', reader);
    const read = reader.readRawData({ tracks: ['track2'], chip: true, timeoutMs: 10_000 });
    hid.emit('data', Buffer.from(buildMagtekReport([null, '4761739001010010=30122010000000000000', null])));
    await card.insert(); // the card reaches the contacts after the head read it
    const r = await read;
    expect(r.completionCode).toBe('success');
    expect(r.payload?.track2).toBe('4761739001010010=30122010000000000000');
    expect(hex(r.payload?.chipAtr)).toBe(hex(ATR_T1));
    expect(reader.capabilities()).toMatchObject({ type: 'dip', chip: true });
    const { first, verify } = await emvRead(reader, TEST_CHIP_CARDS.visaCvn10);
    expect(first.kind).toBe('online');
    expect(verify()).toMatchObject({ ok: true });
  });

  it('config devices.cardReader magtek + chip pcsc: openHardware gives one card reader with the MagTek head and the PC/SC chip', async () => {
    const config = parseConfig({ devices: { cardReader: { kind: 'magtek', chip: { kind: 'pcsc', reader: pcscd.reader } } } });
    expect(config.devices.cardReader).toEqual({ kind: 'magtek', vendorId: 0x0801, chip: { kind: 'pcsc', reader: pcscd.reader, settleMs: 3000 } });
    const changes: string[] = [];
    const hw = await openHardware(config, mkdtempSync(join(tmpdir(), 'atm-hw-')), { startupWaitMs: 0, onDeviceChange: (d, online) => changes.push(`${d}:${online}`) });
    cleanups.push(() => hw.close());
    const reader = hw.cardReader!;
    expect(reader).toBeInstanceOf(StripeChipCardReader);
    expect(reader.capabilities()).toMatchObject({ type: 'dip', chip: true });
    const card = await virtualCard('visaCvn10', 'T1', reader);
    await card.insert();
    await until(reader, (s) => s.media === 'present');
    const power = await reader.chipPower({ action: 'cold' });
    expect(hex(power.payload?.atr)).toBe(hex(ATR_T1));
    const { first, verify } = await emvRead(reader, TEST_CHIP_CARDS.visaCvn10);
    expect(first.kind).toBe('online');
    expect(verify()).toMatchObject({ ok: true });
    expect(changes.filter((c) => c.startsWith('cardReader.chip'))).toEqual([]);
  });

  it('pcscd stopped and restarted: noDevice "pcscd not running", open() refuses while it is down, the reader comes back by itself', async () => {
    const reader = await openReader();
    await until(reader, (s) => s.device === 'online');
    const card = await virtualCard('visaCvn10', 'T1', reader);
    await card.insert();
    await until(reader, (s) => s.media === 'present');

    const gone = until(reader, (s) => s.device === 'noDevice');
    await pcscd.stop();
    await gone;
    expect(reader.status().detail).toMatch(/pcscd\) not running/);
    expect(await reader.chipPower({ action: 'cold' })).toMatchObject({ completionCode: 'deviceNotReady' });

    const other = new PcscCardReader({ reader: pcscd.reader });
    const refused = await other.open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(PcscError);
    expect((refused as PcscError).kind).toBe('serviceUnavailable');
    expect((refused as PcscError).message).toMatch(/PC\/SC service \(pcscd\) not reachable/);
    await card.remove();

    await pcscd.start();
    await until(reader, (s) => s.device === 'online');
    await card.insert();
    await until(reader, (s) => s.media === 'present');
    expect((await reader.chipPower({ action: 'cold' })).completionCode).toBe('success');
  });
});
