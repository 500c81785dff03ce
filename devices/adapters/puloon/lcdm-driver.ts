/**
 * One LCDM exchange: send the command frame, wait for ACK (resend on NAK or silence, up to `retries`), wait for
 * the response frame, NAK it when its BCC/structure is bad (the device resends), ACK it when good. Failures are
 * `LinkError`s described by command and length only.
 */
import type { ByteLink } from '../serial/byte-link';
import { LinkError } from '../serial/link-errors';
import { ACK, DEFAULT_ID, NAK, RESPONSE_DATA_LENGTH, SOH, encodeCommand, scanFrame } from './lcdm-frame';

export interface LcdmDriverOptions {
  id?: number;
  /** Wait for the ACK/NAK byte after a command frame. */
  ackTimeoutMs?: number;
  /** Resends on NAK / missing ACK, and NAKs of bad responses, before giving up. */
  retries?: number;
}

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

export class LcdmDriver {
  constructor(
    private readonly link: ByteLink,
    private readonly opts: LcdmDriverOptions = {},
  ) {}

  async exchange(cmd: number, data: number[], responseTimeoutMs: number): Promise<Buffer> {
    const id = this.opts.id ?? DEFAULT_ID;
    const retries = this.opts.retries ?? 3;
    const frame = encodeCommand(id, cmd, data);
    let acked = false;
    let lastProblem: LinkError | null = null;
    for (let attempt = 0; attempt <= retries && !acked; attempt++) {
      this.link.discardInput();
      await this.link.write(frame);
      try {
        const [b] = await this.link.readBytes(1, this.opts.ackTimeoutMs ?? 300, `ACK for command ${hex(cmd)}`);
        if (b === ACK) acked = true;
        else lastProblem = new LinkError('nak', `command ${hex(cmd)} (${frame.length} bytes) refused by the dispenser (${b === NAK ? 'NAK' : 'unexpected byte'})`);
      } catch (e) {
        if (!(e instanceof LinkError) || e.kind !== 'timeout') throw e;
        lastProblem = e;
      }
    }
    if (!acked) throw lastProblem ?? new LinkError('nak', `command ${hex(cmd)} not acknowledged`);

    for (let attempt = 0; attempt <= retries; attempt++) {
      const scan = await this.link.read(
        (buf) => {
          const s = scanFrame(buf, SOH, RESPONSE_DATA_LENGTH);
          return s.kind === 'need-more' ? null : { value: s, consumed: s.consumed };
        },
        responseTimeoutMs,
        `response to command ${hex(cmd)}`,
      );
      if (scan.kind === 'frame' && scan.frame.cmd === cmd) {
        await this.link.write(Buffer.from([ACK]));
        return scan.frame.data;
      }
      const length = scan.kind === 'bad' ? scan.length : scan.kind === 'frame' ? scan.frame.data.length + 6 : 0;
      lastProblem = new LinkError('badFrame', `bad response to command ${hex(cmd)} (${length} bytes)`);
      await this.link.write(Buffer.from([NAK]));
    }
    throw lastProblem ?? new LinkError('badFrame', `no valid response to command ${hex(cmd)}`);
  }
}
