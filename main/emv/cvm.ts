/**
 * Cardholder verification for an ATM (EMV Book 3 10.5): the terminal supports enciphered PIN
 * online only. Walks the CVM list (8E) and returns CVM Results (9F34) and TVR bits.
 */
import { TVR, type Bit } from './tvr';

export interface CvmOutcome {
  /** 9F34: method, condition, result. */
  results: Uint8Array;
  tvr: Bit[];
  onlinePin: boolean;
}

const ONLINE_PIN = 0x02;
const NO_CVM_PERFORMED = Uint8Array.of(0x3f, 0x00, 0x00);

/** Conditions an ATM cash transaction can satisfy (Book 3 Annex C3). Amount conditions need X/Y. */
function conditionMet(cond: number, amount: number, x: number, y: number, cash: boolean): boolean {
  switch (cond) {
    case 0x00: // always
    case 0x03: // if terminal supports the CVM
      return true;
    case 0x01: // if unattended cash
      return cash;
    case 0x06: return amount < x;
    case 0x07: return amount > x;
    case 0x08: return amount < y;
    case 0x09: return amount > y;
    default:
      return false; // manual cash, purchase with cashback, ... do not apply at an ATM
  }
}

export function processCvm(cvmList: Uint8Array | undefined, cvSupported: boolean, amount: number, cash: boolean, pinEntered: boolean): CvmOutcome {
  if (!cvSupported || !cvmList) return { results: NO_CVM_PERFORMED, tvr: cvSupported ? [TVR.ICC_DATA_MISSING] : [], onlinePin: false };
  if (cvmList.length < 10 || (cvmList.length - 8) % 2 !== 0) return { results: NO_CVM_PERFORMED, tvr: [TVR.ICC_DATA_MISSING], onlinePin: false };
  const amtX = Buffer.from(cvmList.subarray(0, 4)).readUInt32BE(0);
  const amtY = Buffer.from(cvmList.subarray(4, 8)).readUInt32BE(0);
  let unrecognised = false;
  for (let i = 8; i < cvmList.length; i += 2) {
    const rule = cvmList[i]!;
    const cond = cvmList[i + 1]!;
    if (!conditionMet(cond, amount, amtX, amtY, cash)) continue;
    const method = rule & 0x3f;
    const known = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x1e, 0x1f].includes(method);
    if (!known) unrecognised = true;
    if (method === ONLINE_PIN) {
      const tvr: Bit[] = pinEntered ? [TVR.ONLINE_PIN_ENTERED] : [TVR.PIN_NOT_ENTERED, TVR.CV_NOT_SUCCESSFUL];
      if (unrecognised) tvr.push(TVR.UNRECOGNISED_CVM);
      return { results: Uint8Array.of(rule, cond, pinEntered ? 0x00 : 0x01), tvr, onlinePin: pinEntered };
    }
    if ((rule & 0x40) === 0) break; // fail cardholder verification if this CVM is unsuccessful
  }
  const tvr: Bit[] = [TVR.CV_NOT_SUCCESSFUL];
  if (unrecognised) tvr.push(TVR.UNRECOGNISED_CVM);
  return { results: Uint8Array.of(0x3f, 0x00, 0x01), tvr, onlinePin: false };
}
