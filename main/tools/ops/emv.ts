/** atm-tools batch ops for EMV: tlv.decode (and the QR ops, registered together). */
import { type BatchOp, type JsonObject, hexArg } from '../op-registry';
import { decodeTlv, isSensitiveTag, tagInfo, TlvError, type TlvNode } from '../../emv/tlv';
import { qrOps } from './qr';

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

export const emvBatchOps: Record<string, BatchOp> = { 'tlv.decode': tlvDecode, ...qrOps };
