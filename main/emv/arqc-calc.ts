/**
 * Stand-alone ARQC computation for engineers (atm-tools `emv arqc` / `emv.arqc`): from an issuer
 * master key (or an ICC master key), PAN, PSN, ATC, UN, CDOL1 data, AIP and IAD.
 */
import { CVN_PROFILES, deriveIccKeys, generateAc, type CvnId, type CvnProfile } from './cryptogram';
import { splitDolData } from './dol';
import { fromHex, toHex } from './tdes';

/** The usual CDOL1 covering the EMV minimum data set: 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37. */
export const MINIMUM_CDOL1 = '9F02069F03069F1A0295055F2A029A039C019F3704';

export interface ArqcCalcInput {
  /** "visa-10", "visa-18", "mastercard-16", "unionpay-01", or the bare CVN number 10, 18, 16, 1. */
  cvn: string;
  /** Issuer master key (AC), hex; the ICC MK is derived with the CVN's option A/B. */
  imk?: string;
  /** ICC master key (AC), hex, instead of imk. */
  mk?: string;
  pan?: string;
  psn?: string;
  atc: string;
  /** 9F37; overrides the value inside the CDOL1 data. */
  un?: string;
  cdol1: string;
  /** The CDOL1 itself (tag/length list), hex; defaults to MINIMUM_CDOL1. */
  cdol?: string;
  aip: string;
  /** 9F10; defaults to a typical IAD for the CVN with a zero CVR. */
  iad?: string;
}

const ALIASES: Record<string, CvnId> = { '10': 'visa-10', '18': 'visa-18', '16': 'mastercard-16', '1': 'unionpay-01', '01': 'unionpay-01' };

export function resolveCvn(cvn: string): CvnProfile {
  const id = (ALIASES[cvn] ?? cvn) as CvnId;
  const p = Object.prototype.hasOwnProperty.call(CVN_PROFILES, id) ? CVN_PROFILES[id] : undefined;
  if (!p) throw new Error(`unknown CVN "${cvn}"; known: ${Object.keys(CVN_PROFILES).join(', ')} (or 10, 18, 16, 1)`);
  return p;
}

export function defaultIad(p: CvnProfile): string {
  const cvn = p.cvnByte.toString(16).padStart(2, '0').toUpperCase();
  if (p.scheme === 'mastercard') return `01${cvn}` + '00'.repeat(16);
  if (p.scheme === 'unionpay') return `0701${cvn}0300000001`;
  return `0601${cvn}03000000`;
}

export function computeArqc(input: ArqcCalcInput): { arqc: string; cvn: CvnId } {
  const p = resolveCvn(input.cvn);
  let mk: Uint8Array;
  if (input.mk) mk = fromHex(input.mk);
  else if (input.imk) {
    if (!input.pan) throw new Error('pan is required with imk');
    const k = fromHex(input.imk);
    mk = deriveIccKeys(p, { ac: k, smi: k, smc: k }, input.pan, input.psn ?? '00').ac;
  } else throw new Error('give imk (issuer master key) or mk (ICC master key)');
  if (mk.length !== 16) throw new Error('key must be 16 bytes');
  const values = splitDolData(fromHex(input.cdol ?? MINIMUM_CDOL1), fromHex(input.cdol1));
  if (input.un) values.set('9F37', fromHex(input.un));
  values.set('9F36', fromHex(input.atc));
  values.set('82', fromHex(input.aip));
  values.set('9F10', fromHex(input.iad ?? defaultIad(p)));
  if (values.get('9F36')!.length !== 2) throw new Error('atc must be 2 bytes');
  if (values.get('9F37')?.length !== 4) throw new Error('un must be 4 bytes (give "un" or put 9F37 in the CDOL)');
  return { arqc: toHex(generateAc(p, mk, values)), cvn: p.id };
}
