/**
 * Request/response matching: MTI version+class, function digit (request 0/2 -> response 1/3; origin digit
 * ignored, so 0420 and its repeat 0421 both match 0430), field 41 terminal id and field 11 STAN.
 * Keys are built from canonical (packed then unpacked) values, so "42" and "000042" match.
 */
import type { IsoMessage } from '../iso8583';

/** The response MTI of a request: 0200 -> 0210, 0420/0421 -> 0430, 0800 -> 0810. */
export function responseMti(requestMti: string): string {
  const fn = Number(requestMti[2] ?? '0');
  return requestMti.slice(0, 2) + String((fn + 1) % 10) + '0';
}

const text = (v: string | Buffer | undefined): string => (v === undefined ? '' : typeof v === 'string' ? v : v.toString('hex'));

function key(mtiPrefix: string, msg: IsoMessage): string {
  return `${mtiPrefix}|${text(msg.fields[41])}|${text(msg.fields[11])}`;
}

/** The key a response to this (canonical) request will have. */
export const requestKey = (req: IsoMessage): string => key(responseMti(req.mti).slice(0, 3), req);
/** The key of a received message. */
export const responseKey = (resp: IsoMessage): string => key(resp.mti.slice(0, 3), resp);
