/**
 * Builds the ATM's ISO 8583:1987 requests and reads the responses. Pure functions: the caller supplies
 * STAN, clock and card data. Field usage follows DOMAIN.md; network-specific choices come from the profile.
 */
import type { IsoMessage } from './iso8583';
import type { HostProfile } from './profile';

export interface TerminalIdentity {
  terminalId: string;
  acceptorId: string;
  location: string;
  acquirerId: string;
  currencyNumeric: string;
}

export interface CardFields {
  pan: string;
  /** Absent for cardless transactions (QR, one-time code). */
  expiry?: string;
  track2?: string;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Field 7 transmission date and time, MMDDhhmmss in UTC. */
export function transmissionDateTime(d: Date): string {
  return `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}`;
}
export const localTime = (d: Date) => `${pad2(d.getHours())}${pad2(d.getMinutes())}${pad2(d.getSeconds())}`;
export const localDate = (d: Date) => `${pad2(d.getMonth() + 1)}${pad2(d.getDate())}`;
export const amount12 = (minor: number) => {
  if (!Number.isSafeInteger(minor) || minor < 0 || minor > 999_999_999_999) throw new RangeError('amount out of range');
  return String(minor).padStart(12, '0');
};
export const stan6 = (n: number) => String(n % 1_000_000).padStart(6, '0');

function common(id: TerminalIdentity, stan: string, now: Date): Record<number, string> {
  return {
    7: transmissionDateTime(now),
    11: stan,
    12: localTime(now),
    13: localDate(now),
    32: id.acquirerId,
    41: id.terminalId.padEnd(8, ' '),
    42: id.acceptorId.padEnd(15, ' '),
    43: id.location.padEnd(40, ' ').slice(0, 40),
  };
}

export interface FinancialRequest {
  mti: '0100' | '0200';
  processingCode: string;
  amount: number;
  card: CardFields;
  pinBlock?: Uint8Array;
  stan: string;
  now: Date;
  posEntryMode: string;
  icc?: Uint8Array;
  /** Network-private fields (e.g. 48 for PIN change, statement, cardless references). */
  extraFields?: Record<number, string | Buffer>;
}

export function buildFinancialRequest(r: FinancialRequest, id: TerminalIdentity, profile: HostProfile): IsoMessage {
  const fields: Record<number, string | Buffer> = {
    ...common(id, r.stan, r.now),
    3: r.processingCode,
    4: amount12(r.amount),
    18: profile.mcc,
    22: r.posEntryMode,
    25: profile.posCondition,
    49: id.currencyNumeric,
  };
  // Cardless status inquiries carry no card: no field 2, 14 or 35.
  if (r.card.pan) fields[2] = r.card.pan;
  if (r.card.expiry) fields[14] = r.card.expiry;
  if (r.card.track2) fields[35] = r.card.track2;
  if (r.extraFields) Object.assign(fields, r.extraFields);
  if (r.pinBlock) fields[52] = Buffer.from(r.pinBlock);
  if (r.icc) fields[55] = Buffer.from(r.icc);
  return { mti: r.mti, fields };
}

/** The two accounts of a card a transfer moves money between. */
export type AccountKind = 'savings' | 'checking';

/** Transfer processing code: the profile's transfer class (first two digits) + from type + to type. */
export function transferProcessingCode(profile: HostProfile, from: AccountKind, to: AccountKind): string {
  return profile.processingCodes.transfer.slice(0, 2) + profile.accountTypes[from] + profile.accountTypes[to];
}

/** Reads the account type of processing code positions 3-4 (`from`) or 5-6 (`to`); null when not savings/checking. */
export function accountKindOf(profile: HostProfile, processingCode: string, which: 'from' | 'to'): AccountKind | null {
  const t = which === 'from' ? processingCode.slice(2, 4) : processingCode.slice(4, 6);
  if (t === profile.accountTypes.savings) return 'savings';
  if (t === profile.accountTypes.checking) return 'checking';
  return null;
}

/** What a reversal needs, persisted in the store-and-forward queue. Deliberately no PAN or track data. */
export interface ReversalData extends Record<string, string> {
  processingCode: string;
  amount: string;
  /** What the customer actually received (for field 95), 12 digits. */
  dispensed: string;
  originalStan: string;
  originalDateTime: string;
  originalMti: string;
  reason: string;
  rrn: string;
}

export function buildReversalAdvice(rev: ReversalData, repeat: boolean, stan: string, now: Date, id: TerminalIdentity): IsoMessage {
  const fields: Record<number, string | Buffer> = {
    ...common(id, stan, now),
    3: rev.processingCode,
    4: rev.amount,
    39: rev.reason,
    49: id.currencyNumeric,
    90: rev.originalMti + rev.originalStan + rev.originalDateTime + id.acquirerId.padStart(11, '0') + '0'.repeat(11),
  };
  if (rev.rrn) fields[37] = rev.rrn;
  if (rev.dispensed !== '000000000000') fields[95] = rev.dispensed + '0'.repeat(12) + 'C00000000' + 'C00000000';
  return { mti: repeat ? '0421' : '0420', fields };
}

/** 0800 network management: field 70 = code (sign-on 001, sign-off 002, echo 301, key exchange per profile). */
export function buildNetworkRequest(code: string, stan: string, now: Date, id: TerminalIdentity): IsoMessage {
  return { mti: '0800', fields: { 7: transmissionDateTime(now), 11: stan, 41: id.terminalId.padEnd(8, ' '), 70: code } };
}

export interface HostReply {
  responseCode: string;
  authCode?: string;
  rrn?: string;
  /** From field 54: ledger (01) and available (02) balances, minor units, signed. */
  ledgerBalance?: number;
  availableBalance?: number;
}

export function readReply(msg: IsoMessage): HostReply {
  const s = (n: number) => {
    const v = msg.fields[n];
    return typeof v === 'string' ? v : undefined;
  };
  const reply: HostReply = { responseCode: s(39) ?? '96' };
  const auth = s(38)?.trim();
  if (auth) reply.authCode = auth;
  const rrn = s(37)?.trim();
  if (rrn) reply.rrn = rrn;
  const f54 = s(54);
  if (f54) {
    for (let i = 0; i + 20 <= f54.length; i += 20) {
      const block = f54.slice(i, i + 20);
      const type = block.slice(2, 4);
      const sign = block[7] === 'D' ? -1 : 1;
      const value = Number(block.slice(8, 20));
      if (!Number.isFinite(value)) continue;
      if (type === '01') reply.ledgerBalance = sign * value;
      if (type === '02') reply.availableBalance = sign * value;
    }
  }
  return reply;
}

/** Field 54 block: account type(2) amount type(2) currency(3) C/D(1) amount(12). */
export function balanceBlock(accountType: string, amountType: '01' | '02', currency: string, minor: number): string {
  return `${accountType}${amountType}${currency}${minor < 0 ? 'D' : 'C'}${String(Math.abs(minor)).padStart(12, '0')}`;
}

export interface StatementEntry {
  /** YYMMDD */
  date: string;
  sign: 'C' | 'D';
  /** Minor units. */
  amount: number;
  description: string;
}

/** Mini statement entries newest first, at most 10: `YYMMDD` + C|D + amount n12 + description (12, right-padded), joined by ';'. */
export function formatStatement(entries: readonly StatementEntry[], max = 10): string {
  return entries
    .slice(0, max)
    .map((e) => {
      if (!/^\d{6}$/.test(e.date)) throw new RangeError('statement date must be YYMMDD');
      const desc = e.description.replace(/[^\x20-\x3a\x3c-\x7e]/g, ' ').slice(0, 12).padEnd(12, ' ');
      return `${e.date}${e.sign}${amount12(e.amount)}${desc}`;
    })
    .join(';');
}

/** Mini statement in field 48: entries `YYMMDD` + C|D + amount n12 + description an12, joined by ';'. */
export function parseStatement(field48: string): StatementEntry[] {
  const out: StatementEntry[] = [];
  for (const raw of field48.split(';')) {
    const m = /^(\d{6})([CD])(\d{12})(.{0,12})$/.exec(raw);
    if (!m) continue;
    out.push({ date: m[1]!, sign: m[2] as 'C' | 'D', amount: Number(m[3]), description: m[4]!.trimEnd() });
  }
  return out;
}

/** PIN change: the private field value carrying the new PIN block (tag + 16 upper-case hex). */
export function newPinBlockField(profile: HostProfile, newPinBlock: Uint8Array): Record<number, string> {
  if (newPinBlock.length !== 8) throw new RangeError('new PIN block must be 8 bytes (format 0)');
  return { [profile.privateFields.newPinBlock]: profile.tags.newPinBlock + Buffer.from(newPinBlock).toString('hex').toUpperCase() };
}

export type CardlessKind = 'qr' | 'code';

/** Cardless: the private field value carrying a QR reference or a one-time code. */
export function cardlessReferenceField(profile: HostProfile, kind: CardlessKind, reference: string): Record<number, string> {
  return { [profile.privateFields.cardlessReference]: (kind === 'qr' ? profile.tags.qr : profile.tags.oneTimeCode) + reference };
}

/** Reads a cardless reference back (host side). Null when the value carries neither tag. */
export function parseCardlessReference(profile: HostProfile, value: string | Buffer | undefined): { kind: CardlessKind; reference: string } | null {
  if (typeof value !== 'string') return null;
  if (value.startsWith(profile.tags.qr) && value.length > profile.tags.qr.length) return { kind: 'qr', reference: value.slice(profile.tags.qr.length) };
  if (value.startsWith(profile.tags.oneTimeCode) && value.length > profile.tags.oneTimeCode.length) return { kind: 'code', reference: value.slice(profile.tags.oneTimeCode.length) };
  return null;
}

/** Cardless status approval: field 2 = the PAN confirmed in the wallet, field 4 = the confirmed amount. */
export function readCardlessConfirmation(fields: Record<number, string | Buffer>): { pan: string; amount: number } | null {
  const pan = fields[2];
  const amount = Number(typeof fields[4] === 'string' ? fields[4] : NaN);
  if (typeof pan !== 'string' || !/^\d{12,19}$/.test(pan) || !Number.isSafeInteger(amount) || amount <= 0) return null;
  return { pan, amount };
}
