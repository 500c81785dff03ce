/**
 * Issuer side of EMV for the host simulator: verify the ARQC in field 55, build the ARPC (tag 91)
 * with method 1 or 2, and build MACed issuer script commands (templates 71/72).
 * Keys here are issuer master keys held by the simulated issuer; never log them.
 */
import { arpcKey, arpcMethod1, arpcMethod2, CryptogramError, deriveIccKeys, generateAc, profileFromIad, schemeFromAid, scriptCommandMac, type CvnProfile, type IccMasterKeys, type IssuerMasterKeys } from './cryptogram';
import { decodeTlv, encodeTlv, tlv, tlvToMap, TlvError } from './tlv-codec';
import { concatBytes } from './tdes';

export interface CardIdentity {
  pan: string;
  /** PAN sequence number, 2 digits. */
  psn: string;
}

/** What the issuer keeps from a verified ARQC to answer it. Holds derived keys: keep in memory only. */
export interface ArqcContext {
  profile: CvnProfile;
  iccKeys: IccMasterKeys;
  arqc: Uint8Array;
  atc: Uint8Array;
  un: Uint8Array;
}

export type ArqcVerification = { ok: true; cvn: CvnProfile['id']; context: ArqcContext } | { ok: false; reason: string };

/** Verifies the ARQC (9F26) in field 55 against the data elements it carries. Never throws. */
export function verifyArqc(field55: Uint8Array, issuerKeys: IssuerMasterKeys, card: CardIdentity): ArqcVerification {
  try {
    const values = tlvToMap(decodeTlv(field55));
    const aid = values.get('84') ?? values.get('4F') ?? values.get('9F06');
    const scheme = aid ? schemeFromAid(aid) : undefined;
    if (!scheme) return { ok: false, reason: 'unknown scheme: no AID (84) in field 55' };
    const iad = values.get('9F10');
    const arqc = values.get('9F26');
    const cid = values.get('9F27');
    if (!iad || !arqc || arqc.length !== 8) return { ok: false, reason: 'field 55 lacks 9F10 or 9F26' };
    if (cid && (cid[0]! & 0xc0) !== 0x80) return { ok: false, reason: 'cryptogram is not an ARQC' };
    const profile = profileFromIad(scheme, iad);
    const iccKeys = deriveIccKeys(profile, issuerKeys, card.pan, card.psn);
    const expected = generateAc(profile, iccKeys.ac, values);
    if (!Buffer.from(expected).equals(Buffer.from(arqc))) return { ok: false, reason: 'ARQC mismatch' };
    return { ok: true, cvn: profile.id, context: { profile, iccKeys, arqc, atc: values.get('9F36')!, un: values.get('9F37')! } };
  } catch (e) {
    if (e instanceof TlvError || e instanceof CryptogramError || e instanceof RangeError) return { ok: false, reason: e.message };
    throw e;
  }
}

export interface ArpcInput {
  /** Method 1: the 2-character ARC (e.g. "00"). */
  arc?: string;
  /** Method 2: Card Status Update, 4 bytes. */
  csu?: Uint8Array;
  /** Method 2: proprietary authentication data, 0-8 bytes. */
  pad?: Uint8Array;
}

/** Issuer Authentication Data (tag 91 value): method 1 ARPC(8) || ARC(2); method 2 ARPC(4) || CSU || PAD. */
export function buildArpc(method: 1 | 2, ctx: ArqcContext, input: ArpcInput): Uint8Array {
  const key = arpcKey(ctx.profile, ctx.iccKeys.ac, ctx.atc, ctx.un);
  if (method === 1) {
    const arc = Uint8Array.from(Buffer.from((input.arc ?? '00').slice(0, 2).padEnd(2, ' '), 'latin1'));
    return concatBytes(arpcMethod1(key, ctx.arqc, arc), arc);
  }
  const csu = input.csu ?? new Uint8Array(4);
  const pad = input.pad ?? new Uint8Array(0);
  return concatBytes(arpcMethod2(key, ctx.arqc, csu, pad), csu, pad);
}

export type ScriptCommand = 'pin-unblock' | 'application-block' | 'application-unblock';

const SCRIPT_INS: Record<ScriptCommand, number> = { 'pin-unblock': 0x24, 'application-block': 0x1e, 'application-unblock': 0x18 };

/** One issuer script command (tag 86 value) with its secure messaging MAC. */
export function buildScriptCommand(ctx: ArqcContext, command: ScriptCommand): Uint8Array {
  const header = Uint8Array.of(0x84, SCRIPT_INS[command], 0x00, 0x00, 0x08);
  const mac = scriptCommandMac(ctx.profile, ctx.iccKeys.smi, header, new Uint8Array(0), ctx.atc, ctx.arqc);
  return concatBytes(header, mac);
}

/** An encoded issuer script template (71: before the second GENERATE AC, 72: after). */
export function buildScriptTemplate(tag: '71' | '72', commands: readonly Uint8Array[], scriptId?: Uint8Array): Uint8Array {
  return encodeTlv(tlv(tag, [...(scriptId ? [tlv('9F18', scriptId)] : []), ...commands.map((c) => tlv('86', c))]));
}
