/** Parsing GENERATE AC responses: format 1 (tag 80) or format 2 (tag 77). */
import { EmvFailure } from './card-io';
import { decodeTlv, findTag, TlvError, type TlvNode } from './tlv-codec';

function parseTlv(data: Uint8Array, stage: string): TlvNode[] {
  try {
    return decodeTlv(data);
  } catch (e) {
    if (e instanceof TlvError) throw new EmvFailure('cardProtocol', stage, e.message);
    throw e;
  }
}

export interface AcResponse {
  cid: number;
  atc: Uint8Array;
  ac: Uint8Array;
  iad?: Uint8Array;
}

export function parseAcResponse(data: Uint8Array, stage: string): AcResponse {
  const nodes = parseTlv(data, stage);
  const f1 = nodes.length === 1 && nodes[0]!.tag === '80' ? nodes[0]!.value : undefined;
  if (f1) {
    if (f1.length < 11) throw new EmvFailure('cardProtocol', stage, 'format 1 response too short');
    return { cid: f1[0]!, atc: f1.slice(1, 3), ac: f1.slice(3, 11), ...(f1.length > 11 ? { iad: f1.slice(11) } : {}) };
  }
  const t77 = nodes.find((n) => n.tag === '77');
  const cid = t77 && findTag([t77], '9F27')?.value;
  const atc = t77 && findTag([t77], '9F36')?.value;
  const ac = t77 && findTag([t77], '9F26')?.value;
  if (!cid || !atc || !ac || cid.length !== 1 || atc.length !== 2 || ac.length !== 8) throw new EmvFailure('cardProtocol', stage, 'GENERATE AC response lacks 9F27/9F36/9F26');
  const iad = findTag([t77], '9F10')?.value;
  return { cid: cid[0]!, atc, ac, ...(iad ? { iad } : {}) };
}

