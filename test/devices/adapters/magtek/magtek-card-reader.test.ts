import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MagtekCardReader } from '../../../../devices/adapters/magtek/magtek-card-reader';
import { NoHidDeviceError, openMagtekDevice, type HidDeviceInfo, type HidDeviceLike, type HidFactory } from '../../../../devices/adapters/magtek/magtek-hid';
import { buildMagtekReport } from '../../../../devices/adapters/magtek/magtek-report';

const T2 = '4761739001010010=30122010000000000000';

class FakeHid extends EventEmitter implements HidDeviceLike {
  closed = false;
  swipe(report: Uint8Array) {
    this.emit('data', Buffer.from(report));
  }
  close() {
    this.closed = true;
  }
}

function factory(devices: HidDeviceInfo[], dev = new FakeHid(), openError?: Error): HidFactory & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    list: () => devices,
    open: (path) => {
      if (openError) throw openError;
      opened.push(path);
      return dev;
    },
  };
}

const magtek: HidDeviceInfo = { vendorId: 0x0801, productId: 0x0002, path: '/dev/hidraw3', product: 'USB Swipe Reader' };

describe('MagTek HID opening', () => {
  it('opens the matching device through the injected factory', () => {
    const f = factory([{ vendorId: 0x046d, productId: 0xc52b, path: '/dev/hidraw0' }, magtek]);
    MagtekCardReader.open(f);
    expect(f.opened).toEqual(['/dev/hidraw3']);
  });
  it('fails clearly when no reader is present or it cannot be opened', () => {
    expect(() => openMagtekDevice(factory([]))).toThrow(NoHidDeviceError);
    expect(() => openMagtekDevice(factory([]))).toThrow(/no MagTek HID card reader found \(vendor 0x0801, product 0x0001\/0x0002\/0x0011\)/);
    expect(() => openMagtekDevice(factory([magtek], new FakeHid(), new Error('EACCES')))).toThrow(/cannot be opened: EACCES/);
  });
});

describe('MagTek swipe card reader', () => {
  const setup = () => {
    const dev = new FakeHid();
    const reader = MagtekCardReader.open(factory([magtek], dev));
    const events: string[] = [];
    reader.events.on('mediaInserted', () => events.push('inserted'));
    reader.events.on('mediaRemoved', () => events.push('removed'));
    return { dev, reader, events };
  };

  it('reads the requested tracks from the next swipe', async () => {
    const { dev, reader, events } = setup();
    dev.swipe(buildMagtekReport([null, T2, null])); // no read pending: dropped
    const p = reader.readRawData({ tracks: ['track1', 'track2'], timeoutMs: 1000 });
    dev.swipe(buildMagtekReport([null, T2, null]));
    expect(await p).toEqual({ completionCode: 'success', payload: { track2: T2 } });
    expect(events).toEqual(['inserted', 'removed']);
    expect(reader.capabilities()).toMatchObject({ type: 'swipe', chip: false, retainCapable: false });
  });

  it('unreadable swipe -> invalidMedia (no card data in the description); short report -> invalidMedia', async () => {
    const { dev, reader } = setup();
    const p = reader.readRawData({ tracks: ['track2'] });
    dev.swipe(buildMagtekReport([null, T2, null], { status: [0, 1, 0] }));
    const r = await p;
    expect(r).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'invalidMedia' });
    expect(JSON.stringify(r)).not.toContain('4761');
    const p2 = reader.readRawData({ tracks: ['track2'] });
    dev.swipe(Uint8Array.from([1, 2, 3]));
    expect(await p2).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'invalidMedia' });
  });

  it('times out, cancels, and refuses concurrent reads', async () => {
    const { reader } = setup();
    expect(await reader.readRawData({ tracks: ['track2'], timeoutMs: 20 })).toMatchObject({ completionCode: 'timeOut' });
    const p = reader.readRawData({ tracks: ['track2'] });
    expect(await reader.readRawData({ tracks: ['track2'] })).toMatchObject({ completionCode: 'sequenceError' });
    reader.cancel();
    expect(await p).toMatchObject({ completionCode: 'canceled' });
    const ac = new AbortController();
    const p2 = reader.readRawData({ tracks: ['track2'] }, ac.signal);
    ac.abort();
    expect(await p2).toMatchObject({ completionCode: 'canceled' });
  });

  it('move / retain / chip complete with unsupportedCommand; plain reset succeeds', async () => {
    const { reader } = setup();
    expect(await reader.move()).toMatchObject({ completionCode: 'unsupportedCommand' });
    expect(await reader.reset({ to: 'retain' })).toMatchObject({ completionCode: 'unsupportedCommand' });
    expect(await reader.reset()).toEqual({ completionCode: 'success', payload: {} });
    expect(await reader.chipIO()).toMatchObject({ completionCode: 'unsupportedCommand' });
    expect(await reader.chipPower()).toMatchObject({ completionCode: 'unsupportedCommand' });
  });

  it('device unplugged during a read -> hardwareError, then deviceNotReady', async () => {
    const { dev, reader } = setup();
    const p = reader.readRawData({ tracks: ['track2'] });
    dev.emit('error', new Error('could not read from HID device'));
    expect(await p).toMatchObject({ completionCode: 'hardwareError' });
    expect(reader.status().device).toBe('noDevice');
    expect(await reader.readRawData({ tracks: ['track2'] })).toMatchObject({ completionCode: 'deviceNotReady' });
    reader.close();
    expect(dev.closed).toBe(true);
  });
});

describe('node-hid factory', () => {
  it('lists HID devices with the real node-hid addon; with no MagTek attached opening fails clearly', async () => {
    const { nodeHidFactory, MAGTEK_VENDOR_ID } = await import('../../../../devices/adapters/magtek/magtek-hid');
    const f = await nodeHidFactory();
    const list = f.list();
    expect(Array.isArray(list)).toBe(true);
    if (!list.some((d) => d.vendorId === MAGTEK_VENDOR_ID)) expect(() => MagtekCardReader.open(f)).toThrow(NoHidDeviceError);
  });
});
