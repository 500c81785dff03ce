/**
 * EMVCo merchant-presented QR (EMV QRCPS MPM): ID (2 digits), length (2 digits, counted in
 * characters), value. 00 "01" first, 63 CRC last: CRC-16/CCITT-FALSE over the UTF-8 bytes of
 * everything up to and including "6304". Templates: 26-51 merchant account information,
 * 62 additional data, 64 merchant information - language template, 80-99 unreserved templates.
 * IDs 02-25 are primitive payment network identifiers (15-16 UnionPay).
 */
import { emvQrCrc } from './crc16-ccitt';

export type QrTemplate = Record<string, string>;
export type QrObjects = Record<string, string | QrTemplate>;

export type QrParseResult = { valid: true; crc: string; objects: QrObjects } | { valid: false; reason: string };

/** IDs whose value is itself a list of ID-length-value objects. */
export function isTemplateId(id: string): boolean {
  const n = Number(id);
  return (n >= 26 && n <= 51) || n === 62 || n === 64 || (n >= 80 && n <= 99);
}

class QrFormatError extends Error {}

/** Splits one level into [id, value] pairs. Lengths count Unicode characters. */
function splitLevel(text: string, where: string): Array<[string, string]> {
  const chars = Array.from(text);
  const out: Array<[string, string]> = [];
  let pos = 0;
  while (pos < chars.length) {
    if (pos + 4 > chars.length) throw new QrFormatError(`${where}: truncated ID/length at character ${pos}`);
    const id = chars.slice(pos, pos + 2).join('');
    const len = chars.slice(pos + 2, pos + 4).join('');
    if (!/^\d\d$/.test(id)) throw new QrFormatError(`${where}: bad ID "${id}" at character ${pos}`);
    if (!/^\d\d$/.test(len)) throw new QrFormatError(`${where}: bad length "${len}" for ID ${id}`);
    const n = Number(len);
    if (n === 0) throw new QrFormatError(`${where}: ID ${id} has length 00`);
    if (pos + 4 + n > chars.length) throw new QrFormatError(`${where}: ID ${id} length ${n} runs past the end`);
    out.push([id, chars.slice(pos + 4, pos + 4 + n).join('')]);
    pos += 4 + n;
  }
  return out;
}

function toRecord(pairs: Array<[string, string]>, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, value] of pairs) {
    if (Object.prototype.hasOwnProperty.call(out, id)) throw new QrFormatError(`${where}: duplicate ID ${id}`);
    out[id] = value;
  }
  return out;
}

/** Parses and validates a merchant-presented payload. Never throws. */
export function parseEmvQr(payload: string): QrParseResult {
  try {
    const top = splitLevel(payload, 'payload');
    if (top.length === 0) return { valid: false, reason: 'empty payload' };
    const [first] = top;
    if (first![0] !== '00') return { valid: false, reason: 'ID 00 (payload format indicator) must come first' };
    if (first![1] !== '01') return { valid: false, reason: `payload format indicator must be "01", got "${first![1]}"` };
    const last = top[top.length - 1]!;
    if (last[0] !== '63') return { valid: false, reason: 'ID 63 (CRC) missing or not last' };
    if (!/^[0-9A-Fa-f]{4}$/.test(last[1])) return { valid: false, reason: 'ID 63 must be 4 hex characters' };
    const crcInput = payload.slice(0, payload.length - 4);
    if (!crcInput.endsWith('6304')) return { valid: false, reason: 'ID 63 must have length 04' };
    const expected = emvQrCrc(crcInput);
    const crc = last[1].toUpperCase();
    if (crc !== expected) return { valid: false, reason: `CRC mismatch: payload says ${crc}, computed ${expected}` };
    const flat = toRecord(top, 'payload');
    const objects: QrObjects = {};
    for (const [id, value] of Object.entries(flat)) {
      objects[id] = isTemplateId(id) ? toRecord(splitLevel(value, `template ${id}`), `template ${id}`) : value;
    }
    const poi = flat['01'];
    if (poi !== undefined && poi !== '11' && poi !== '12') {
      return { valid: false, reason: `point of initiation (01) must be "11" or "12", got "${poi}"` };
    }
    return { valid: true, crc, objects };
  } catch (e) {
    if (e instanceof QrFormatError) return { valid: false, reason: e.message };
    throw e;
  }
}

function encodeObject(id: string, value: string, where: string): string {
  if (!/^\d\d$/.test(id)) throw new Error(`${where}: ID "${id}" must be two digits`);
  const n = Array.from(value).length;
  if (n < 1 || n > 99) throw new Error(`${where}: ID ${id} value must be 1-99 characters, got ${n}`);
  return `${id}${String(n).padStart(2, '0')}${value}`;
}

function encodeLevel(entries: Array<[string, string]>, where: string): string {
  return entries.map(([id, v]) => encodeObject(id, v, where)).join('');
}

const byId = <T>(a: [string, T], b: [string, T]): number => Number(a[0]) - Number(b[0]);

/**
 * Builds a payload with a correct CRC from objects: 00 first (default "01"), other IDs in ascending
 * order, nested templates encoded from their sub-objects, 63 appended. Any 63 given is ignored.
 */
export function makeEmvQr(objects: QrObjects): string {
  const all: QrObjects = { '00': '01', ...objects };
  const entries = Object.entries(all).filter(([id]) => id !== '63');
  const first = entries.filter(([id]) => id === '00');
  const rest = entries.filter(([id]) => id !== '00').sort(byId);
  let body = '';
  for (const [id, value] of [...first, ...rest]) {
    if (typeof value === 'string') {
      body += encodeObject(id, value, 'payload');
    } else {
      if (!isTemplateId(id)) throw new Error(`ID ${id} is not a template ID`);
      body += encodeObject(id, encodeLevel(Object.entries(value as QrTemplate).sort(byId), `template ${id}`), 'payload');
    }
  }
  const withCrcTag = body + '6304';
  return withCrcTag + emvQrCrc(withCrcTag);
}

export interface AtmWithdrawalQr {
  /** Decimal amount as shown ("100.00"). */
  amount: string;
  /** ISO 4217 numeric currency ("156"). */
  currency: string;
  /** ISO 3166-1 alpha-2 country ("CN"). */
  country: string;
  merchantName: string;
  city: string;
  /** Transaction reference (62/05), unique per withdrawal. */
  reference: string;
  /** Terminal label (62/07). */
  terminalId?: string;
  /** Merchant account information templates (26-51) or network IDs (02-25, e.g. 15 UnionPay). */
  accounts?: Record<string, string | QrTemplate>;
  /** Merchant category code (52); 6011 = automated cash disbursements. */
  mcc?: string;
}

/** A dynamic (01 = "12") QR for a cardless cash withdrawal at this ATM. */
export function makeAtmWithdrawalQr(q: AtmWithdrawalQr): string {
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(q.amount)) throw new Error(`amount "${q.amount}" must be a decimal like 100.00`);
  if (!/^\d{3}$/.test(q.currency)) throw new Error('currency must be an ISO 4217 numeric code');
  if (!/^[A-Z]{2}$/.test(q.country)) throw new Error('country must be an ISO 3166 alpha-2 code');
  const extra: QrTemplate = { '05': q.reference };
  if (q.terminalId) extra['07'] = q.terminalId;
  return makeEmvQr({
    '01': '12',
    ...(q.accounts ?? {}),
    '52': q.mcc ?? '6011',
    '53': q.currency,
    '54': q.amount,
    '58': q.country,
    '59': q.merchantName,
    '60': q.city,
    '62': extra,
  });
}
