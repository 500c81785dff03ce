/**
 * TCP framing of ISO 8583 messages: [length header][TPDU][message].
 *
 * Length header, counting the bytes after itself (TPDU included):
 * - 'binary2' 2 bytes big-endian (the default; max 65535), 'binary4' 4 bytes big-endian,
 * - 'ascii4' 4 ASCII digits, 'bcd2' 2 bytes packed BCD (both max 9999),
 * - 'none' no header: every received chunk is taken as one whole message (only for hosts that send one
 *   message per write and are read on a quiet link; TCP does not preserve boundaries, so avoid it).
 * A zero-length frame is a keep-alive some hosts send: it is skipped.
 *
 * TPDU (optional, 10 hex chars = 5 bytes: ID 0x60, destination address 2 bytes, source address 2 bytes) sits
 * after the length header. The sender writes its configured TPDU; the responder answers with destination and
 * source swapped (so the host side of a link uses `swapTpdu(atmTpdu)`). The decoder strips the TPDU without
 * checking its addresses and keeps the last one it saw in `lastTpdu`.
 */
import { FramingError } from './errors';

export type FrameLength = 'binary2' | 'binary4' | 'ascii4' | 'bcd2' | 'none';
export interface Framing {
  length: FrameLength;
  /** 10 hex chars, e.g. "6000010000". */
  tpdu?: string;
}

const HEADER_SIZE: Record<FrameLength, number> = { binary2: 2, binary4: 4, ascii4: 4, bcd2: 2, none: 0 };
const HEADER_MAX: Record<FrameLength, number> = { binary2: 0xffff, binary4: 0xffffffff, ascii4: 9999, bcd2: 9999, none: Infinity };

function tpduBytes(framing: Framing): Buffer | null {
  if (framing.tpdu === undefined) return null;
  if (!/^[0-9a-fA-F]{10}$/.test(framing.tpdu)) throw new FramingError('TPDU must be 10 hex characters');
  return Buffer.from(framing.tpdu, 'hex');
}

/** The TPDU a responder sends back: ID kept, destination and source addresses swapped. */
export function swapTpdu(tpdu: string): string {
  if (!/^[0-9a-fA-F]{10}$/.test(tpdu)) throw new FramingError('TPDU must be 10 hex characters');
  return tpdu.slice(0, 2) + tpdu.slice(6, 10) + tpdu.slice(2, 6);
}

function writeHeader(len: number, kind: FrameLength): Buffer {
  if (len > HEADER_MAX[kind]) throw new FramingError(`frame of ${len} bytes does not fit a ${kind} header`);
  const h = Buffer.alloc(HEADER_SIZE[kind]);
  if (kind === 'binary2') h.writeUInt16BE(len);
  else if (kind === 'binary4') h.writeUInt32BE(len);
  else if (kind === 'ascii4') h.write(String(len).padStart(4, '0'), 'latin1');
  else if (kind === 'bcd2') h.write(String(len).padStart(4, '0'), 'hex');
  return h;
}

function readHeader(h: Buffer, kind: FrameLength): number {
  switch (kind) {
    case 'binary2':
      return h.readUInt16BE(0);
    case 'binary4':
      return h.readUInt32BE(0);
    case 'ascii4': {
      const s = h.toString('latin1');
      if (!/^[0-9]{4}$/.test(s)) throw new FramingError('ascii4 length header is not 4 ASCII digits');
      return Number(s);
    }
    case 'bcd2': {
      const s = h.toString('hex');
      if (!/^[0-9]{4}$/.test(s)) throw new FramingError('bcd2 length header is not BCD');
      return Number(s);
    }
    default:
      return 0;
  }
}

export function encodeFrame(payload: Uint8Array, framing: Framing): Buffer {
  const tpdu = tpduBytes(framing);
  const body = tpdu ? Buffer.concat([tpdu, payload]) : Buffer.from(payload);
  return Buffer.concat([writeHeader(body.length, framing.length), body]);
}

/**
 * Reassembles frames from TCP chunks. `push` returns the complete payloads (TPDU stripped) and keeps any
 * partial frame. It throws FramingError on a bad or oversize header, after which the stream is out of sync:
 * the decoder stays failed and the caller must drop the connection.
 */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private failed: FramingError | null = null;
  private readonly tpduSize: number;
  lastTpdu: Buffer | null = null;

  constructor(
    private readonly framing: Framing,
    private readonly maxFrame = 8192,
  ) {
    this.tpduSize = tpduBytes(framing)?.length ?? 0;
  }

  push(chunk: Uint8Array): Buffer[] {
    if (this.failed) throw this.failed;
    if (this.framing.length === 'none') return chunk.length ? [this.strip(Buffer.from(chunk))] : [];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: Buffer[] = [];
    const hs = HEADER_SIZE[this.framing.length];
    while (this.buf.length >= hs) {
      let len: number;
      try {
        len = readHeader(this.buf.subarray(0, hs), this.framing.length);
        if (len > this.maxFrame) throw new FramingError(`frame length ${len} exceeds maximum ${this.maxFrame}`);
        if (len > 0 && len < this.tpduSize) throw new FramingError(`frame length ${len} is shorter than the TPDU`);
      } catch (e) {
        this.failed = e instanceof FramingError ? e : new FramingError(String(e));
        throw this.failed;
      }
      if (this.buf.length < hs + len) break;
      const frame = this.buf.subarray(hs, hs + len);
      this.buf = this.buf.subarray(hs + len);
      if (len > 0) out.push(this.strip(Buffer.from(frame)));
    }
    return out;
  }

  private strip(frame: Buffer): Buffer {
    if (!this.tpduSize) return frame;
    if (frame.length < this.tpduSize) {
      this.failed = new FramingError(`frame of ${frame.length} bytes is shorter than the TPDU`);
      throw this.failed;
    }
    this.lastTpdu = frame.subarray(0, this.tpduSize);
    return frame.subarray(this.tpduSize);
  }

  /** Bytes of an incomplete frame held back. */
  get pending(): number {
    return this.buf.length;
  }
}
