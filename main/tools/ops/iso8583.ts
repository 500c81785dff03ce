/**
 * atm-tools batch ops for ISO 8583:
 *   {"op":"iso8583.decode","packager":"iso87a","hex":"..."} -> {"mti":"0800","fields":{"7":"...","52":"<HEX>"}}
 *   {"op":"iso8583.encode","packager":"iso87b","mti":"0200","fields":{...}} -> {"hex":"..."}
 * Field keys are decimal strings in ascending order; binary fields are upper-case hex both ways.
 * Errors are thrown (answered as {"error": "..."}); codec errors name the field and byte offset.
 */
import { ToolError, hexArg, hexOut, str, type BatchOp, type JsonObject } from '../op-registry';
import { packIso, packagerByName, unpackIso, type IsoMessage, type Packager } from '../../host/iso8583';

export function packagerArg(name: string): Packager {
  const p = packagerByName(name);
  if (!p) throw new ToolError(`unknown packager "${name}"; known: iso87a, iso87b`);
  return p;
}

/** JSON form of a message: binary fields as upper-case hex, keys ascending. */
export function messageToJson(msg: IsoMessage): { mti: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const f of Object.keys(msg.fields).map(Number).sort((a, b) => a - b)) {
    const v = msg.fields[f]!;
    fields[String(f)] = typeof v === 'string' ? v : hexOut(v);
  }
  return { mti: msg.mti, fields };
}

/** Builds a message from JSON: binary fields (type 'b' in the packager) are given as hex strings. */
export function messageFromJson(mti: unknown, fields: unknown, packager: Packager): IsoMessage {
  if (typeof mti !== 'string') throw new ToolError('"mti" must be a string');
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new ToolError('"fields" must be an object');
  const out: Record<number, string | Buffer> = {};
  for (const [k, v] of Object.entries(fields as Record<string, unknown>)) {
    if (!/^[0-9]{1,3}$/.test(k)) throw new ToolError(`field key "${k}" is not a field number`);
    if (typeof v !== 'string') throw new ToolError(`field ${k} must be a string`);
    const f = Number(k);
    if (packager.fields[f]?.type === 'b') {
      const h = v.replace(/\s+/g, '');
      if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new ToolError(`field ${k} is binary: give an even-length hex string`);
      out[f] = Buffer.from(h, 'hex');
    } else out[f] = v;
  }
  return { mti, fields: out };
}

export const iso8583Decode: BatchOp = (req) => {
  const packager = packagerArg(str(req, 'packager'));
  return messageToJson(unpackIso(hexArg(req, 'hex'), packager)) as unknown as JsonObject;
};

export const iso8583Encode: BatchOp = (req) => {
  const packager = packagerArg(str(req, 'packager'));
  return { hex: hexOut(packIso(messageFromJson(req.mti, req.fields, packager), packager)) };
};

export const iso8583BatchOps: Record<string, BatchOp> = { 'iso8583.decode': iso8583Decode, 'iso8583.encode': iso8583Encode };
