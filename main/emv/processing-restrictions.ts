/**
 * Processing restrictions (EMV Book 3 10.4) for an ATM cash transaction: application versions,
 * effective and expiration dates, Application Usage Control (valid at ATMs, domestic or
 * international cash).
 */
import { TVR, type Bit } from './tvr';

export interface RestrictionInput {
  cardAppVersion?: Uint8Array; // 9F08
  terminalAppVersion: Uint8Array; // 9F09
  effective?: Uint8Array; // 5F25 YYMMDD
  expiry: Uint8Array; // 5F24 YYMMDD
  today: Uint8Array; // 9A YYMMDD
  auc?: Uint8Array; // 9F07
  issuerCountry?: Uint8Array; // 5F28
  terminalCountry: Uint8Array; // 9F1A
  /** Terminal type 14/15/16 and 9F40 cash bit: the terminal is an ATM. */
  isAtm: boolean;
  /** 9C: 01 cash */
  transactionType: number;
}

/** Compares two YYMMDD BCD dates with the EMV century rule (YY < 50 -> 20YY). */
export function compareEmvDates(a: Uint8Array, b: Uint8Array): number {
  const full = (d: Uint8Array): number => {
    const yy = Number(Buffer.from(d.subarray(0, 1)).toString('hex'));
    return (yy < 50 ? 2000 + yy : 1900 + yy) * 10000 + Number(Buffer.from(d.subarray(1, 3)).toString('hex'));
  };
  return full(a) - full(b);
}

export function processingRestrictions(i: RestrictionInput): Bit[] {
  const bits: Bit[] = [];
  if (i.cardAppVersion && Buffer.compare(Buffer.from(i.cardAppVersion), Buffer.from(i.terminalAppVersion)) !== 0) bits.push(TVR.APP_VERSIONS_DIFFER);
  if (i.effective && compareEmvDates(i.today, i.effective) < 0) bits.push(TVR.APP_NOT_YET_EFFECTIVE);
  if (compareEmvDates(i.today, i.expiry) > 0) bits.push(TVR.EXPIRED_APPLICATION);
  if (i.auc && i.auc.length >= 1) {
    const b1 = i.auc[0]!;
    let allowed = true;
    if (i.isAtm && (b1 & 0x02) === 0) allowed = false;
    if (!i.isAtm && (b1 & 0x01) === 0) allowed = false;
    if (i.transactionType === 0x01 && i.issuerCountry) {
      const domestic = Buffer.compare(Buffer.from(i.issuerCountry), Buffer.from(i.terminalCountry)) === 0;
      if ((b1 & (domestic ? 0x80 : 0x40)) === 0) allowed = false;
    }
    if (!allowed) bits.push(TVR.SERVICE_NOT_ALLOWED);
  }
  return bits;
}
