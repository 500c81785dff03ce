import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DispenserSimulator } from '../../../devices/simulators/dispenser-sim';

const cassettes = [
  { id: 'CST1', denomination: 2000, count: 10, capacity: 2500, lowThreshold: 3 },
  { id: 'CST2', denomination: 5000, count: 10, capacity: 2500, lowThreshold: 3 },
];
const make = (statePath: string | null = null) => new DispenserSimulator({ timeScale: 0, statePath, currency: 'USD', cassettes, onPowerLoss: () => { throw new Error('power lost'); } });

describe('dispenser simulator', () => {
  it('denominates, dispenses, presents and is taken', async () => {
    const d = make();
    const den = await d.denominate({ amount: 9000, currency: 'USD', mix: 'minimumNotes' });
    expect(den).toEqual({ completionCode: 'success', payload: { counts: { CST1: 2, CST2: 1 } } });
    const disp = await d.dispense({ counts: { CST1: 2, CST2: 1 } });
    expect(disp.completionCode).toBe('success');
    expect(d.status().intermediateStacker).toBe('notEmpty');
    const events: string[] = [];
    d.events.on('itemsPresented', () => events.push('presented'));
    d.events.on('itemsTaken', () => events.push('taken'));
    expect((await d.present()).completionCode).toBe('success');
    expect(d.takeCash().completionCode).toBe('success');
    expect(events).toEqual(['presented', 'taken']);
    const u = d.cashUnits().find((x) => x.id === 'CST1')!;
    expect([u.count, u.dispensed, u.presented]).toEqual([8, 2, 2]);
  });

  it('a jam reports what was actually picked (incomplete dispense)', async () => {
    const d = make();
    d.injectFault({ jamAfterNotes: 2 });
    const r = await d.dispense({ counts: { CST1: 4 } });
    expect(r).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'jam', payload: { counts: { CST1: 2 } } });
    const rej = await d.reject();
    expect(rej).toMatchObject({ completionCode: 'success', payload: { counts: { CST1: 2 } } });
    expect(d.cashUnits().find((u) => u.type === 'reject')!.count).toBe(2);
  });

  it('rejected picks go to the reject bin and are re-picked', async () => {
    const d = make();
    d.injectFault({ rejectNotes: 2 });
    const r = await d.dispense({ counts: { CST1: 3 } });
    expect(r).toMatchObject({ completionCode: 'success', payload: { counts: { CST1: 3 } } });
    const u = d.cashUnits();
    expect(u.find((x) => x.id === 'CST1')!.count).toBe(5);
    expect(u.find((x) => x.type === 'reject')!.count).toBe(2);
  });

  it('retracts notes not taken', async () => {
    const d = make();
    await d.dispense({ counts: { CST2: 1 } });
    await d.present();
    expect(await d.retract()).toMatchObject({ completionCode: 'success', payload: { counts: { CST2: 1 } } });
    expect(d.cashUnits().find((u) => u.type === 'retract')!.count).toBe(1);
    expect(d.takeCash().completionCode).not.toBe('success');
  });

  it('keeps counts and stacked notes across a restart (durable state)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'disp-')), 'dispenser.json');
    const d = make(path);
    await d.dispense({ counts: { CST1: 3 } });
    const again = make(path);
    expect(again.stateWasReset).toBe(false);
    expect(again.cashUnits().find((u) => u.id === 'CST1')!.count).toBe(7);
    expect(again.status().intermediateStacker).toBe('notEmpty');
  });

  it('refuses to dispense more than a cassette holds, and while offline', async () => {
    const d = make();
    expect(await d.dispense({ counts: { CST1: 11 } })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'cashUnitError' });
    d.injectFault('offline');
    expect((await d.denominate({ amount: 2000, currency: 'USD', mix: 'minimumNotes' })).completionCode).toBe('deviceNotReady');
  });

  it('replenishment via exchange resets counts', async () => {
    const d = make();
    await d.dispense({ counts: { CST1: 2 } });
    await d.reject();
    expect((await d.startExchange()).completionCode).toBe('success');
    expect((await d.dispense({ counts: { CST1: 1 } })).completionCode).toBe('commandErrorCode');
    const end = await d.endExchange({ units: [{ id: 'CST1', count: 500 }] });
    expect(end.completionCode).toBe('success');
    expect(d.cashUnits().find((u) => u.id === 'CST1')).toMatchObject({ count: 500, initial: 500, dispensed: 0 });
  });
});
