import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Xfs4IotPinPad } from '../../../devices/xfs4iot/client-pinpad';
import { Xfs4IotPrinter } from '../../../devices/xfs4iot/client-printer';
import type { KeyEvent } from '../../../devices/pinpad/types';
import { startRig, until, type Rig } from './harness';

let rig: Rig;
let printer: Xfs4IotPrinter;
let pinpad: Xfs4IotPinPad;

beforeEach(async () => {
  rig = await startRig();
  printer = new Xfs4IotPrinter({ uri: rig.endpoint.serviceUri('Printer') });
  pinpad = new Xfs4IotPinPad({ uri: rig.endpoint.serviceUri('PinPad') });
  expect(await printer.start()).toBe(true);
  expect(await pinpad.start()).toBe(true);
});
afterEach(async () => {
  printer.close();
  pinpad.close();
  expect(rig.violations()).toEqual([]);
  await rig.close();
});

const fields = { bank: 'B', location: 'L', date: 'D', time: 'T', terminal: 'T1', txn: '1', maskedPan: '476173******0010', transaction: 'W', amount: '10', balance: '1', authCode: 'A', rrn: 'R', message: 'M' };

describe('Xfs4IotPrinter <-> endpoint(PrinterSimulator)', () => {
  it('PrintForm and PrintRaw present the media; taking it is MediaTakenEvent', async () => {
    expect(printer.status()).toEqual({ device: 'online', paper: 'full', media: 'notPresent' });
    const presented: number[] = [];
    const taken: number[] = [];
    printer.events.on('mediaPresented', (e) => presented.push(e.media.id));
    printer.events.on('mediaTaken', (e) => taken.push(e.id));
    const form = await printer.printForm({ form: 'receipt', fields });
    expect(form).toMatchObject({ completionCode: 'success', payload: { media: { id: 1, form: 'receipt', taken: false } } });
    const raw = await printer.printRaw({ lines: ['HELLO', 'ÜBER 10,00 €'] });
    expect(raw).toMatchObject({ completionCode: 'success', payload: { media: { id: 2, form: 'raw', lines: ['HELLO', 'ÜBER 10,00 €'] } } });
    expect(rig.printer.receiptAtSlot()?.lines).toEqual(['HELLO', 'ÜBER 10,00 €']);
    await until(() => printer.status().media === 'present', 'media present');
    rig.printer.takeReceipt();
    await until(() => taken.length === 1, 'MediaTakenEvent');
    expect(presented).toEqual([1, 2]);
    expect(taken).toEqual([2]);
  });

  it('errors: formNotFound, fieldError, paperOut, mediaJammed, offline', async () => {
    expect(await printer.printForm({ form: 'nope', fields: {} })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'formNotFound' });
    expect(await printer.printForm({ form: 'receipt', fields: {} })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'fieldError' });
    rig.printer.injectFault('paperOutMidReceipt');
    expect(await printer.printRaw({ lines: ['a', 'b', 'c', 'd'] })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'paperOut' });
    await until(() => printer.status().paper === 'out', 'paper out status');
    rig.printer.injectFault('jam');
    expect(await printer.printRaw({ lines: ['a'] })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'mediaJammed' });
    rig.printer.injectFault('offline');
    expect(await printer.printRaw({ lines: ['a'] })).toMatchObject({ completionCode: 'deviceNotReady' });
  });
});

describe('Xfs4IotPinPad <-> endpoint(PinPadSimulator)', () => {
  it('PinEntry: masked KeyEvents (no digit on the wire), then GetPinBlock', async () => {
    const keys: KeyEvent[] = [];
    pinpad.events.on('key', (e) => keys.push(e));
    const entry = pinpad.pinEntry({ minLen: 4, maxLen: 6, autoEnd: false });
    await until(() => rig.pinpad.status().entryMode === 'pin', 'PIN entry mode');
    for (const k of ['1', '2', '9', 'backspace', '3', '4', 'enter'] as const) rig.pinpad.pressKey(k);
    expect(await entry).toEqual({ completionCode: 'success', payload: { digits: 4, completion: 'enter' } });
    expect(keys).toEqual([1, 2, 3, 2, 3, 4].map((length) => ({ kind: 'pinDigit', length })));
    const keyEvents = rig.sent.filter((m) => m.header.name === 'Keyboard.KeyEvent');
    expect(keyEvents.every((m) => m.payload.digit === undefined && m.header.type === 'event')).toBe(true);
    const block = await pinpad.getPinBlock({ keyName: 'PINKEY', format: 0, pan: '4761739001010010' });
    expect(block).toEqual({ completionCode: 'success', payload: { pinBlock: Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7) } });
    expect(await pinpad.getPinBlock({ keyName: 'PINKEY', format: 0, pan: '4761739001010010' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noPin' });
  });

  it('PinEntry ended by an FDK and by cancel; GetPinBlock keyNotFound; Cancel and timeOut', async () => {
    let entry = pinpad.pinEntry({ minLen: 4, maxLen: 6, autoEnd: false, activeFdks: ['fdk02'] });
    await until(() => rig.pinpad.status().entryMode === 'pin', 'PIN entry mode');
    rig.pinpad.pressKey('1');
    rig.pinpad.pressKey('fdk02');
    expect(await entry).toEqual({ completionCode: 'success', payload: { digits: 1, completion: 'fdk', fdk: 'fdk02' } });
    entry = pinpad.pinEntry({ minLen: 4, maxLen: 4, autoEnd: true });
    await until(() => rig.pinpad.status().entryMode === 'pin', 'PIN entry mode');
    for (const k of ['1', '2', '3', '4'] as const) rig.pinpad.pressKey(k);
    expect(await entry).toEqual({ completionCode: 'success', payload: { digits: 4, completion: 'auto' } });
    expect(await pinpad.getPinBlock({ keyName: 'OTHER', format: 4, pan: '4761739001010010' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'keyNotFound' });
    entry = pinpad.pinEntry({ minLen: 4, maxLen: 6, autoEnd: false });
    await until(() => rig.pinpad.status().entryMode === 'pin', 'PIN entry mode');
    pinpad.cancel();
    expect(await entry).toMatchObject({ completionCode: 'canceled' });
    expect(await pinpad.pinEntry({ minLen: 4, maxLen: 6, autoEnd: false, timeoutMs: 30 })).toMatchObject({ completionCode: 'timeOut' });
    expect(await pinpad.pinEntry({ minLen: 2, maxLen: 6, autoEnd: false })).toMatchObject({ completionCode: 'invalidData' });
  });

  it('DataEntry reports digits in clear, function keys, and the result', async () => {
    const keys: KeyEvent[] = [];
    pinpad.events.on('key', (e) => keys.push(e));
    const entry = pinpad.dataEntry({ maxLen: 6 });
    await until(() => rig.pinpad.status().entryMode === 'data', 'data entry mode');
    for (const k of ['1', '00', '5', 'enter'] as const) rig.pinpad.pressKey(k);
    expect(await entry).toEqual({ completionCode: 'success', payload: { digits: '1005', completion: 'enter' } });
    expect(keys).toEqual([
      { kind: 'dataDigit', digit: '1' },
      { kind: 'dataDigit', digit: '00' },
      { kind: 'dataDigit', digit: '5' },
      { kind: 'function', key: 'enter' },
    ]);
    rig.pinpad.setOffline(true);
    expect(await pinpad.dataEntry({ maxLen: 6 })).toMatchObject({ completionCode: 'deviceNotReady' });
    await until(() => pinpad.status().device === 'offline', 'offline status');
  });
});
