/**
 * ScreenModels for the screens a test kiosk cannot reach today (start-up, the generic error, the card
 * reading screen the core does not publish, the supervisor panel before it exists, out of service), shaped like
 * main/machine/screens.ts would make them. Supervisor screens exercise the generic `table` and `input`.
 */
import type { ScreenId, ScreenModel } from '../../../main/common/contract';

export function fixtureScreen(screen: ScreenId, lang: string, seq: number): ScreenModel {
  const base: ScreenModel = { screen, seq, params: {}, options: [], locale: 'en-US', currency: 'USD', lang };
  switch (screen) {
    case 'starting':
      return { ...base, title: 'screen.starting' };
    case 'readingCard':
      return { ...base, title: 'screen.processing', message: 'msg.pleaseWait' };
    case 'error':
      return { ...base, title: 'screen.error', message: 'msg.technicalProblem' };
    case 'outOfService':
      return { ...base, title: 'screen.outOfService', message: 'msg.closedForService' };
    case 'supervisor':
      return { ...base, title: 'screen.supervisor' };
    case 'supervisorLogin':
      return { ...base, title: 'screen.supervisor', input: { label: 'Operator ID', value: '1234', masked: true }, options: [{ id: 'cancel', label: 'opt.cancel', fdk: 'fdk08' }] };
    case 'supervisorMenu':
      return {
        ...base,
        title: 'screen.supervisor',
        options: [
          { id: 'cash', label: 'Cash units', fdk: 'fdk05' },
          { id: 'devices', label: 'Device status', fdk: 'fdk06' },
          { id: 'journal', label: 'Journal', fdk: 'fdk07' },
          { id: 'totals', label: 'Totals', fdk: 'fdk08' },
          { id: 'exit', label: 'opt.finish', fdk: 'fdk04' },
        ],
      };
    case 'supervisorPanel':
      return {
        ...base,
        title: 'screen.supervisor',
        table: {
          columns: ['Unit', 'Denomination', 'Count', 'Rejected', 'State'],
          rows: [
            ['CST1', '$20.00', '498', '0', 'ok'],
            ['CST2', '$50.00', '200', '1', 'low'],
            ['CST3', '$100.00', '0', '0', 'empty'],
            ['REJ', '-', '3', '-', 'ok'],
          ],
        },
        options: [
          { id: 'replenish', label: 'Replenish', fdk: 'fdk05' },
          { id: 'print', label: 'Print', fdk: 'fdk06' },
          { id: 'back', label: 'opt.cancel', fdk: 'fdk08' },
        ],
      };
    default:
      return { ...base, title: 'screen.error', message: 'msg.technicalProblem' };
  }
}
