/** APDU exchange for the kernel: GET RESPONSE / wrong-Le handling and typed failures. */
import { ChipIoError, encodeApdu, splitResponse, swHex, type ApduCommand, type ApduResponse, type ChipTransport } from '../../devices/card-reader/chip/apdu';

export type EmvFailureCode =
  | 'chipIo' // the chip did not answer (mute, removed, contact failure)
  | 'cardBlocked' // PSE or every application blocked
  | 'noApplication' // no mutually supported application
  | 'cancelled' // cardholder cancelled application selection
  | 'iccDataMissing' // mandatory data absent
  | 'cardProtocol'; // malformed response or unexpected status word

export class EmvFailure extends Error {
  override name = 'EmvFailure';
  constructor(
    readonly code: EmvFailureCode,
    readonly stage: string,
    message: string,
  ) {
    super(`${stage}: ${message}`);
  }
}

export async function transmit(transport: ChipTransport, cmd: ApduCommand, stage: string): Promise<ApduResponse> {
  let res: ApduResponse;
  try {
    res = splitResponse(await transport(encodeApdu(cmd)));
    if (res.sw >> 8 === 0x6c) res = splitResponse(await transport(encodeApdu({ ...cmd, le: res.sw & 0xff })));
    let data = res.data;
    for (let n = 0; res.sw >> 8 === 0x61; n++) {
      if (n >= 16) throw new EmvFailure('cardProtocol', stage, 'too many GET RESPONSE rounds');
      res = splitResponse(await transport(encodeApdu({ cla: 0x00, ins: 0xc0, p1: 0, p2: 0, le: res.sw & 0xff })));
      data = Uint8Array.from(Buffer.concat([data, res.data]));
    }
    return { data, sw: res.sw };
  } catch (e) {
    if (e instanceof ChipIoError) throw new EmvFailure('chipIo', stage, e.message);
    throw e;
  }
}

export function unexpectedSw(stage: string, sw: number): EmvFailure {
  return new EmvFailure('cardProtocol', stage, `unexpected status ${swHex(sw)}`);
}
