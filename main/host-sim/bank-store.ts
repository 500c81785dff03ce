/**
 * The embedded host simulator's bank: accounts, cards, balances, daily limits, PIN offsets, and the log of
 * authorisations it has approved (for duplicate detection and reversals). SQLite, like a real switch's
 * store. Cards are keyed by HMAC-SHA256 of the PAN so the file holds no readable PAN.
 */
import { createHmac } from 'node:crypto';
import type { Db } from '../../journals/database';
import { openDatabase } from '../../journals/database';
import { maskPan } from '../../journals/pan';

/** 'blocked' is the do-not-honour flag (05). */
export type AccountStatus = 'active' | 'lost' | 'stolen' | 'blocked';
/** PIN verification method: IBM 3624 offset, or Visa PVV (PVKI + 4-digit PVV). */
export type PinMethod = 'ibm3624' | 'visa-pvv';
/** One-time code withdrawals: PIN required, or verified only when the ATM sends one. */
export type CardlessPinPolicy = 'required' | 'optional';
/** The two accounts behind a card: `balance` is checking (withdrawals debit it), `savings` is the second one. */
export type BankAccount = 'checking' | 'savings';

export interface Account {
  id: number;
  cardKey: string;
  maskedPan: string;
  expiry: string;
  status: AccountStatus;
  pinMethod: PinMethod;
  /** IBM 3624 offset, or the Visa PVV. */
  pinOffset: string;
  pvki: string;
  cardlessPin: CardlessPinPolicy;
  pinTries: number;
  /** Checking (current) account balance. */
  balance: number;
  /** Savings account balance (transfers only). */
  savings: number;
  dailyLimit: number;
  withdrawnToday: number;
  day: string;
}

export interface AuthRecord {
  terminal: string;
  stan: string;
  transmissionDateTime: string;
  mti: string;
  accountId: number | null;
  amount: number;
  responseCode: string;
  authCode: string | null;
  rrn: string | null;
  reversedAmount: number;
  /** Set for an approved funds transfer: the accounts it moved money from and to (a reversal moves it back). */
  transfer?: { from: BankAccount; to: BankAccount };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  id INTEGER PRIMARY KEY,
  card_key TEXT UNIQUE NOT NULL,
  masked_pan TEXT NOT NULL,
  expiry TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  pin_offset TEXT NOT NULL,
  pin_tries INTEGER NOT NULL DEFAULT 0,
  balance INTEGER NOT NULL,
  daily_limit INTEGER NOT NULL,
  withdrawn_today INTEGER NOT NULL DEFAULT 0,
  day TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS authorizations (
  terminal TEXT NOT NULL,
  stan TEXT NOT NULL,
  transmission_dt TEXT NOT NULL,
  mti TEXT NOT NULL,
  account_id INTEGER,
  amount INTEGER NOT NULL,
  response_code TEXT NOT NULL,
  auth_code TEXT,
  rrn TEXT,
  reversed_amount INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (terminal, stan, transmission_dt)
);
CREATE TABLE IF NOT EXISTS ledger (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  delta INTEGER NOT NULL,
  reason TEXT NOT NULL,
  terminal TEXT NOT NULL,
  stan TEXT NOT NULL,
  at TEXT NOT NULL
);
`;

/** Columns added after the first release: (name, definition), added when missing. */
const ACCOUNT_COLUMNS: Array<[string, string]> = [
  ['pin_method', "TEXT NOT NULL DEFAULT 'ibm3624'"],
  ['pvki', "TEXT NOT NULL DEFAULT '1'"],
  ['cardless_pin', "TEXT NOT NULL DEFAULT 'optional'"],
  ['savings_balance', 'INTEGER NOT NULL DEFAULT 0'],
];
/** Ledger rows name the account they move (rows from before savings existed are checking). */
const LEDGER_COLUMNS: Array<[string, string]> = [['account', "TEXT NOT NULL DEFAULT 'checking'"]];
/** A transfer's authorisation records its accounts ('' for anything else). */
const AUTH_COLUMNS: Array<[string, string]> = [
  ['transfer_from', "TEXT NOT NULL DEFAULT ''"],
  ['transfer_to', "TEXT NOT NULL DEFAULT ''"],
];

/** Ledger reasons that are not cash at a terminal (excluded from net debits): a transfer moves no cash. */
const NON_CASH = "('opening', 'adjustment', 'transfer', 'transfer-reversal')";

const COLUMN: Record<BankAccount, string> = { checking: 'balance', savings: 'savings_balance' };

export interface LedgerEntry {
  delta: number;
  reason: string;
  at: string;
}

function addColumns(db: Db, table: string, columns: Array<[string, string]>): void {
  const have = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name));
  for (const [name, defn] of columns) if (!have.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${defn}`);
}

export class BankStore {
  readonly db: Db;
  constructor(
    path: string,
    private readonly cardSecret: Buffer,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.db = openDatabase(path);
    this.db.exec(SCHEMA);
    addColumns(this.db, 'accounts', ACCOUNT_COLUMNS);
    addColumns(this.db, 'ledger', LEDGER_COLUMNS);
    addColumns(this.db, 'authorizations', AUTH_COLUMNS);
  }

  cardKey(pan: string): string {
    return createHmac('sha256', this.cardSecret).update(pan).digest('hex');
  }

  /** Creates the account once (with an opening-balance ledger entry); an existing account is left as is. */
  upsertAccount(a: { pan: string; expiry: string; status: AccountStatus; pinOffset: string; balance: number; savings?: number; dailyLimit: number; pinMethod?: PinMethod; pvki?: string; cardlessPin?: CardlessPinPolicy }): void {
    const key = this.cardKey(a.pan);
    const exists = this.db.prepare('SELECT id FROM accounts WHERE card_key = ?').get(key);
    if (exists) return;
    this.db.transaction(() => {
      const r = this.db
        .prepare('INSERT INTO accounts (card_key, masked_pan, expiry, status, pin_offset, balance, savings_balance, daily_limit, pin_method, pvki, cardless_pin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(key, maskPan(a.pan), a.expiry, a.status, a.pinOffset, a.balance, a.savings ?? 0, a.dailyLimit, a.pinMethod ?? 'ibm3624', a.pvki ?? '1', a.cardlessPin ?? 'optional');
      this.ledger(Number(r.lastInsertRowid), a.balance, 'opening', '', '');
      if (a.savings) this.ledger(Number(r.lastInsertRowid), a.savings, 'opening', '', '', 'savings');
    })();
  }

  private ledger(accountId: number, delta: number, reason: string, terminal: string, stan: string, account: BankAccount = 'checking'): void {
    this.db
      .prepare('INSERT INTO ledger (account_id, delta, reason, terminal, stan, at, account) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(accountId, delta, reason, terminal, stan, this.now().toISOString(), account);
  }

  setStatus(id: number, status: AccountStatus): void {
    this.db.prepare('UPDATE accounts SET status = ? WHERE id = ?').run(status, id);
  }

  /** Sets the balance (test/fascia control), recorded in the ledger as an adjustment. */
  setBalance(id: number, balance: number): void {
    this.db.transaction(() => {
      const a = this.getAccount(id);
      if (!a) return;
      this.db.prepare('UPDATE accounts SET balance = ? WHERE id = ?').run(balance, id);
      if (balance !== a.balance) this.ledger(id, balance - a.balance, 'adjustment', '', '');
    })();
  }

  setDailyLimit(id: number, limit: number): void {
    this.db.prepare('UPDATE accounts SET daily_limit = ? WHERE id = ?').run(limit, id);
  }

  setCardlessPin(id: number, policy: CardlessPinPolicy): void {
    this.db.prepare('UPDATE accounts SET cardless_pin = ? WHERE id = ?').run(policy, id);
  }

  /** Stores a new PIN reference (offset or PVV) and resets the tries. */
  setPinReference(id: number, method: PinMethod, reference: string, pvki?: string): void {
    this.db.prepare('UPDATE accounts SET pin_method = ?, pin_offset = ?, pvki = COALESCE(?, pvki), pin_tries = 0 WHERE id = ?').run(method, reference, pvki ?? null, id);
  }

  /** Most recent ledger entries of an account (checking unless `account` says savings), newest first. */
  recentLedger(id: number, limit = 10, account: BankAccount = 'checking'): LedgerEntry[] {
    return this.db.prepare('SELECT delta, reason, at FROM ledger WHERE account_id = ? AND account = ? ORDER BY id DESC LIMIT ?').all(id, account, limit) as LedgerEntry[];
  }

  findByPan(pan: string): Account | null {
    const r = this.db.prepare('SELECT * FROM accounts WHERE card_key = ?').get(this.cardKey(pan)) as Record<string, unknown> | undefined;
    return r ? toAccount(r) : null;
  }

  getAccount(id: number): Account | null {
    const r = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r ? toAccount(r) : null;
  }

  balanceOfPan(pan: string): number | null {
    return this.findByPan(pan)?.balance ?? null;
  }

  savingsOfPan(pan: string): number | null {
    return this.findByPan(pan)?.savings ?? null;
  }

  /**
   * Moves `amount` from one account of the card to the other within one SQLite transaction with both ledger rows
   * (reason 'transfer', not cash) and the authorisation record. False (nothing changed) when `from` lacks the funds.
   */
  transfer(id: number, from: BankAccount, to: BankAccount, amount: number, rec: AuthRecord): boolean {
    if (from === to || amount <= 0) throw new RangeError('transfer needs two different accounts and a positive amount');
    return this.db.transaction(() => {
      const moved = this.db.prepare(`UPDATE accounts SET ${COLUMN[from]} = ${COLUMN[from]} - ?, ${COLUMN[to]} = ${COLUMN[to]} + ? WHERE id = ? AND ${COLUMN[from]} >= ?`).run(amount, amount, id, amount);
      if (moved.changes !== 1) return false;
      this.ledger(id, -amount, 'transfer', rec.terminal, rec.stan, from);
      this.ledger(id, amount, 'transfer', rec.terminal, rec.stan, to);
      this.saveAuth({ ...rec, transfer: { from, to } });
      return true;
    })();
  }

  setPinTries(id: number, tries: number): void {
    this.db.prepare('UPDATE accounts SET pin_tries = ? WHERE id = ?').run(tries, id);
  }

  /** Debits within one SQLite transaction with the authorisation record; resets the daily counter at day change. */
  debit(id: number, amount: number, day: string, rec: AuthRecord, reason: 'withdrawal' | 'cardless' = 'withdrawal'): void {
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE accounts SET balance = balance - ?, withdrawn_today = CASE WHEN day = ? THEN withdrawn_today + ? ELSE ? END, day = ? WHERE id = ?`)
        .run(amount, day, amount, amount, day, id);
      this.ledger(id, -amount, reason, rec.terminal, rec.stan);
      this.saveAuth(rec);
    })();
  }

  saveAuth(rec: AuthRecord): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO authorizations (terminal, stan, transmission_dt, mti, account_id, amount, response_code, auth_code, rrn, reversed_amount, transfer_from, transfer_to)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(rec.terminal, rec.stan, rec.transmissionDateTime, rec.mti, rec.accountId, rec.amount, rec.responseCode, rec.authCode, rec.rrn, rec.reversedAmount, rec.transfer?.from ?? '', rec.transfer?.to ?? '');
  }

  findAuth(terminal: string, stan: string, transmissionDateTime: string): AuthRecord | null {
    const r = this.db.prepare('SELECT * FROM authorizations WHERE terminal = ? AND stan = ? AND transmission_dt = ?').get(terminal, stan, transmissionDateTime) as Record<string, unknown> | undefined;
    return r ? toAuth(r) : null;
  }

  /** Restores `credit` to the account of an approved authorisation; idempotent per original (never twice). */
  reverse(orig: AuthRecord, credit: number, day: string, stan: string): number {
    return this.db.transaction(() => {
      const current = this.findAuth(orig.terminal, orig.stan, orig.transmissionDateTime);
      if (!current || current.accountId === null || current.responseCode !== '00') return 0;
      const due = Math.max(0, Math.min(credit, current.amount) - current.reversedAmount);
      if (due === 0) return 0;
      if (current.transfer) {
        // A transfer moves back (even if that takes the "to" account below zero: the money was never the customer's).
        const { from, to } = current.transfer;
        this.db.prepare(`UPDATE accounts SET ${COLUMN[from]} = ${COLUMN[from]} + ?, ${COLUMN[to]} = ${COLUMN[to]} - ? WHERE id = ?`).run(due, due, current.accountId);
        this.db.prepare('UPDATE authorizations SET reversed_amount = reversed_amount + ? WHERE terminal = ? AND stan = ? AND transmission_dt = ?').run(due, orig.terminal, orig.stan, orig.transmissionDateTime);
        this.ledger(current.accountId, due, 'transfer-reversal', orig.terminal, stan, from);
        this.ledger(current.accountId, -due, 'transfer-reversal', orig.terminal, stan, to);
        return due;
      }
      this.db
        .prepare(`UPDATE accounts SET balance = balance + ?, withdrawn_today = CASE WHEN day = ? THEN MAX(0, withdrawn_today - ?) ELSE withdrawn_today END WHERE id = ?`)
        .run(due, day, due, current.accountId);
      this.db.prepare('UPDATE authorizations SET reversed_amount = reversed_amount + ? WHERE terminal = ? AND stan = ? AND transmission_dt = ?').run(due, orig.terminal, orig.stan, orig.transmissionDateTime);
      this.ledger(current.accountId, due, 'reversal', orig.terminal, stan);
      return due;
    })();
  }

  /** Net debits per terminal (for the invariant check: cash delivered = net debits). */
  netDebits(terminal?: string): number {
    const r = (terminal
      ? this.db.prepare(`SELECT COALESCE(SUM(-delta), 0) AS n FROM ledger WHERE terminal = ? AND reason NOT IN ${NON_CASH}`).get(terminal)
      : this.db.prepare(`SELECT COALESCE(SUM(-delta), 0) AS n FROM ledger WHERE reason NOT IN ${NON_CASH}`).get()) as { n: number };
    return r.n;
  }

  close(): void {
    this.db.close();
  }
}

function toAccount(r: Record<string, unknown>): Account {
  return {
    id: r.id as number,
    cardKey: r.card_key as string,
    maskedPan: r.masked_pan as string,
    expiry: r.expiry as string,
    status: r.status as AccountStatus,
    pinMethod: r.pin_method as PinMethod,
    pinOffset: r.pin_offset as string,
    pvki: r.pvki as string,
    cardlessPin: r.cardless_pin as CardlessPinPolicy,
    pinTries: r.pin_tries as number,
    balance: r.balance as number,
    savings: (r.savings_balance as number | undefined) ?? 0,
    dailyLimit: r.daily_limit as number,
    withdrawnToday: r.withdrawn_today as number,
    day: r.day as string,
  };
}

function toAuth(r: Record<string, unknown>): AuthRecord {
  return {
    terminal: r.terminal as string,
    stan: r.stan as string,
    transmissionDateTime: r.transmission_dt as string,
    mti: r.mti as string,
    accountId: (r.account_id as number | null) ?? null,
    amount: r.amount as number,
    responseCode: r.response_code as string,
    authCode: (r.auth_code as string | null) ?? null,
    rrn: (r.rrn as string | null) ?? null,
    reversedAmount: r.reversed_amount as number,
    ...(isAccount(r.transfer_from) && isAccount(r.transfer_to) ? { transfer: { from: r.transfer_from, to: r.transfer_to } } : {}),
  };
}

function isAccount(v: unknown): v is BankAccount {
  return v === 'checking' || v === 'savings';
}
