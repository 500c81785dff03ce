/**
 * atm-tools batch operations. Each op takes the parsed JSON request and returns the JSON answer,
 * or throws ToolError / Error (answered as {"error": message}).
 * Ops live in main/tools/ops/<area>.ts and are listed in main/tools/ops/index.ts.
 */
export type JsonObject = Record<string, unknown>;
export type BatchOp = (req: JsonObject) => JsonObject | Promise<JsonObject>;

export class ToolError extends Error {
  override name = 'ToolError';
}

export function str(req: JsonObject, name: string): string {
  const v = req[name];
  if (typeof v !== 'string') throw new ToolError(`"${name}" must be a string`);
  return v;
}
export function optStr(req: JsonObject, name: string): string | undefined {
  const v = req[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ToolError(`"${name}" must be a string`);
  return v;
}
export function hexArg(req: JsonObject, name: string): Buffer {
  const v = str(req, name).replace(/\s+/g, '');
  if (v.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(v)) throw new ToolError(`"${name}" must be an even-length hex string`);
  return Buffer.from(v, 'hex');
}
export const hexOut = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
