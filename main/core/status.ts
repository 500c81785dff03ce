/**
 * A kiosk's operational status for branch staff and remote monitoring: application state, host link,
 * every device's XFS-style status, cash units, and the reversal queue. No card data.
 */
import type { SnapshotFrom } from 'xstate';
import type { CardReaderService, CardReaderStatus } from '../../devices/card-reader/types';
import type { CashUnit, DispenserService, DispenserStatus } from '../../devices/dispenser/types';
import type { PinPadService, PinPadStatus } from '../../devices/pinpad/types';
import type { PrinterService, PrinterStatus } from '../../devices/printer/types';
import type { SensorState, SensorsService } from '../../devices/sensors/types';
import type { AtmMachine } from '../machine/atm-machine';

export type AppState = 'starting' | 'inService' | 'inSession' | 'outOfService' | 'supervisor';

export interface KioskStatus {
  terminalId: string;
  app: AppState;
  /** Out of service by operator/remote command (stays out until put back). */
  forcedOut: boolean;
  host: { online: boolean };
  devices: {
    cardReader: CardReaderStatus;
    dispenser: DispenserStatus;
    pinpad: PinPadStatus;
    printer: PrinterStatus;
    sensors: SensorState;
  };
  cashUnits: CashUnit[];
  reversalQueueDepth: number;
  /** Notes left in the open output slot after the cash-take timer (no-retract policy), until someone takes them. */
  cashLeftInSlot: boolean;
  at: string;
}

export interface KioskDevices {
  cardReader: CardReaderService;
  dispenser: DispenserService;
  pinpad: PinPadService;
  printer: PrinterService;
  sensors: SensorsService;
}

export function appStateOf(snap: SnapshotFrom<AtmMachine>): AppState {
  if (snap.matches('starting')) return 'starting';
  if (snap.matches('outOfService')) return 'outOfService';
  if (snap.matches('supervisor')) return 'supervisor';
  if (snap.matches({ inService: 'idle' })) return 'inService';
  return 'inSession';
}

export function collectStatus(terminalId: string, snap: SnapshotFrom<AtmMachine>, d: KioskDevices, hostOnline: boolean, reversalQueueDepth: number): KioskStatus {
  return {
    terminalId,
    app: appStateOf(snap),
    forcedOut: snap.context.forcedOut,
    host: { online: hostOnline },
    devices: {
      cardReader: d.cardReader.status(),
      dispenser: d.dispenser.status(),
      pinpad: d.pinpad.status(),
      printer: d.printer.status(),
      sensors: d.sensors.state(),
    },
    cashUnits: d.dispenser.cashUnits(),
    reversalQueueDepth,
    cashLeftInSlot: snap.matches({ inService: 'cashLeft' }),
    at: new Date().toISOString(),
  };
}
