/**
 * The simulated issuer's decisions for one request: duplicates (94), card status (14 unknown, 41/43 lost/stolen,
 * 05 do not honour), expiry (54), PIN (55/75, IBM 3624 or Visa PVV per account), daily limit with day rollover
 * (61), funds (51), cardless references (09/13/14), funds transfers between the card's checking and savings accounts
 * (processing code 40 + from + to: 12 unknown pair, 13 amount, 51 funds), and reversals (full or partial by field 95;
 * a transfer moves back). Pure logic over
 * the BankStore and the cardless registry; the TCP server (host-simulator.ts) frames, MACs and injects faults.
 */
import type { IsoMessage } from '../host/iso8583';
import { accountKindOf, parseCardlessReference } from '../host/messages';
import type { HostProfile } from '../host/profile';
import type { Account, AuthRecord, BankStore } from './bank-store';
import type { CardlessRegistry } from './cardless-registry';
import { authorizeChip } from './emv-authorization';
import { balances, cardlessStatus, changePin, statement, type ServiceResult } from './issuer-services';
import { checkPin, type IssuerKeys } from './pin-check';

export { pinParams, type IssuerKeys } from './pin-check';

export interface IssuerOptions {
  keys: IssuerKeys;
  maxPinTries: number;
  currencyNumeric: string;
  now: () => Date;
  profile: HostProfile;
  cardless: CardlessRegistry;
  /** Answers a key exchange 0800: the private field and the TR-31 block, or null when not configured. */
  keyExchange?: () => { field: number; block: string } | null;
}

const str = (m: IsoMessage, n: number): string | undefined => {
  const v = m.fields[n];
  return typeof v === 'string' ? v : undefined;
};

const ECHO = [2, 3, 4, 7, 11, 12, 13, 32, 41, 42, 49];

export class Issuer {
  private rrnSeq = 0;
  constructor(
    private readonly bank: BankStore,
    private readonly o: IssuerOptions,
  ) {}

  handle(req: IsoMessage): IsoMessage | null {
    switch (req.mti) {
      case '0800':
        return this.network(req);
      case '0100':
      case '0200':
        return this.authorizeWithChip(req);
      case '0400':
      case '0401':
        return this.reversal(req, '0410');
      case '0420':
      case '0421':
        return this.reversal(req, '0430');
      default:
        // Unknown class/function: answer with a format error where a response MTI exists.
        if (/^0[1-8][02]0$/.test(req.mti)) return this.reply(req, req.mti.slice(0, 2) + String(Number(req.mti[2]) + 1) + req.mti[3], '12', [7, 11, 41]);
        return null;
    }
  }

  reply(req: IsoMessage, mti: string, rc: string, echo: number[], extra: Record<number, string | Buffer> = {}): IsoMessage {
    const fields: Record<number, string | Buffer> = {};
    for (const f of echo) if (req.fields[f] !== undefined) fields[f] = req.fields[f]!;
    fields[39] = rc;
    return { mti, fields: { ...fields, ...extra } };
  }

  private network(req: IsoMessage): IsoMessage {
    const codes = this.o.profile.networkCodes;
    const code = str(req, 70) ?? '';
    const echo = [7, 11, 41, 70];
    if (code === codes.keyExchange) {
      const kx = this.o.keyExchange?.() ?? null;
      return kx ? this.reply(req, '0810', '00', echo, { [kx.field]: kx.block }) : this.reply(req, '0810', '12', echo);
    }
    return this.reply(req, '0810', [codes.signOn, codes.signOff, codes.echo].includes(code) ? '00' : '12', echo);
  }

  /** Chip transactions (field 55): the ARQC must verify before anything else; every answer carries the ARPC. */
  private authorizeWithChip(req: IsoMessage): IsoMessage {
    const icc = req.fields[55];
    if (!(icc instanceof Buffer)) return this.authorize(req);
    const pan = str(req, 2) ?? '';
    const chip = authorizeChip(icc, pan, str(req, 23) ?? '00');
    if (!chip.ok) return this.reply(req, req.mti === '0100' ? '0110' : '0210', '05', ECHO);
    const resp = this.authorize(req);
    const rc = typeof resp.fields[39] === 'string' ? resp.fields[39] : '05';
    return { ...resp, fields: { ...resp.fields, 55: chip.respond(rc) } };
  }

  private isType(pc: string, code: string): boolean {
    return pc.slice(0, 2) === code.slice(0, 2);
  }

  private authorize(req: IsoMessage): IsoMessage {
    const respMti = req.mti === '0100' ? '0110' : '0210';
    const rec = { terminal: str(req, 41) ?? '', stan: str(req, 11) ?? '', transmissionDateTime: str(req, 7) ?? '', mti: req.mti };
    const amount = Number(str(req, 4) ?? '0');
    const pan = str(req, 2) ?? '';
    const pc = str(req, 3) ?? '';
    const codes = this.o.profile.processingCodes;
    const decline = (rc: string, accountId: number | null = null) => {
      this.bank.saveAuth({ ...rec, accountId, amount, responseCode: rc, authCode: null, rrn: null, reversedAmount: 0 });
      return this.reply(req, respMti, rc, ECHO);
    };
    if (this.bank.findAuth(rec.terminal, rec.stan, rec.transmissionDateTime)) return this.reply(req, respMti, '94', ECHO);
    if (req.mti === '0100' && this.isType(pc, codes.cardlessInquiry)) {
      const r = cardlessStatus(this.o.cardless, this.o.profile, req);
      return this.reply(req, respMti, r.rc, ECHO, r.extra);
    }
    if (!/^\d{12,19}$/.test(pan) || !Number.isSafeInteger(amount)) return decline('30');
    const acct = this.bank.findByPan(pan);
    if (!acct) return decline('14');
    if (acct.status === 'stolen') return decline('43', acct.id);
    if (acct.status === 'lost') return decline('41', acct.id);
    if (acct.status === 'blocked') return decline('05', acct.id);
    const now = this.o.now();
    const yymm = `${String(now.getUTCFullYear() % 100).padStart(2, '0')}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    if ((str(req, 14) ?? acct.expiry) < yymm) return decline('54', acct.id);
    const cardless = req.mti === '0200' ? parseCardlessReference(this.o.profile, req.fields[this.o.profile.privateFields.cardlessReference]) : null;
    if (cardless) {
      const entry = this.o.cardless.get(cardless.kind, cardless.reference);
      if (!entry || entry.state !== 'confirmed' || entry.pan !== pan) return decline('14', acct.id);
      if (entry.amount !== amount) return decline('13', acct.id);
    }
    const needPin = !cardless || cardless.kind === 'qr' || acct.cardlessPin === 'required' || req.fields[52] !== undefined;
    if (needPin) {
      const rc = checkPin(this.bank, this.o.keys, this.o.maxPinTries, acct, pan, req.fields[52]);
      if (rc) return decline(rc, acct.id);
    }
    const approve = (r: ServiceResult, amountRecorded = 0) => {
      if (r.rc !== '00') return decline(r.rc, acct.id);
      const rrn = this.nextRrn(now);
      const authCode = String(100000 + ((Number(rec.stan) * 7919) % 900000));
      this.bank.saveAuth({ ...rec, accountId: acct.id, amount: amountRecorded, responseCode: '00', authCode, rrn, reversedAmount: 0 });
      return this.reply(req, respMti, '00', ECHO, { 37: rrn, 38: authCode, ...r.extra });
    };
    // Balance of the account type in the processing code: savings when asked for, checking otherwise.
    const f54 = (a: Account) => balances(pc, this.o.currencyNumeric, accountKindOf(this.o.profile, pc, 'from') === 'savings' ? a.savings : a.balance);
    if (req.mti === '0100') {
      if (this.isType(pc, codes.statement)) return approve({ rc: '00', extra: { 54: f54(acct), [this.o.profile.privateFields.statement]: statement(this.bank, acct) } });
      if (this.isType(pc, codes.pinChange)) return approve(changePin(this.bank, this.o.keys, this.o.profile, req, acct, pan));
      if (this.isType(pc, codes.balance) || pc.startsWith('30')) return approve({ rc: '00', extra: { 54: f54(acct) } });
      return decline('12', acct.id);
    }
    if (this.isType(pc, codes.transfer) && !cardless) return this.transfer(req, acct, amount, rec, now, decline);
    if (!this.isType(pc, codes.withdrawal)) return decline('12', acct.id);
    return this.withdraw(req, acct, amount, rec, now, cardless, decline);
  }

  private withdraw(
    req: IsoMessage,
    acct: Account,
    amount: number,
    rec: Pick<AuthRecord, 'terminal' | 'stan' | 'transmissionDateTime' | 'mti'>,
    now: Date,
    cardless: { kind: 'qr' | 'code'; reference: string } | null,
    decline: (rc: string, accountId?: number | null) => IsoMessage,
  ): IsoMessage {
    const pc = str(req, 3) ?? '';
    if (amount <= 0) return decline('13', acct.id);
    const day = now.toISOString().slice(0, 10);
    const withdrawnToday = acct.day === day ? acct.withdrawnToday : 0;
    if (withdrawnToday + amount > acct.dailyLimit) return decline('61', acct.id);
    if (amount > acct.balance) return decline('51', acct.id);
    const rrn = this.nextRrn(now);
    const authCode = String(100000 + ((Number(rec.stan) * 7919) % 900000));
    this.bank.debit(acct.id, amount, day, { ...rec, accountId: acct.id, amount, responseCode: '00', authCode, rrn, reversedAmount: 0 }, cardless ? 'cardless' : 'withdrawal');
    if (cardless) this.o.cardless.markUsed(cardless.kind, cardless.reference);
    const f54 = balances(pc, this.o.currencyNumeric, acct.balance - amount);
    return this.reply(req, '0210', '00', ECHO, { 37: rrn, 38: authCode, 54: f54 });
  }

  /**
   * Funds transfer between the card's two accounts, after the card and PIN checks: 12 for an account type pair that
   * is not savings/checking or from == to, 13 for a zero amount, 51 when the from-account lacks the funds. No daily
   * withdrawal limit (no cash). Both balances, both ledger rows and the authorisation in one SQLite transaction.
   */
  private transfer(
    req: IsoMessage,
    acct: Account,
    amount: number,
    rec: Pick<AuthRecord, 'terminal' | 'stan' | 'transmissionDateTime' | 'mti'>,
    now: Date,
    decline: (rc: string, accountId?: number | null) => IsoMessage,
  ): IsoMessage {
    const pc = str(req, 3) ?? '';
    const from = accountKindOf(this.o.profile, pc, 'from');
    const to = accountKindOf(this.o.profile, pc, 'to');
    if (!from || !to || from === to) return decline('12', acct.id);
    if (amount <= 0) return decline('13', acct.id);
    const available = from === 'savings' ? acct.savings : acct.balance;
    if (amount > available) return decline('51', acct.id);
    const rrn = this.nextRrn(now);
    const authCode = String(100000 + ((Number(rec.stan) * 7919) % 900000));
    if (!this.bank.transfer(acct.id, from, to, amount, { ...rec, accountId: acct.id, amount, responseCode: '00', authCode, rrn, reversedAmount: 0 })) return decline('51', acct.id);
    const after = this.bank.getAccount(acct.id)!;
    const f54 = balances(pc, this.o.currencyNumeric, from === 'savings' ? after.savings : after.balance);
    return this.reply(req, '0210', '00', ECHO, { 37: rrn, 38: authCode, 54: f54 });
  }

  /** Reversal request (0400/0401 -> 0410) or advice (0420/0421 -> 0430): the original by field 90, partial by 95. */
  private reversal(req: IsoMessage, respMti: '0410' | '0430'): IsoMessage {
    const echo = [3, 4, 7, 11, 32, 41, 42, 49, 90];
    const f90 = str(req, 90) ?? '';
    const terminal = str(req, 41) ?? '';
    if (f90.length !== 42) return this.reply(req, respMti, '30', echo);
    const orig = this.bank.findAuth(terminal, f90.slice(4, 10), f90.slice(10, 20));
    // Nothing to reverse (the original never reached us): acknowledge so the ATM stops repeating.
    if (!orig) return this.reply(req, respMti, '00', echo);
    const amount = Number(str(req, 4) ?? '0');
    const f95 = str(req, 95);
    const dispensed = f95 && /^\d{12}/.test(f95) ? Number(f95.slice(0, 12)) : 0;
    this.bank.reverse(orig, Math.max(0, amount - dispensed), this.o.now().toISOString().slice(0, 10), str(req, 11) ?? '');
    return this.reply(req, respMti, '00', echo);
  }

  private nextRrn(now: Date): string {
    this.rrnSeq = (this.rrnSeq + 1) % 1_000_000;
    const julian = Math.floor((now.getTime() - Date.UTC(now.getUTCFullYear(), 0, 0)) / 86_400_000);
    return `${String(now.getUTCFullYear() % 10)}${String(julian).padStart(3, '0')}${String(now.getUTCHours()).padStart(2, '0')}${String(this.rrnSeq).padStart(6, '0')}`;
  }
}

export type { AuthRecord };
