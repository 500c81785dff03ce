/**
 * Application cryptograms (ARQC/TC/AAC), ARPC and issuer script MACs per Cryptogram Version Number.
 * Shared by the simulated card (devices/card-reader/chip) and the issuer side (issuer.ts).
 *
 * Profiles (data selection and methods as published for these CVNs, cross-checked against pyemv
 * and jPOS test vectors, see test/main/emv/cryptogram.test.ts):
 *  - Visa CVN 10: MKD option A, no session key (AC under the ICC MK), ISO 9797-1 padding 1,
 *    data = EMV minimum set + CVR (IAD bytes 4-7), ARPC method 1, Visa SM session keys.
 *  - Visa CVN 18: MKD option B, EMV common session key (ATC), padding 2, data = minimum set + full
 *    IAD, ARPC method 2, Visa SM session keys.
 *  - Mastercard CVN 16 (0x10, M/Chip 4 without counters): MKD option A, Mastercard SKD (ATC, UN),
 *    padding 2, data = minimum set + CVR (IAD bytes 3-8), ARPC method 1 under the ICC MK (as jPOS
 *    JCESecurityModule does for SKDMethod.MCHIP), SM keys from the ARQC.
 *  - UnionPay (PBOC) CVN 01: modelled as EMV common session key, padding 2, minimum set + CVR
 *    (IAD bytes 4-7), ARPC method 1. NOT checked against a published PBOC vector.
 */
import { deriveAcSessionKeyEmv, deriveAcSessionKeyMastercard, deriveCommonSessionKey, deriveIccMasterKeyA, deriveIccMasterKeyB, deriveVisaSmSessionKey } from './key-derivation';
import { macIso9797Alg3, type PaddingMethod } from './retail-mac';
import { concatBytes, tdesEcbEncrypt, xor } from './tdes';

export type CvnId = 'visa-10' | 'visa-18' | 'mastercard-16' | 'unionpay-01';
export type Scheme = 'visa' | 'mastercard' | 'unionpay';

export interface CvnProfile {
  id: CvnId;
  scheme: Scheme;
  /** The CVN byte as it appears in the IAD. */
  cvnByte: number;
  mkd: 'A' | 'B';
  acSessionKey: 'none' | 'emv' | 'mastercard';
  padding: PaddingMethod;
  /** Which part of the IAD (9F10) ends the AC input: the CVR slice [from, to) or the whole IAD. */
  iadPart: { from: number; to: number } | 'whole';
  arpcMethod: 1 | 2;
  /** Key for the ARPC: the AC session key, or the ICC AC master key itself (M/Chip, as jPOS does). */
  arpcKey: 'session' | 'mk';
  smSessionKey: 'visa' | 'emv-arqc';
}

export const CVN_PROFILES: Readonly<Record<CvnId, CvnProfile>> = {
  'visa-10': { id: 'visa-10', scheme: 'visa', cvnByte: 0x0a, mkd: 'A', acSessionKey: 'none', padding: 1, iadPart: { from: 3, to: 7 }, arpcMethod: 1, arpcKey: 'mk', smSessionKey: 'visa' },
  'visa-18': { id: 'visa-18', scheme: 'visa', cvnByte: 0x12, mkd: 'B', acSessionKey: 'emv', padding: 2, iadPart: 'whole', arpcMethod: 2, arpcKey: 'session', smSessionKey: 'visa' },
  'mastercard-16': { id: 'mastercard-16', scheme: 'mastercard', cvnByte: 0x10, mkd: 'A', acSessionKey: 'mastercard', padding: 2, iadPart: { from: 2, to: 8 }, arpcMethod: 1, arpcKey: 'mk', smSessionKey: 'emv-arqc' },
  'unionpay-01': { id: 'unionpay-01', scheme: 'unionpay', cvnByte: 0x01, mkd: 'A', acSessionKey: 'emv', padding: 2, iadPart: { from: 3, to: 7 }, arpcMethod: 1, arpcKey: 'session', smSessionKey: 'emv-arqc' },
};

export class CryptogramError extends Error {
  override name = 'CryptogramError';
}

/** Finds the profile from the scheme (by AID) and the CVN byte of the IAD. */
export function profileFromIad(scheme: Scheme, iad: Uint8Array): CvnProfile {
  // Visa and PBOC IADs start with a length byte, then DKI, then CVN; Mastercard: DKI then CVN.
  const cvn = scheme === 'mastercard' ? iad[1] : iad[2];
  const p = Object.values(CVN_PROFILES).find((x) => x.scheme === scheme && x.cvnByte === cvn);
  if (!p) throw new CryptogramError(`unsupported ${scheme} CVN ${cvn === undefined ? '(none)' : cvn.toString(16).padStart(2, '0')}`);
  return p;
}

export function schemeFromAid(aid: Uint8Array | string): Scheme | undefined {
  const hex = typeof aid === 'string' ? aid.toUpperCase() : Buffer.from(aid).toString('hex').toUpperCase();
  if (hex.startsWith('A000000003')) return 'visa';
  if (hex.startsWith('A000000004')) return 'mastercard';
  if (hex.startsWith('A000000333')) return 'unionpay';
  return undefined;
}

export interface IssuerMasterKeys {
  ac: Uint8Array;
  smi: Uint8Array;
  smc: Uint8Array;
}
export type IccMasterKeys = IssuerMasterKeys;

export function deriveIccKeys(profile: CvnProfile, issuer: IssuerMasterKeys, pan: string, psn: string): IccMasterKeys {
  const d = profile.mkd === 'A' ? deriveIccMasterKeyA : deriveIccMasterKeyB;
  return { ac: d(issuer.ac, pan, psn), smi: d(issuer.smi, pan, psn), smc: d(issuer.smc, pan, psn) };
}

export type TagValues = ReadonlyMap<string, Uint8Array>;

function need(values: TagValues, tag: string): Uint8Array {
  const v = values.get(tag);
  if (!v) throw new CryptogramError(`tag ${tag} missing for the cryptogram`);
  return v;
}

export function acSessionKey(profile: CvnProfile, mkAc: Uint8Array, atc: Uint8Array, un: Uint8Array): Uint8Array {
  if (profile.acSessionKey === 'none') return mkAc;
  if (profile.acSessionKey === 'emv') return deriveAcSessionKeyEmv(mkAc, atc);
  return deriveAcSessionKeyMastercard(mkAc, atc, un);
}

/** EMV Book 2 8.1.1 minimum data set, in order, then the CVN's IAD part. */
export const AC_TAGS = ['9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F37', '82', '9F36'] as const;

export function acInputData(profile: CvnProfile, values: TagValues): Uint8Array {
  const iad = need(values, '9F10');
  const part = profile.iadPart === 'whole' ? iad : iad.subarray(profile.iadPart.from, profile.iadPart.to);
  if (profile.iadPart !== 'whole' && part.length !== profile.iadPart.to - profile.iadPart.from) throw new CryptogramError('IAD too short for the CVR');
  return concatBytes(...AC_TAGS.map((t) => need(values, t)), part);
}

/** ARQC / TC / AAC (8 bytes) under the ICC AC master key. */
export function generateAc(profile: CvnProfile, mkAc: Uint8Array, values: TagValues): Uint8Array {
  const sk = acSessionKey(profile, mkAc, need(values, '9F36'), need(values, '9F37'));
  return macIso9797Alg3(sk, acInputData(profile, values), profile.padding, 8);
}

/** The key the issuer uses for the ARPC and the card uses to check it. */
export function arpcKey(profile: CvnProfile, mkAc: Uint8Array, atc: Uint8Array, un: Uint8Array): Uint8Array {
  return profile.arpcKey === 'mk' ? mkAc : acSessionKey(profile, mkAc, atc, un);
}

/** ARPC method 1: TDES(SK)[ARQC xor (ARC || 00..00)], 8 bytes. */
export function arpcMethod1(sk: Uint8Array, arqc: Uint8Array, arc: Uint8Array): Uint8Array {
  if (arqc.length !== 8 || arc.length !== 2) throw new CryptogramError('ARPC method 1 needs an 8-byte ARQC and 2-byte ARC');
  return tdesEcbEncrypt(sk, xor(arqc, concatBytes(arc, new Uint8Array(6))));
}

/** ARPC method 2: MAC(SK)[ARQC || CSU || proprietary auth data], 4 bytes. */
export function arpcMethod2(sk: Uint8Array, arqc: Uint8Array, csu: Uint8Array, pad: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (arqc.length !== 8 || csu.length !== 4 || pad.length > 8) throw new CryptogramError('ARPC method 2 needs ARQC(8), CSU(4), PAD(0-8)');
  return macIso9797Alg3(sk, concatBytes(arqc, csu, pad), 2, 4);
}

/** Secure messaging (issuer script integrity) session key for the profile. */
export function smSessionKey(profile: CvnProfile, mkSmi: Uint8Array, atc: Uint8Array, arqc: Uint8Array): Uint8Array {
  return profile.smSessionKey === 'visa' ? deriveVisaSmSessionKey(mkSmi, atc) : deriveCommonSessionKey(mkSmi, arqc);
}

/**
 * Issuer script command MAC (8 bytes). Visa: over header || ATC || ARQC || data; EMV/ARQC-keyed
 * profiles: over header || data. `header` is CLA INS P1 P2 Lc (Lc includes the MAC).
 */
export function scriptCommandMac(profile: CvnProfile, mkSmi: Uint8Array, header: Uint8Array, data: Uint8Array, atc: Uint8Array, arqc: Uint8Array): Uint8Array {
  const sk = smSessionKey(profile, mkSmi, atc, arqc);
  const input = profile.smSessionKey === 'visa' ? concatBytes(header, atc, arqc, data) : concatBytes(header, data);
  return macIso9797Alg3(sk, input, 2, 8);
}
