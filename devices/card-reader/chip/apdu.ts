/** ISO 7816-4 short APDUs: encoding, parsing, status words, and the chip transport type. */

/** Sends one command APDU, resolves with the response data followed by SW1 SW2. Rejects with ChipIoError if the chip does not answer. */
export type ChipTransport = (apdu: Uint8Array) => Promise<Uint8Array>;

export class ChipIoError extends Error {
  override name = 'ChipIoError';
}

export class ApduFormatError extends Error {
  override name = 'ApduFormatError';
}

export interface ApduCommand {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected response length; 0 means "up to 256" (encoded as 00). */
  le?: number;
}

export interface ApduResponse {
  data: Uint8Array;
  sw: number;
}

export const SW = {
  OK: 0x9000,
  SELECTED_FILE_INVALIDATED: 0x6283,
  AUTHENTICATION_FAILED: 0x6300,
  WRONG_LENGTH: 0x6700,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  SM_DATA_INCORRECT: 0x6988,
  WRONG_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

export function encodeApdu(c: ApduCommand): Uint8Array {
  const out = [c.cla, c.ins, c.p1, c.p2];
  if (c.data && c.data.length > 0) {
    if (c.data.length > 255) throw new ApduFormatError('command data longer than 255 bytes');
    out.push(c.data.length, ...c.data);
  }
  if (c.le !== undefined) out.push(c.le & 0xff);
  return Uint8Array.from(out);
}

/** Parses a short command APDU (cases 1-4). */
export function parseApdu(b: Uint8Array): ApduCommand {
  if (b.length < 4) throw new ApduFormatError('APDU shorter than 4 bytes');
  const [cla, ins, p1, p2] = [b[0]!, b[1]!, b[2]!, b[3]!];
  if (b.length === 4) return { cla, ins, p1, p2 };
  if (b.length === 5) return { cla, ins, p1, p2, le: b[4]! };
  const lc = b[4]!;
  if (lc === 0) throw new ApduFormatError('extended APDUs not supported');
  if (b.length === 5 + lc) return { cla, ins, p1, p2, data: b.slice(5, 5 + lc) };
  if (b.length === 6 + lc) return { cla, ins, p1, p2, data: b.slice(5, 5 + lc), le: b[5 + lc]! };
  throw new ApduFormatError(`Lc ${lc} does not match APDU length ${b.length}`);
}

export function splitResponse(r: Uint8Array): ApduResponse {
  if (r.length < 2) throw new ChipIoError('response shorter than SW1 SW2');
  return { data: r.slice(0, r.length - 2), sw: (r[r.length - 2]! << 8) | r[r.length - 1]! };
}

export function respond(data: Uint8Array, sw: number = SW.OK): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}

export const swHex = (sw: number): string => sw.toString(16).toUpperCase().padStart(4, '0');
