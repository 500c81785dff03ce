/** Terminal Verification Results (95) and Transaction Status Information (9B) bits, EMV Book 3 Annex C. */

/** [byte index (0-based), mask] */
export type Bit = readonly [number, number];

export const TVR = {
  ODA_NOT_PERFORMED: [0, 0x80],
  SDA_FAILED: [0, 0x40],
  ICC_DATA_MISSING: [0, 0x20],
  CARD_ON_EXCEPTION_FILE: [0, 0x10],
  DDA_FAILED: [0, 0x08],
  CDA_FAILED: [0, 0x04],
  APP_VERSIONS_DIFFER: [1, 0x80],
  EXPIRED_APPLICATION: [1, 0x40],
  APP_NOT_YET_EFFECTIVE: [1, 0x20],
  SERVICE_NOT_ALLOWED: [1, 0x10],
  NEW_CARD: [1, 0x08],
  CV_NOT_SUCCESSFUL: [2, 0x80],
  UNRECOGNISED_CVM: [2, 0x40],
  PIN_TRY_LIMIT_EXCEEDED: [2, 0x20],
  PIN_PAD_NOT_WORKING: [2, 0x10],
  PIN_NOT_ENTERED: [2, 0x08],
  ONLINE_PIN_ENTERED: [2, 0x04],
  EXCEEDS_FLOOR_LIMIT: [3, 0x80],
  LCOL_EXCEEDED: [3, 0x40],
  UCOL_EXCEEDED: [3, 0x20],
  RANDOM_ONLINE: [3, 0x10],
  MERCHANT_FORCED_ONLINE: [3, 0x08],
  DEFAULT_TDOL_USED: [4, 0x80],
  ISSUER_AUTH_FAILED: [4, 0x40],
  SCRIPT_FAILED_BEFORE_FINAL_AC: [4, 0x20],
  SCRIPT_FAILED_AFTER_FINAL_AC: [4, 0x10],
} as const satisfies Record<string, Bit>;

export const TSI = {
  ODA_PERFORMED: [0, 0x80],
  CVM_PERFORMED: [0, 0x40],
  CARD_RISK_MANAGEMENT_PERFORMED: [0, 0x20],
  ISSUER_AUTH_PERFORMED: [0, 0x10],
  TERMINAL_RISK_MANAGEMENT_PERFORMED: [0, 0x08],
  SCRIPT_PROCESSING_PERFORMED: [0, 0x04],
} as const satisfies Record<string, Bit>;

export type TvrBit = keyof typeof TVR;

export class BitField {
  readonly bytes: Uint8Array;
  constructor(length: number) {
    this.bytes = new Uint8Array(length);
  }
  set([i, m]: Bit): void {
    this.bytes[i]! |= m;
  }
  has([i, m]: Bit): boolean {
    return (this.bytes[i]! & m) !== 0;
  }
  hex(): string {
    return Buffer.from(this.bytes).toString('hex').toUpperCase();
  }
}

/** Names of the TVR bits set in `tvr` (for logs and tests). */
export function tvrBitNames(tvr: Uint8Array): TvrBit[] {
  return (Object.entries(TVR) as Array<[TvrBit, Bit]>).filter(([, [i, m]]) => (tvr[i]! & m) !== 0).map(([n]) => n);
}
