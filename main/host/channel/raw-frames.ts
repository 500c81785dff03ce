/**
 * The received bytes of each decoded message (MTI onwards, framing and TPDU stripped), so a MAC can be
 * verified over exactly what arrived rather than over a re-encoding. Held weakly: gone with the message.
 */
import type { IsoMessage } from '../iso8583';

const raw = new WeakMap<IsoMessage, Buffer>();

export function rememberRawFrame(msg: IsoMessage, bytes: Buffer): void {
  raw.set(msg, bytes);
}

export function rawFrameOf(msg: IsoMessage): Buffer | undefined {
  return raw.get(msg);
}
