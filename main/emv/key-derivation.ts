/**
 * EMV key derivation (EMV 4.3 Book 2 Annex A1.3 / A1.4): ICC master keys from issuer master keys
 * (option A, option B) and session keys (EMV common session key derivation, the Mastercard
 * ATC+UN variant, the Visa secure messaging variant). Results have odd parity.
 */
import { createHash } from 'node:crypto';
import { adjustParity, concatBytes, tdesEcbEncrypt } from './tdes';

const hexBytes = (digits: string): Uint8Array => Uint8Array.from(Buffer.from(digits, 'hex'));
const invert = (b: Uint8Array): Uint8Array => b.map((v) => v ^ 0xff);

function checkDigits(pan: string, psn: string): void {
  if (!/^\d{8,19}$/.test(pan)) throw new RangeError('PAN must be 8-19 digits');
  if (!/^\d{2}$/.test(psn)) throw new RangeError('PAN sequence number must be 2 digits');
}

/** Option A: rightmost 16 digits of PAN || PSN (left zero-padded), then TDES(Y) || TDES(Y xor FF..). */
export function deriveIccMasterKeyA(issuerMasterKey: Uint8Array, pan: string, psn = '00'): Uint8Array {
  checkDigits(pan, psn);
  const y = hexBytes((pan + psn).slice(-16).padStart(16, '0'));
  return adjustParity(tdesEcbEncrypt(issuerMasterKey, concatBytes(y, invert(y))));
}

/** Option B (PANs longer than 16 digits): SHA-1 of PAN || PSN, decimalised; otherwise option A. */
export function deriveIccMasterKeyB(issuerMasterKey: Uint8Array, pan: string, psn = '00'): Uint8Array {
  checkDigits(pan, psn);
  if (pan.length <= 16) return deriveIccMasterKeyA(issuerMasterKey, pan, psn);
  const digits = (pan.length % 2 ? '0' : '') + pan + psn;
  const digest = createHash('sha1').update(hexBytes(digits)).digest('hex');
  let result = [...digest].filter((c) => c >= '0' && c <= '9').slice(0, 16).join('');
  if (result.length < 16) {
    const letters = [...digest].filter((c) => c >= 'a' && c <= 'f').slice(0, 16 - result.length);
    result += letters.map((c) => String(c.charCodeAt(0) - 97)).join('');
  }
  const y = hexBytes(result);
  return adjustParity(tdesEcbEncrypt(issuerMasterKey, concatBytes(y, invert(y))));
}

/** EMV common session key derivation: SK = TDES(MK)[R with byte 3 = F0] || TDES(MK)[R with byte 3 = 0F]. */
export function deriveCommonSessionKey(masterKey: Uint8Array, r: Uint8Array): Uint8Array {
  if (masterKey.length !== 16) throw new RangeError('ICC master key must be 16 bytes');
  if (r.length !== 8) throw new RangeError('diversification value must be 8 bytes');
  const a = Uint8Array.from(r);
  a[2] = 0xf0;
  const b = Uint8Array.from(r);
  b[2] = 0x0f;
  return adjustParity(tdesEcbEncrypt(masterKey, concatBytes(a, b)));
}

/** AC session key, EMV CSK with R = ATC || 00 00 00 00 00 00. */
export function deriveAcSessionKeyEmv(masterKey: Uint8Array, atc: Uint8Array): Uint8Array {
  if (atc.length !== 2) throw new RangeError('ATC must be 2 bytes');
  return deriveCommonSessionKey(masterKey, concatBytes(atc, new Uint8Array(6)));
}

/** AC session key, Mastercard SKD: R = ATC || 00 00 || UN. */
export function deriveAcSessionKeyMastercard(masterKey: Uint8Array, atc: Uint8Array, un: Uint8Array): Uint8Array {
  if (atc.length !== 2 || un.length !== 4) throw new RangeError('ATC must be 2 bytes and UN 4 bytes');
  return deriveCommonSessionKey(masterKey, concatBytes(atc, new Uint8Array(2), un));
}

/** Visa secure messaging session key: MK xor (00..00 || ATC) for key A and (00..00 || ~ATC) for key B. */
export function deriveVisaSmSessionKey(masterKey: Uint8Array, atc: Uint8Array): Uint8Array {
  if (masterKey.length !== 16 || atc.length !== 2) throw new RangeError('MK must be 16 bytes and ATC 2 bytes');
  const sk = Uint8Array.from(masterKey);
  sk[6]! ^= atc[0]!;
  sk[7]! ^= atc[1]!;
  sk[14]! ^= atc[0]! ^ 0xff;
  sk[15]! ^= atc[1]! ^ 0xff;
  return adjustParity(sk);
}
