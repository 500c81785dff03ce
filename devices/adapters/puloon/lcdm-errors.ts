/**
 * LCDM-1000/2000 error byte (0x30 = good) and how the adapter maps it. Table from the public LCDM-2000
 * protocol descriptions; codes not listed are treated as hardware errors.
 */
export type LcdmErrorKind = 'ok' | 'jam' | 'cashUnit' | 'incomplete' | 'hardware' | 'invalid';

export const LCDM_GOOD = 0x30;

export const LCDM_ERRORS: Readonly<Record<number, { text: string; kind: LcdmErrorKind }>> = {
  0x30: { text: 'good', kind: 'ok' },
  0x31: { text: 'normal stop', kind: 'ok' },
  0x32: { text: 'pickup error', kind: 'incomplete' },
  0x33: { text: 'jam at CHK1,2 sensor', kind: 'jam' },
  0x34: { text: 'overflow bill', kind: 'incomplete' },
  0x35: { text: 'jam at EXIT or EJT sensor', kind: 'jam' },
  0x36: { text: 'jam at DIV sensor', kind: 'jam' },
  0x37: { text: 'undefined command', kind: 'invalid' },
  0x38: { text: 'upper bill end', kind: 'cashUnit' },
  0x3a: { text: 'counting error (CHK3,4 to DIV)', kind: 'incomplete' },
  0x3b: { text: 'note request error', kind: 'invalid' },
  0x3c: { text: 'counting error (DIV to EJT)', kind: 'incomplete' },
  0x3d: { text: 'counting error (EJT to EXIT)', kind: 'incomplete' },
  0x3f: { text: 'reject tray not recognised', kind: 'cashUnit' },
  0x40: { text: 'lower bill end', kind: 'cashUnit' },
  0x41: { text: 'motor stop', kind: 'hardware' },
  0x42: { text: 'jam at DIV sensor', kind: 'jam' },
  0x43: { text: 'timeout from DIV to EJT sensor', kind: 'jam' },
  0x44: { text: 'over reject', kind: 'incomplete' },
  0x45: { text: 'upper cassette not recognised', kind: 'cashUnit' },
  0x46: { text: 'lower cassette not recognised', kind: 'cashUnit' },
  0x47: { text: 'dispensing timeout', kind: 'incomplete' },
  0x48: { text: 'jam at EJT sensor', kind: 'jam' },
  0x49: { text: 'diverter solenoid or SOL sensor error', kind: 'hardware' },
  0x4a: { text: 'SOL sensor error', kind: 'hardware' },
  0x4c: { text: 'jam at CHK3,4 sensor', kind: 'jam' },
  0x4e: { text: 'purge error (jam at DIV sensor)', kind: 'jam' },
};

export function describeLcdmError(code: number): { text: string; kind: LcdmErrorKind } {
  return LCDM_ERRORS[code] ?? { text: `unknown error 0x${code.toString(16).padStart(2, '0')}`, kind: 'hardware' };
}
