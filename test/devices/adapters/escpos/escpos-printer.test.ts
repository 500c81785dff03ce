import { afterEach, describe, expect, it } from 'vitest';
import { EscPosPrinter } from '../../../../devices/adapters/escpos/escpos-printer';
import { EscPosDeviceSim, type EscPosFault } from '../../../../devices/adapters/escpos/escpos-device-sim';
import type { PrinterStatus } from '../../../../devices/printer/types';
import { TRANSPORTS, type Wiring } from '../helpers/transports';

const fields = { bank: 'OPEN BANK', location: 'MAIN ST', date: '2025-01-02', time: '10:11', terminal: 'T1', txn: '42', maskedPan: '476173******0010', transaction: 'WITHDRAWAL', amount: '40.00', authCode: 'A1', rrn: 'R1' };

for (const t of TRANSPORTS) {
  describe.skipIf(!t.available)(`ESC/POS printer over ${t.name}`, () => {
    let wiring: Wiring | null = null;
    afterEach(async () => {
      await wiring?.close();
      wiring = null;
    });
    async function setup(paperLines = 200, nearEndLines = 20) {
      wiring = await t.open();
      const sim = new EscPosDeviceSim(wiring.device, { paperLines, nearEndLines });
      const printer = new EscPosPrinter(wiring.host, { statusTimeoutMs: 150, settleMs: 40 });
      return { sim, printer, wiring };
    }

    it('prints a form: receipt lines, alignment, size and a cut; status polled before and after', async () => {
      const { sim, printer } = await setup();
      const presented: number[] = [];
      printer.events.on('mediaPresented', (e) => presented.push(e.media.id));
      const r = await printer.printForm({ form: 'receipt', fields });
      expect(r.completionCode).toBe('success');
      expect(sim.receipts).toHaveLength(1);
      const receipt = sim.receipts[0]!;
      expect(receipt[0]).toEqual({ text: 'OPEN BANK', align: 'center', size: { width: 2, height: 2 } });
      expect(receipt.map((l) => l.text)).toEqual(r.completionCode === 'success' ? r.payload.media.lines : []);
      expect(sim.statusRequests[1]).toBe(2);
      expect(sim.statusRequests[4]).toBe(2);
      expect(presented).toEqual([1]);
      expect(printer.status()).toEqual({ device: 'online', paper: 'full', media: 'notPresent' });
    });

    it('prints raw lines and reports paper low when the near-end sensor trips', async () => {
      const { sim, printer } = await setup(25, 20);
      const changes: PrinterStatus[] = [];
      printer.events.on('statusChanged', (s) => changes.push(s));
      const r = await printer.printRaw({ lines: ['A', 'B', 'C', 'D', 'E', 'F'] });
      expect(r.completionCode).toBe('success');
      expect(sim.receipts[0]!.map((l) => l.text)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
      expect(printer.status().paper).toBe('low');
      expect(changes.map((c) => c.paper)).toEqual(['full', 'low']);
    });

    it('form errors complete without touching the printer', async () => {
      const { sim, printer } = await setup();
      expect(await printer.printForm({ form: 'nope', fields })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'formNotFound' });
      expect(await printer.printForm({ form: 'journal', fields: {} })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'fieldError' });
      expect(sim.statusRequests[1]).toBeUndefined();
    });

    it('paper out before printing -> paperOut, nothing printed', async () => {
      const { sim, printer } = await setup(0);
      expect(await printer.printRaw({ lines: ['x'] })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'paperOut' });
      expect(printer.status().paper).toBe('out');
      expect(sim.receipts).toHaveLength(0);
      expect(sim.statusRequests[1]).toBe(1);
    });

    it('paper runs out mid-receipt -> paperOut from the post-print poll, no cut', async () => {
      const { sim, printer } = await setup(3, 1);
      expect(await printer.printRaw({ lines: ['1', '2', '3', '4', '5'] })).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'paperOut' });
      expect(sim.receipts).toHaveLength(0);
      expect(sim.pending.map((l) => l.text)).toEqual(['1', '2', '3']);
      sim.loadPaper(100);
      expect(await printer.refreshStatus()).toMatchObject({ completionCode: 'success', payload: { paper: 'full', device: 'online' } });
    });

    const faults: Array<[EscPosFault, Record<string, unknown>, Partial<PrinterStatus>]> = [
      ['coverOpen', { completionCode: 'userError' }, { device: 'userError' }],
      ['cutterJam', { completionCode: 'commandErrorCode', errorCode: 'mediaJammed' }, { device: 'hardwareError', paper: 'jammed' }],
      ['unrecoverable', { completionCode: 'hardwareError' }, { device: 'hardwareError' }],
      ['noAnswer', { completionCode: 'timeOut' }, { device: 'offline' }],
      ['garbledStatus', { completionCode: 'hardwareError' }, { device: 'hardwareError' }],
    ];
    for (const [fault, completion, status] of faults) {
      it(`fault ${fault} -> ${JSON.stringify(completion)}`, async () => {
        const { sim, printer } = await setup();
        sim.injectFault(fault);
        expect(await printer.printRaw({ lines: ['x'] })).toMatchObject(completion);
        expect(printer.status()).toMatchObject(status);
        expect(sim.receipts).toHaveLength(0);
        sim.injectFault('none');
        expect((await printer.printRaw({ lines: ['y'] })).completionCode).toBe('success');
      });
    }

    it('a jam that happens during the print is reported by the post-print poll', async () => {
      const { sim, printer } = await setup();
      const orig = sim.statusRequests;
      const p = printer.printRaw({ lines: ['x'] });
      // The jam strikes after the pre-print poll (4 status requests answered).
      await new Promise<void>((resolve) => {
        const check = () => ((orig[4] ?? 0) >= 1 ? resolve() : setTimeout(check, 2));
        check();
      });
      sim.injectFault('cutterJam');
      expect(await p).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'mediaJammed' });
    });

    it('device disappearing mid-command -> hardwareError, later commands deviceNotReady, no hang', async () => {
      const { sim, printer, wiring: w } = await setup();
      sim.injectFault('noAnswer');
      const p = printer.printRaw({ lines: ['x'] });
      setTimeout(() => w.vanish(), 20);
      const r = await p;
      expect(['deviceNotReady', 'hardwareError', 'timeOut']).toContain(r.completionCode);
      await new Promise((res) => setTimeout(res, 100));
      expect(await printer.printRaw({ lines: ['y'] })).toMatchObject({ completionCode: 'deviceNotReady' });
      expect(printer.status().device).toBe('noDevice');
    });

    it('port gone while printing (after the pre-print poll) -> hardwareError', async () => {
      const { sim, printer, wiring: w } = await setup();
      const p = printer.printRaw({ lines: ['x'] });
      await new Promise<void>((resolve) => {
        const check = () => ((sim.statusRequests[4] ?? 0) >= 1 ? resolve() : setTimeout(check, 1));
        check();
      });
      sim.injectFault('noAnswer');
      w.vanish();
      expect(await p).toMatchObject({ completionCode: 'hardwareError' });
    });
  });
}
