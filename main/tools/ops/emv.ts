/** atm-tools batch ops for EMV: tlv.decode (and the QR ops, registered together). */
import { type BatchOp, type JsonObject, hexArg } from '../op-registry';
import { decodeTlv, isSensitiveTag, tagInfo, TlvError, type TlvNode } from '../../emv/tlv';
import { qrOps } from './qr';
import { computeArqc, type ArqcCalcInput } from '../../emv/arqc-calc';
import { ToolError, optStr, str } from '../op-registry';

/** JSON form of decoded TLV. Sensitive values (PAN, track data, names) are never output. */
export function tlvToJson(nodes: readonly TlvNode[]): JsonObject[] {
  return nodes.map((n) => {
    const out: JsonObject = { tag: n.tag, name: tagInfo(n.tag)?.name ?? 'Unknown', length: n.value.length };
    if (isSensitiveTag(n.tag)) out.masked = true;
    else if (n.children) out.children = tlvToJson(n.children);
    else out.value = Buffer.from(n.value).toString('hex').toUpperCase();
    return out;
  });
}

/** `{"op":"tlv.decode","hex":"..."}` -> `{"tlv":[{tag,name,length,value|children|masked}]}`. */
export const tlvDecode: BatchOp = (req) => {
  const data = hexArg(req, 'hex');
  try {
    return { tlv: tlvToJson(decodeTlv(data)) };
  } catch (e) {
    if (e instanceof TlvError) return { error: e.message, offset: e.offset };
    throw e;
  }
};

/**
 * `{"op":"emv.arqc","cvn":"10","imk":"..","pan":"..","psn":"00","atc":"001C","un":"..","cdol1":"..","aip":"1800","iad":".."}`
 * -> `{"arqc":"..","cvn":"visa-10"}`. Keys are never echoed.
 */
export const emvArqc: BatchOp = (req) => {
  const input: ArqcCalcInput = { cvn: str(req, 'cvn'), atc: str(req, 'atc'), cdol1: str(req, 'cdol1'), aip: str(req, 'aip') };
  for (const k of ['imk', 'mk', 'pan', 'psn', 'un', 'cdol', 'iad'] as const) {
    const v = optStr(req, k);
    if (v !== undefined) input[k] = v;
  }
  try {
    return computeArqc(input);
  } catch (e) {
    throw new ToolError((e as Error).message);
  }
};

export const emvBatchOps: Record<string, BatchOp> = { 'tlv.decode': tlvDecode, 'emv.arqc': emvArqc, ...qrOps };
