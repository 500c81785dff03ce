/**
 * Test support: makes an APDU-level card (SimChipCard answers T=1 style: data and SW together) behave like a
 * T=0 card on the wire, as EMV Book 1 Annex A describes it:
 * - a TPDU carries Lc or Le, never both: a command with data and a trailing Le byte is refused (6700);
 * - outgoing data of a case 3 command is announced with 61xx and fetched with GET RESPONSE (00 C0 00 00 Le);
 *   a warning (62xx / 63xx) is given alone first, its data then also via GET RESPONSE;
 * - a case 2 command with the wrong Le is answered 6Cxx (xx = the right length);
 * - GET RESPONSE with more than is left is answered 6Cxx; with less, 61xx announces the rest.
 */
import type { ChipTransport } from '../../../../../devices/card-reader/chip/apdu';

const sw = (sw1: number, sw2: number): Uint8Array => Uint8Array.of(sw1, sw2);
const withSw = (data: Uint8Array, sw1: number, sw2: number): Uint8Array => Uint8Array.from([...data, sw1, sw2]);

export class T0CardEmulation {
  private pending: Uint8Array | null = null;
  /** TPDUs as received (for assertions on the transport layer); header bytes only, no data. */
  readonly headers: string[] = [];

  constructor(private readonly inner: ChipTransport) {}

  /** Power-up / reset: anything not fetched is lost. */
  reset(): void {
    this.pending = null;
  }

  readonly transport: ChipTransport = async (tpdu) => {
    this.headers.push(Buffer.from(tpdu.subarray(0, Math.min(5, tpdu.length))).toString('hex'));
    if (tpdu.length < 4) return sw(0x67, 0x00);
    const [cla, ins] = [tpdu[0]!, tpdu[1]!];
    if (cla === 0x00 && ins === 0xc0) return this.getResponse(tpdu.length >= 5 ? tpdu[4]! : 0);
    this.pending = null;
    if (tpdu.length === 5) return this.case2(tpdu);
    if (tpdu.length > 5 && tpdu.length !== 5 + tpdu[4]!) return sw(0x67, 0x00); // Lc and Le together: not a T=0 TPDU
    const r = await this.inner(tpdu);
    const data = r.subarray(0, r.length - 2);
    const [sw1, sw2] = [r[r.length - 2]!, r[r.length - 1]!];
    if (data.length === 0) return sw(sw1, sw2);
    if (sw1 === 0x90 && sw2 === 0x00) {
      this.pending = Uint8Array.from(data);
      return sw(0x61, data.length & 0xff);
    }
    if (sw1 === 0x62 || sw1 === 0x63) {
      this.pending = Uint8Array.from(data);
      return sw(sw1, sw2);
    }
    return sw(sw1, sw2);
  };

  private async case2(tpdu: Uint8Array): Promise<Uint8Array> {
    const le = tpdu[4]! === 0 ? 256 : tpdu[4]!;
    const r = await this.inner(tpdu);
    const data = r.subarray(0, r.length - 2);
    if (data.length > 0 && data.length !== le) return sw(0x6c, data.length & 0xff);
    return r;
  }

  private getResponse(p3: number): Uint8Array {
    const pending = this.pending;
    if (!pending) return sw(0x69, 0x85);
    const le = p3 === 0 ? 256 : p3;
    if (le > pending.length) return sw(0x6c, pending.length & 0xff);
    const out = pending.subarray(0, le);
    const rest = pending.subarray(le);
    if (rest.length > 0) {
      this.pending = rest;
      return withSw(out, 0x61, rest.length & 0xff);
    }
    this.pending = null;
    return withSw(out, 0x90, 0x00);
  }
}
