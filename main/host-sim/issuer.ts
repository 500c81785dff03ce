/**
 * The simulated issuer's decisions for one request: PIN verification (ISO 9564 format 0 under the zone PIN
 * key, then IBM 3624 offset), card status, expiry, limits, funds, duplicates and reversals. Pure logic over
 * the BankStore; the TCP server (host-simulator.ts) only frames and codes messages.
 */
import type { IsoMessage } from '../host/iso8583';
import { decryptPin } from '../crypto/pin-block-crypto';
import { ibm3624Verify, validationDataFromPan, type Ibm3624Params } from '../crypto/pin-verification';
import { balanceBlock } from '../host/messages';
import type { AuthRecord, BankStore } from './bank-store';
import { authorizeChip } from './emv-authorization';

export interface IssuerKeys {
  /** Zone PIN key shared with the ATM's PIN pad (TDES). */
  zpk: Uint8Array;
  /** PIN verification key (IBM 3624). */
  pvk: Uint8Array;
  decimalizationTable: string;
}

export interface IssuerOptions {
  keys: IssuerKeys;
  maxPinTries: number;
  currencyNumeric: string;
  now: () => Date;
}

export function pinParams(keys: IssuerKeys, pan: string): Ibm3624Params {
  return { pvk: keys.pvk, decimalizationTable: keys.decimalizationTable, validationData: validationDataFromPan(pan, 0, Math.min(16, pan.length - 1)), padChar: 'F' };
}

const str = (m: IsoMessage, n: number): string | undefined => {
  const v = m.fields[n];
  return typeof v === 'string' ? v : undefined;
};

export class Issuer {
  private rrnSeq = 0;
  constructor(
    private readonly bank: BankStore,
    private readonly o: IssuerOptions,
  ) {}

  handle(req: IsoMessage): IsoMessage | null {
    switch (req.mti) {
      case '0800':
        return this.reply(req, '0810', '00', [7, 11, 41, 70]);
      case '0100':
      case '0200':
        return this.authorizeWithChip(req);
      case '0420':
      case '0421':
        return this.reversal(req);
      default:
        // Unknown class/function: answer with a format error where a response MTI exists.
        if (/^0[1-8][02]0$/.test(req.mti)) return this.reply(req, req.mti.slice(0, 2) + String(Number(req.mti[2]) + 1) + req.mti[3], '12', [7, 11, 41]);
        return null;
    }
  }

  private reply(req: IsoMessage, mti: string, rc: string, echo: number[], extra: Record<number, string | Buffer> = {}): IsoMessage {
    const fields: Record<number, string | Buffer> = {};
    for (const f of echo) if (req.fields[f] !== undefined) fields[f] = req.fields[f]!;
    fields[39] = rc;
    return { mti, fields: { ...fields, ...extra } };
  }

  /** Chip transactions (field 55): the ARQC must verify before anything else; every answer carries the ARPC. */
  private authorizeWithChip(req: IsoMessage): IsoMessage {
    const icc = req.fields[55];
    if (!(icc instanceof Buffer)) return this.authorize(req);
    const pan = str(req, 2) ?? '';
    const chip = authorizeChip(icc, pan, str(req, 23) ?? '00');
    if (!chip.ok) {
      const respMti = req.mti === '0100' ? '0110' : '0210';
      return this.reply(req, respMti, '05', [2, 3, 4, 7, 11, 12, 13, 32, 41, 42, 49]);
    }
    const resp = this.authorize(req);
    const rc = typeof resp.fields[39] === 'string' ? resp.fields[39] : '05';
    return { ...resp, fields: { ...resp.fields, 55: chip.respond(rc) } };
  }

  private authorize(req: IsoMessage): IsoMessage {
    const respMti = req.mti === '0100' ? '0110' : '0210';
    const echo = [2, 3, 4, 7, 11, 12, 13, 32, 41, 42, 49];
    const terminal = str(req, 41) ?? '';
    const stan = str(req, 11) ?? '';
    const dt = str(req, 7) ?? '';
    const amount = Number(str(req, 4) ?? '0');
    const pan = str(req, 2) ?? '';
    const decline = (rc: string, accountId: number | null = null) => {
      this.bank.saveAuth({ terminal, stan, transmissionDateTime: dt, mti: req.mti, accountId, amount, responseCode: rc, authCode: null, rrn: null, reversedAmount: 0 });
      return this.reply(req, respMti, rc, echo);
    };
    const dup = this.bank.findAuth(terminal, stan, dt);
    if (dup) return this.reply(req, respMti, '94', echo);
    if (!/^\d{12,19}$/.test(pan) || !Number.isSafeInteger(amount)) return decline('30');
    const acct = this.bank.findByPan(pan);
    if (!acct) return decline('14');
    if (acct.status === 'stolen') return decline('43', acct.id);
    if (acct.status === 'lost') return decline('41', acct.id);
    if (acct.status === 'blocked') return decline('62', acct.id);
    const now = this.o.now();
    const expiry = str(req, 14) ?? acct.expiry;
    const yymm = `${String(now.getUTCFullYear() % 100).padStart(2, '0')}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    if (expiry < yymm) return decline('54', acct.id);
    if (acct.pinTries >= this.o.maxPinTries) return decline('75', acct.id);
    const pinBlock = req.fields[52];
    if (!(pinBlock instanceof Buffer) || pinBlock.length !== 8) return decline('55', acct.id);
    let pinOk = false;
    try {
      const pin = decryptPin(0, pinBlock, { alg: 'tdes', key: this.o.keys.zpk }, pan);
      pinOk = ibm3624Verify(pinParams(this.o.keys, pan), pin, acct.pinOffset);
    } catch {
      pinOk = false;
    }
    if (!pinOk) {
      const tries = acct.pinTries + 1;
      this.bank.setPinTries(acct.id, tries);
      return decline(tries >= this.o.maxPinTries ? '75' : '55', acct.id);
    }
    if (acct.pinTries) this.bank.setPinTries(acct.id, 0);
    const pc = str(req, 3) ?? '';
    const currency = this.o.currencyNumeric;
    const day = now.toISOString().slice(0, 10);
    const rrn = this.nextRrn(now);
    const authCode = String(Math.floor(100000 + (Number(stan) * 7919) % 900000)).slice(0, 6);
    if (req.mti === '0100' || pc.startsWith('31') || pc.startsWith('30')) {
      const f54 = balanceBlock(pc.slice(2, 4) || '00', '01', currency, acct.balance) + balanceBlock(pc.slice(2, 4) || '00', '02', currency, acct.balance);
      this.bank.saveAuth({ terminal, stan, transmissionDateTime: dt, mti: req.mti, accountId: acct.id, amount: 0, responseCode: '00', authCode, rrn, reversedAmount: 0 });
      return this.reply(req, respMti, '00', echo, { 37: rrn, 38: authCode, 54: f54 });
    }
    if (!pc.startsWith('01')) return decline('12', acct.id);
    if (amount <= 0) return decline('13', acct.id);
    const withdrawnToday = acct.day === day ? acct.withdrawnToday : 0;
    if (withdrawnToday + amount > acct.dailyLimit) return decline('61', acct.id);
    if (amount > acct.balance) return decline('51', acct.id);
    this.bank.debit(acct.id, amount, day, { terminal, stan, transmissionDateTime: dt, mti: req.mti, accountId: acct.id, amount, responseCode: '00', authCode, rrn, reversedAmount: 0 });
    const after = acct.balance - amount;
    const f54 = balanceBlock(pc.slice(2, 4) || '00', '01', currency, after) + balanceBlock(pc.slice(2, 4) || '00', '02', currency, after);
    return this.reply(req, respMti, '00', echo, { 37: rrn, 38: authCode, 54: f54 });
  }

  private reversal(req: IsoMessage): IsoMessage {
    const echo = [3, 4, 7, 11, 32, 41, 42, 49, 90];
    const f90 = str(req, 90) ?? '';
    const terminal = str(req, 41) ?? '';
    if (f90.length !== 42) return this.reply(req, '0430', '30', echo);
    const origStan = f90.slice(4, 10);
    const origDt = f90.slice(10, 20);
    const orig = this.bank.findAuth(terminal, origStan, origDt);
    if (!orig) {
      // Nothing to reverse (the original never reached us): acknowledge so the ATM stops repeating.
      return this.reply(req, '0430', '00', echo);
    }
    const amount = Number(str(req, 4) ?? '0');
    const f95 = str(req, 95);
    const dispensed = f95 && /^\d{12}/.test(f95) ? Number(f95.slice(0, 12)) : 0;
    const credit = Math.max(0, amount - dispensed);
    this.bank.reverse(orig, credit, this.o.now().toISOString().slice(0, 10), str(req, 11) ?? '');
    return this.reply(req, '0430', '00', echo);
  }

  private nextRrn(now: Date): string {
    this.rrnSeq = (this.rrnSeq + 1) % 1_000_000;
    const julian = Math.floor((now.getTime() - Date.UTC(now.getUTCFullYear(), 0, 0)) / 86_400_000);
    return `${String(now.getUTCFullYear() % 10)}${String(julian).padStart(3, '0')}${String(now.getUTCHours()).padStart(2, '0')}${String(this.rrnSeq).padStart(6, '0')}`;
  }
}

export type { AuthRecord };
