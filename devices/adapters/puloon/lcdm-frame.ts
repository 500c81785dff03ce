/**
 * Puloon LCDM-1000/2000 serial framing. Host -> device: `EOT id STX cmd data ETX BCC`; device -> host:
 * `SOH id STX cmd data ETX BCC`; BCC = XOR of every byte from the first (EOT/SOH) through ETX. Single-byte
 * ACK (0x06) / NAK (0x15) acknowledge each frame in both directions. Frames have fixed lengths per command
 * (data bytes can take any value, so ETX is not searched for).
 */
export const SOH = 0x01;
export const STX = 0x02;
export const ETX = 0x03;
export const EOT = 0x04;
export const ACK = 0x06;
export const NAK = 0x15;
export const DEFAULT_ID = 0x50;

export const LcdmCommand = { purge: 0x44, dispenseUpper: 0x45, status: 0x46, dispenseLower: 0x55 } as const;
export type LcdmCommandCode = (typeof LcdmCommand)[keyof typeof LcdmCommand];

/** Data bytes of each command (host -> device): dispense carries the note count as two ASCII digits. */
export const COMMAND_DATA_LENGTH: Record<number, number> = { 0x44: 0, 0x46: 0, 0x45: 2, 0x55: 2 };
/**
 * Data bytes of each response (device -> host):
 * - purge: error
 * - status: reserved, error, sensor byte 0, sensor byte 1
 * - dispense: CHK count (2 ASCII digits: notes counted at the check sensors), EXIT count (2), error, status,
 *   REJECT count (2)
 */
export const RESPONSE_DATA_LENGTH: Record<number, number> = { 0x44: 1, 0x46: 4, 0x45: 8, 0x55: 8 };

export function bcc(bytes: ArrayLike<number>, end = bytes.length): number {
  let x = 0;
  for (let i = 0; i < end; i++) x ^= bytes[i]!;
  return x;
}

function frame(lead: number, id: number, cmd: number, data: ArrayLike<number>): Buffer {
  const body = [lead, id, STX, cmd, ...Array.from(data), ETX];
  return Buffer.from([...body, bcc(body)]);
}

export const encodeCommand = (id: number, cmd: number, data: ArrayLike<number> = []): Buffer => frame(EOT, id, cmd, data);
export const encodeResponse = (id: number, cmd: number, data: ArrayLike<number>): Buffer => frame(SOH, id, cmd, data);

export interface LcdmFrame {
  id: number;
  cmd: number;
  data: Buffer;
}

export type FrameScan =
  | { kind: 'frame'; frame: LcdmFrame; consumed: number }
  | { kind: 'bad'; cmd: number; length: number; consumed: number }
  | { kind: 'need-more' };

/**
 * Finds the next frame starting with `lead` (bytes before it are skipped). `dataLength` gives the data length for a
 * command code; an unknown code or a wrong STX/ETX/BCC makes the frame `bad`.
 */
export function scanFrame(buf: Buffer, lead: number, dataLength: Record<number, number>): FrameScan {
  const start = buf.indexOf(lead);
  if (start < 0 || buf.length - start < 4) return { kind: 'need-more' };
  const cmd = buf[start + 3]!;
  const len = dataLength[cmd];
  if (len === undefined || buf[start + 2] !== STX) return { kind: 'bad', cmd, length: buf.length - start, consumed: buf.length };
  const total = 4 + len + 2;
  if (buf.length - start < total) return { kind: 'need-more' };
  const f = buf.subarray(start, start + total);
  const consumed = start + total;
  if (f[total - 2] !== ETX || bcc(f, total - 1) !== f[total - 1]) return { kind: 'bad', cmd, length: total, consumed };
  return { kind: 'frame', frame: { id: f[1]!, cmd, data: Buffer.from(f.subarray(4, 4 + len)) }, consumed };
}

/** Two ASCII digits <-> 0..99. */
export const twoDigits = (n: number): number[] => [0x30 + Math.floor(n / 10), 0x30 + (n % 10)];
export function readTwoDigits(b: Buffer, at: number): number | null {
  const hi = b[at]! - 0x30;
  const lo = b[at + 1]! - 0x30;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : null;
}
