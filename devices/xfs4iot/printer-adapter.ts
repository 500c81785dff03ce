/** Publishes a PrinterService as the XFS4IoT Printer service (receipt printer). */
import { z } from 'zod';
import { fail } from '../common/types';
import type { PrinterService, PrinterStatus } from '../printer/types';
import { toWire } from './codes';
import type { Payload } from './messages';
import { command, commonStatus, statusChanged, timeoutField, type ServiceAdapter } from './service-adapter';
import { BASE64 } from './wire-values';

const printForm = z.looseObject({ ...timeoutField, formName: z.string().min(1), fields: z.record(z.string(), z.string()).optional(), mediaName: z.string().optional() });
const printRaw = z.looseObject({ ...timeoutField, inputData: z.enum(['no', 'yes']).optional(), data: z.string().regex(BASE64) });

/** PrintRaw data is UTF-8 text, one receipt line per `\n`. */
export const linesToData = (lines: readonly string[]): string => Buffer.from(lines.join('\n'), 'utf8').toString('base64');
export const dataToLines = (data: string): string[] => Buffer.from(data, 'base64').toString('utf8').split('\n');

const status = (s: PrinterStatus): Payload => ({ common: commonStatus(s), printer: { media: s.media, paper: { upper: s.paper } } });

export function printerAdapter(printer: PrinterService, serviceName = 'Printer'): ServiceAdapter {
  const presented = (event: (name: string, payload?: Payload) => void) =>
    printer.events.on('mediaPresented', () => event('Printer.MediaPresentedEvent', { wadIndex: 1, totalWads: 1 }));
  return {
    serviceName,
    interfaces: ['Common', 'Printer'],
    status: () => status(printer.status()),
    capabilities: () => ({
      common: { serviceVersion: '1.0' },
      printer: { type: { receipt: true }, control: { cut: true, eject: true }, maxMediaOnStacker: 1 },
    }),
    commands: {
      'Printer.PrintForm': command({
        schema: printForm,
        queued: true,
        run: async (p, ctx) => {
          const off = presented(ctx.event);
          try {
            return toWire(ctx.name, await printer.printForm({ form: p.formName, fields: p.fields ?? {} }));
          } finally {
            off();
          }
        },
      }),
      'Printer.PrintRaw': command({
        schema: printRaw,
        queued: true,
        run: async (p, ctx) => {
          if (p.inputData === 'yes') return toWire(ctx.name, fail('unsupportedData', 'input data is not supported'));
          const off = presented(ctx.event);
          try {
            return toWire(ctx.name, await printer.printRaw({ lines: dataToLines(p.data) }));
          } finally {
            off();
          }
        },
      }),
    },
    subscribe: (send) => {
      const offs = [
        printer.events.on('mediaTaken', () => send('Printer.MediaTakenEvent', {})),
        printer.events.on('statusChanged', (s) => send('Common.StatusChangedEvent', statusChanged(status(s)))),
      ];
      return () => offs.forEach((off) => off());
    },
  };
}
