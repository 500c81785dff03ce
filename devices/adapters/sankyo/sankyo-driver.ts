/**
 * One ICT3K5 exchange: command frame -> ACK (resend on NAK or silence) -> reply frame (NAK a bad CRC so the
 * reader resends; ACK a good one). Errors name the command and frame length only: replies carry track data.
 */
import type { ByteLink } from '../serial/byte-link';
import { LinkError } from '../serial/link-errors';
import { ACK, NAK, TEXT_NEGATIVE, TEXT_POSITIVE, encodeCommand, scanFrame } from './sankyo-frame';

export interface SankyoDriverOptions {
  ackTimeoutMs?: number;
  retries?: number;
}

export type SankyoReply =
  | { kind: 'positive'; st1: number; st0: number; data: Buffer }
  | { kind: 'negative'; e1: number; e0: number };

const name = (cm: number, pm: number) => `C${String.fromCharCode(cm)}${String.fromCharCode(pm)}`;

export class SankyoDriver {
  constructor(
    private readonly link: ByteLink,
    private readonly opts: SankyoDriverOptions = {},
  ) {}

  async exchange(cm: number, pm: number, data: ArrayLike<number>, replyTimeoutMs: number): Promise<SankyoReply> {
    const retries = this.opts.retries ?? 3;
    const frame = encodeCommand(cm, pm, data);
    let acked = false;
    let problem: LinkError | null = null;
    for (let attempt = 0; attempt <= retries && !acked; attempt++) {
      this.link.discardInput();
      await this.link.write(frame);
      try {
        const [b] = await this.link.readBytes(1, this.opts.ackTimeoutMs ?? 300, `ACK for ${name(cm, pm)}`);
        if (b === ACK) acked = true;
        else problem = new LinkError('nak', `${name(cm, pm)} (${frame.length} bytes) refused by the reader`);
      } catch (e) {
        if (!(e instanceof LinkError) || e.kind !== 'timeout') throw e;
        problem = e;
      }
    }
    if (!acked) throw problem ?? new LinkError('nak', `${name(cm, pm)} not acknowledged`);

    for (let attempt = 0; attempt <= retries; attempt++) {
      const scan = await this.link.read((buf) => {
        const s = scanFrame(buf);
        return s.kind === 'need-more' ? null : { value: s, consumed: s.consumed };
      }, replyTimeoutMs, `reply to ${name(cm, pm)}`);
      if (scan.kind === 'frame' && scan.text.cm === cm && scan.text.pm === pm && scan.text.rest.length >= 2) {
        const t = scan.text;
        if (t.type === TEXT_POSITIVE || t.type === TEXT_NEGATIVE) {
          await this.link.write(Buffer.from([ACK]));
          return t.type === TEXT_POSITIVE
            ? { kind: 'positive', st1: t.rest[0]!, st0: t.rest[1]!, data: Buffer.from(t.rest.subarray(2)) }
            : { kind: 'negative', e1: t.rest[0]!, e0: t.rest[1]! };
        }
      }
      const length = scan.kind === 'bad' ? scan.length : scan.kind === 'frame' ? scan.text.rest.length + 8 : 0;
      problem = new LinkError('badFrame', `bad reply to ${name(cm, pm)} (${length} bytes)`);
      await this.link.write(Buffer.from([NAK]));
    }
    throw problem ?? new LinkError('badFrame', `no valid reply to ${name(cm, pm)}`);
  }
}
