/** Typed views of LCDM response data (see RESPONSE_DATA_LENGTH in lcdm-frame.ts). */
import { readTwoDigits } from './lcdm-frame';

export interface LcdmSensors {
  /** Notes in the transport path (check, divert, eject sensors blocked). */
  pathBlocked: boolean;
  /** Notes sitting at the exit sensor (delivered, not yet taken). */
  exitBlocked: boolean;
  upperNearEnd: boolean;
  lowerNearEnd: boolean;
  upperMissing: boolean;
  lowerMissing: boolean;
  solenoidError: boolean;
  rejectTrayMissing: boolean;
}

export interface LcdmStatus {
  error: number;
  sensors: LcdmSensors;
}

export interface LcdmDispenseResult {
  /** Notes counted at the check sensors (exited + rejected). */
  checked: number;
  exited: number;
  rejected: number;
  error: number;
}

/** Sensor byte 0: bit0-1 CHK1,2, bit2-3 DIV1,2, bit4 EJT, bit5 EXIT, bit6 upper near end. */
export const S0 = { chk1: 0x01, chk2: 0x02, div1: 0x04, div2: 0x08, ejt: 0x10, exit: 0x20, upperNearEnd: 0x40 } as const;
/** Sensor byte 1: bit0 solenoid, bit1-2 upper/lower cassette not present, bit3-4 CHK3,4, bit5 lower near end, bit6 reject tray not present. */
export const S1 = { solenoid: 0x01, upperMissing: 0x02, lowerMissing: 0x04, chk3: 0x08, chk4: 0x10, lowerNearEnd: 0x20, rejectTrayMissing: 0x40 } as const;

export function parseStatus(data: Buffer): LcdmStatus {
  const s0 = data[2]!;
  const s1 = data[3]!;
  return {
    error: data[1]!,
    sensors: {
      pathBlocked: (s0 & (S0.chk1 | S0.chk2 | S0.div1 | S0.div2 | S0.ejt)) !== 0 || (s1 & (S1.chk3 | S1.chk4)) !== 0,
      exitBlocked: (s0 & S0.exit) !== 0,
      upperNearEnd: (s0 & S0.upperNearEnd) !== 0,
      lowerNearEnd: (s1 & S1.lowerNearEnd) !== 0,
      upperMissing: (s1 & S1.upperMissing) !== 0,
      lowerMissing: (s1 & S1.lowerMissing) !== 0,
      solenoidError: (s1 & S1.solenoid) !== 0,
      rejectTrayMissing: (s1 & S1.rejectTrayMissing) !== 0,
    },
  };
}

/** Returns null when a count field is not two ASCII digits. */
export function parseDispense(data: Buffer): LcdmDispenseResult | null {
  const checked = readTwoDigits(data, 0);
  const exited = readTwoDigits(data, 2);
  const rejected = readTwoDigits(data, 6);
  if (checked === null || exited === null || rejected === null) return null;
  return { checked, exited, rejected, error: data[4]! };
}
