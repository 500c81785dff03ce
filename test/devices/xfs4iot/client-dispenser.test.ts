import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Xfs4IotDispenser } from '../../../devices/xfs4iot/client-dispenser';
import { startRig, until, type Rig } from './harness';

let rig: Rig;
let disp: Xfs4IotDispenser;

beforeEach(async () => {
  rig = await startRig();
  disp = new Xfs4IotDispenser({ uri: rig.endpoint.serviceUri('CashDispenser'), backoff: { initialMs: 20, maxMs: 100 } });
  expect(await disp.start()).toBe(true);
});
afterEach(async () => {
  disp.close();
  expect(rig.violations()).toEqual([]);
  await rig.close();
});

describe('Xfs4IotDispenser <-> endpoint(DispenserSimulator)', () => {
  it('reads status and cash units (ids, denominations, counts) on connect', () => {
    expect(disp.status()).toEqual({ device: 'online', intermediateStacker: 'empty', outputPosition: 'empty', shutter: 'closed', exchangeActive: false });
    expect(disp.cashUnits()).toEqual(rig.dispenser.cashUnits());
  });

  it('Denominate, Dispense, Present, then ItemsTakenEvent; counters follow', async () => {
    const den = await disp.denominate({ amount: 9000, currency: 'EUR', mix: 'minimumNotes' });
    expect(den).toEqual({ completionCode: 'success', payload: { counts: { CST1: 2, CST2: 1 } } });
    expect(await disp.dispense({ counts: { CST1: 2, CST2: 1 } })).toEqual({ completionCode: 'success', payload: { counts: { CST1: 2, CST2: 1 } } });
    const seen: string[] = [];
    disp.events.on('itemsPresented', () => seen.push('presented'));
    disp.events.on('itemsTaken', () => seen.push('taken'));
    expect(await disp.present()).toEqual({ completionCode: 'success', payload: { counts: { CST1: 2, CST2: 1 } } });
    await until(() => disp.status().outputPosition === 'notEmpty' && disp.status().shutter === 'open', 'presented status');
    rig.dispenser.takeCash();
    await until(() => seen.includes('taken'), 'ItemsTakenEvent');
    expect(seen).toEqual(['presented', 'taken']);
    const taken = rig.sent.find((m) => m.header.name === 'CashManagement.ItemsTakenEvent')!;
    expect(taken.header.type).toBe('unsolicited');
    await until(() => disp.cashUnits().find((u) => u.id === 'CST1')?.presented === 2, 'counters');
    expect(disp.cashUnits()).toEqual(rig.dispenser.cashUnits());
  });

  it('other mixes go over the wire (mix2, mixPrefer<n>)', async () => {
    expect((await disp.denominate({ amount: 14000, currency: 'EUR', mix: 'equalEmptying' })).completionCode).toBe('success');
    expect(await disp.denominate({ amount: 10000, currency: 'EUR', mix: { preferDenomination: 2000 } })).toEqual({ completionCode: 'success', payload: { counts: { CST1: 5 } } });
  });

  it('Denominate errors: notDispensable, invalidDenomination; offline is deviceNotReady', async () => {
    expect(await disp.denominate({ amount: 1000, currency: 'EUR', mix: 'minimumNotes' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'notDispensable' });
    expect(await disp.denominate({ amount: 2000, currency: 'USD', mix: 'minimumNotes' })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'invalidDenomination' });
    rig.dispenser.injectFault('offline');
    expect(await disp.dispense({ counts: { CST1: 1 } })).toMatchObject({ completionCode: 'deviceNotReady' });
    await until(() => disp.status().device === 'offline', 'offline status');
  });

  it('a jam mid-dispense: IncompleteDispenseEvent, hardwareError with the notes picked; Reject moves them', async () => {
    const incomplete: unknown[] = [];
    disp.events.on('incompleteDispense', (e) => incomplete.push(e.counts));
    rig.dispenser.injectFault({ jamAfterNotes: 2 });
    expect(await disp.dispense({ counts: { CST1: 4 } })).toMatchObject({ completionCode: 'hardwareError', payload: { counts: { CST1: 2 } } });
    expect(incomplete).toEqual([{ CST1: 2 }]);
    expect(rig.sent.find((m) => m.header.name === 'CashDispenser.IncompleteDispenseEvent')?.header.type).toBe('event');
    expect(await disp.reject()).toEqual({ completionCode: 'success', payload: { counts: { CST1: 2 } } });
    expect(disp.cashUnits().find((u) => u.type === 'reject')?.count).toBe(2);
    expect(await disp.reject()).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noItems' });
  });

  it('Dispense errors: cashUnitError; Present errors: noItems, shutterNotOpen', async () => {
    expect(await disp.dispense({ counts: { CST1: 21 } })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'cashUnitError' });
    expect(await disp.present()).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noItems' });
    await disp.dispense({ counts: { CST2: 1 } });
    rig.dispenser.injectFault('shutterJam');
    expect(await disp.present()).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'shutterNotOpen' });
    await until(() => disp.status().shutter === 'jammed', 'jammed shutter');
  });

  it('Retract pulls presented notes back (and noItems when there are none)', async () => {
    expect(await disp.retract()).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noItems' });
    await disp.dispense({ counts: { CST1: 3 } });
    await disp.present();
    expect(await disp.retract()).toEqual({ completionCode: 'success', payload: { counts: { CST1: 3 } } });
    expect(disp.cashUnits().find((u) => u.type === 'retract')?.count).toBe(3);
  });

  it('exchange: StartExchange, SetStorage + EndExchange set counts; errors exchangeActive / cashUnitError', async () => {
    expect((await disp.startExchange()).completionCode).toBe('success');
    await until(() => disp.status().exchangeActive, 'exchange status');
    expect(await disp.startExchange()).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'exchangeActive' });
    expect(await disp.dispense({ counts: { CST1: 1 } })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'exchangeActive' });
    expect(await disp.endExchange({ units: [{ id: 'NOPE', count: 1 }] })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'cashUnitError' });
    const end = await disp.endExchange({ units: [{ id: 'CST1', count: 100, lowThreshold: 5 }] });
    expect(end.completionCode).toBe('success');
    expect(rig.dispenser.cashUnits().find((u) => u.id === 'CST1')).toMatchObject({ count: 100, initial: 100, lowThreshold: 5 });
    expect(disp.cashUnits()).toEqual(rig.dispenser.cashUnits());
    expect(await disp.endExchange({ units: [] })).toMatchObject({ completionCode: 'commandErrorCode' });
  });

  it('a cash unit running low arrives as StorageThresholdEvent', async () => {
    const low: string[] = [];
    disp.events.on('cashUnitThreshold', (e) => low.push(`${e.unit.id}:${e.unit.state}`));
    await disp.dispense({ counts: { CST1: 17 } });
    await until(() => low.length > 0, 'threshold');
    expect(low).toEqual(['CST1:low']);
  });
});
