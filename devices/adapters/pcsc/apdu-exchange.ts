/**
 * The terminal transport layer (EMV Book 1 section 9.3 and Annex A) on top of a raw PC/SC transmit, so the
 * kernel sees C-APDU in, R-APDU out whatever the protocol:
 *
 * - T=0 case 4: the command goes without Le (a T=0 TPDU carries Lc or Le, never both); the card's 61xx is
 *   answered with GET RESPONSE (Le = xx).
 * - T=0 case 4 with a warning (62xx, 63xx, 9xxx) and no data: GET RESPONSE with Le = 00 fetches the data, which
 *   is returned with the warning status.
 * - 61xx (any protocol): GET RESPONSE until the card has given everything (bounded).
 * - 6Cxx (wrong Le): the command is sent again once with Le = xx.
 *
 * pcsc-lite passes TPDUs through untouched and the binding's own autoGetResponse is unbounded and rewrites the
 * last data byte of a case 3/4 command on 6Cxx, so the adapter does this itself.
 */
import { ApduFormatError } from '../../card-reader/chip/apdu';
import { PcscError } from './pcsc-errors';

export type RawTransmit = (tpdu: Uint8Array) => Promise<Uint8Array>;
export type TransportProtocol = 'T0' | 'T1';

/** GET RESPONSE rounds before the card is declared broken (256 bytes each). */
const MAX_GET_RESPONSE = 32;

interface ParsedCommand {
  header: Uint8Array;
  case: 1 | 2 | 3 | 4;
  /** Lc and data (cases 3 and 4). */
  body: Uint8Array;
}

function parse(apdu: Uint8Array): ParsedCommand {
  if (apdu.length < 4) throw new ApduFormatError('APDU shorter than 4 bytes');
  const header = apdu.subarray(0, 4);
  if (apdu.length === 4) return { header, case: 1, body: new Uint8Array(0) };
  if (apdu.length === 5) return { header, case: 2, body: new Uint8Array(0) };
  const lc = apdu[4]!;
  if (lc === 0) throw new ApduFormatError('extended-length APDUs are not supported');
  if (apdu.length === 5 + lc) return { header, case: 3, body: apdu.subarray(4) };
  if (apdu.length === 6 + lc) return { header, case: 4, body: apdu.subarray(4, 5 + lc) };
  throw new ApduFormatError(`Lc ${lc} does not match APDU length ${apdu.length}`);
}

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const getResponse = (le: number): Uint8Array => Uint8Array.of(0x00, 0xc0, 0x00, 0x00, le & 0xff);

function split(r: Uint8Array): { data: Uint8Array; sw1: number; sw2: number } {
  if (r.length < 2) throw new PcscError('protocol', `card answered ${r.length} byte(s), no status word`);
  return { data: r.subarray(0, r.length - 2), sw1: r[r.length - 2]!, sw2: r[r.length - 1]! };
}

const isWarning = (sw1: number, sw2: number): boolean => sw1 === 0x62 || sw1 === 0x63 || ((sw1 & 0xf0) === 0x90 && !(sw1 === 0x90 && sw2 === 0x00));

/** Sends one C-APDU through `raw`, resolves with the complete R-APDU (data || SW1 SW2). */
export async function exchangeApdu(raw: RawTransmit, apdu: Uint8Array, protocol: TransportProtocol): Promise<Uint8Array> {
  const cmd = parse(apdu);
  const t0 = protocol === 'T0';
  const first = t0 && cmd.case === 4 ? concat(cmd.header, cmd.body) : apdu;
  let r = split(await raw(first));

  if (r.sw1 === 0x6c) {
    // Wrong length: the card tells the right Le. Only meaningful where the command carries an Le.
    if (cmd.case === 2) r = split(await raw(concat(cmd.header, Uint8Array.of(r.sw2))));
    else if (cmd.case === 4 && !t0) r = split(await raw(concat(cmd.header, cmd.body, Uint8Array.of(r.sw2))));
  }

  let data = r.data;
  let warning: [number, number] | null = null;
  if (t0 && cmd.case === 4 && data.length === 0 && isWarning(r.sw1, r.sw2)) {
    warning = [r.sw1, r.sw2];
    r = split(await raw(getResponse(0)));
    if (r.sw1 === 0x6c) r = split(await raw(getResponse(r.sw2)));
    if (!(r.sw1 === 0x90 && r.sw2 === 0x00) && r.sw1 !== 0x61) return Uint8Array.of(...warning);
    data = r.data;
  }

  for (let round = 0; r.sw1 === 0x61; round++) {
    if (round >= MAX_GET_RESPONSE) throw new PcscError('protocol', `card still announces data after ${MAX_GET_RESPONSE} GET RESPONSE rounds`);
    r = split(await raw(getResponse(r.sw2)));
    if (r.sw1 === 0x6c) r = split(await raw(getResponse(r.sw2)));
    data = concat(data, r.data);
  }
  return concat(data, Uint8Array.of(...(warning ?? [r.sw1, r.sw2])));
}
