/**
 * Branch-staff operator accounts in the kiosk's SQLite database (table created idempotently here, so the
 * shared migration list is untouched). Passwords are numeric (typed on the encrypting PIN pad), hashed with
 * scrypt and a random 16-byte salt per operator, stored as `scrypt$N$r$p$salt$hash` (base64), compared in
 * constant time. An unknown operator id costs the same scrypt as a known one. After `maxFailures` wrong
 * passwords in a row the account locks until an admin unlocks it (which also sets a new one-time password).
 * Passwords never reach the journal, logs or screens; the journal gets operator ids and outcomes only, and
 * not even the id when it does not exist (an operator who typed the password into the id field).
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Db } from '../../journals/database';
import type { Journal } from '../../journals/journal';
import { isRole, type Role } from './roles';

export interface Operator {
  operatorId: string;
  role: Role;
  mustChange: boolean;
  failures: number;
  locked: boolean;
  disabled: boolean;
  lastLogin: string | null;
}

export type AuthResult =
  | { ok: true; operator: Operator }
  | { ok: false; reason: 'refused' | 'locked' | 'disabled' };

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

export class OperatorError extends Error {
  override name = 'OperatorError';
  constructor(
    readonly code: 'badId' | 'exists' | 'unknown' | 'weakPassword' | 'samePassword' | 'lastAdmin',
    message: string,
  ) {
    super(message);
  }
}

export const OPERATOR_ID = /^\d{3,8}$/;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS supervisor_operators (
    operator_id TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('custodian', 'technician', 'admin')),
    password_hash TEXT NOT NULL,
    must_change INTEGER NOT NULL DEFAULT 1,
    failures INTEGER NOT NULL DEFAULT 0,
    locked INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    last_login TEXT
  );`;

const DEFAULT_COST = { N: 1 << 15, r: 8, p: 1 };
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Hashes a password with a fresh random salt: `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string, cost: { N: number; r: number; p: number } = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

const HASH_FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export function isPasswordHash(s: string): boolean {
  const m = HASH_FORMAT.exec(s);
  if (!m) return false;
  const N = Number(m[1]);
  return N >= 1 << 14 && (N & (N - 1)) === 0 && Buffer.from(m[5]!, 'base64').length === KEYLEN && Buffer.from(m[4]!, 'base64').length >= 16;
}

/** Constant-time check of a password against a stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = HASH_FORMAT.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await scrypt(password, Buffer.from(m[4]!, 'base64'), expected.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Why a password is not acceptable (catalogue key), or null. Digits only: it is typed on the PIN pad. */
export function passwordProblem(password: string, operatorId: string, policy: PasswordPolicy): string | null {
  if (!/^\d+$/.test(password)) return 'sup.passwordDigits';
  if (password.length < policy.minLength || password.length > policy.maxLength) return 'sup.passwordLength';
  if (/^(\d)\1+$/.test(password)) return 'sup.passwordWeak';
  const ascending = '01234567890123456789';
  const descending = '98765432109876543210';
  if (ascending.includes(password) || descending.includes(password)) return 'sup.passwordWeak';
  if (password.includes(operatorId)) return 'sup.passwordWeak';
  return null;
}

interface Row {
  operator_id: string;
  role: string;
  password_hash: string;
  must_change: number;
  failures: number;
  locked: number;
  disabled: number;
  last_login: string | null;
}

function toOperator(r: Row): Operator {
  if (!isRole(r.role)) throw new Error(`operator ${r.operator_id} has an unknown role`);
  return { operatorId: r.operator_id, role: r.role, mustChange: r.must_change === 1, failures: r.failures, locked: r.locked === 1, disabled: r.disabled === 1, lastLogin: r.last_login };
}

export interface OperatorStoreOptions {
  maxFailures: number;
  policy: PasswordPolicy;
  /** scrypt cost for new hashes (stored with each hash, so verification always uses the stored cost). */
  cost?: { N: number; r: number; p: number };
  now?: () => Date;
}

export class OperatorStore {
  private readonly cost: { N: number; r: number; p: number };
  private readonly now: () => Date;
  /** Verified against when the operator id is unknown, so both cases cost one scrypt. */
  private readonly dummy: Promise<string>;

  constructor(
    private readonly db: Db,
    private readonly journal: Journal,
    readonly opts: OperatorStoreOptions,
  ) {
    db.exec(SCHEMA);
    this.cost = opts.cost ?? DEFAULT_COST;
    this.now = opts.now ?? (() => new Date());
    // Made up front, so even the first unknown id costs exactly one scrypt.
    this.dummy = hashPassword(randomBytes(8).toString('hex'), this.cost);
  }

  get policy(): PasswordPolicy {
    return this.opts.policy;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM supervisor_operators').get() as { n: number }).n;
  }

  get(operatorId: string): Operator | null {
    const r = this.db.prepare('SELECT * FROM supervisor_operators WHERE operator_id = ?').get(operatorId) as Row | undefined;
    return r ? toOperator(r) : null;
  }

  list(): Operator[] {
    return (this.db.prepare('SELECT * FROM supervisor_operators ORDER BY operator_id').all() as Row[]).map(toOperator);
  }

  /** First run: the configured (pre-hashed) admin, which must change its password at first login. */
  seedAdmin(operatorId: string, passwordHash: string, source: string): boolean {
    if (this.count() > 0) return false;
    if (!OPERATOR_ID.test(operatorId)) throw new OperatorError('badId', 'operator id must be 3 to 8 digits');
    if (!isPasswordHash(passwordHash)) throw new OperatorError('weakPassword', 'not an scrypt password hash (N >= 16384)');
    const ts = this.now().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO supervisor_operators (operator_id, role, password_hash, must_change, created, updated) VALUES (?, ?, ?, 1, ?, ?)')
        .run(operatorId, 'admin', passwordHash, ts, ts);
      this.journal.append('supervisor.operatorSeeded', { operator: operatorId, role: 'admin', source, mustChange: true });
    })();
    return true;
  }

  /** A new account (admin action). The initial password is one-time: the operator must change it at first login. */
  async create(operatorId: string, role: Role, password: string, by: string): Promise<Operator> {
    if (!OPERATOR_ID.test(operatorId)) throw new OperatorError('badId', 'operator id must be 3 to 8 digits');
    if (this.get(operatorId)) throw new OperatorError('exists', `operator ${operatorId} exists`);
    const problem = passwordProblem(password, operatorId, this.opts.policy);
    if (problem) throw new OperatorError('weakPassword', problem);
    const hash = await hashPassword(password, this.cost);
    const ts = this.now().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO supervisor_operators (operator_id, role, password_hash, must_change, created, updated) VALUES (?, ?, ?, 1, ?, ?)')
        .run(operatorId, role, hash, ts, ts);
      this.journal.append('supervisor.operatorCreated', { operator: operatorId, role, by });
    })();
    return this.get(operatorId)!;
  }

  /** Login check: constant time, counts failures, locks at the limit. */
  async authenticate(operatorId: string, password: string): Promise<AuthResult> {
    const row = OPERATOR_ID.test(operatorId)
      ? (this.db.prepare('SELECT * FROM supervisor_operators WHERE operator_id = ?').get(operatorId) as Row | undefined)
      : undefined;
    const good = await verifyPassword(password, row?.password_hash ?? (await this.dummy));
    if (!row) {
      this.journal.append('supervisor.login', { operator: null, result: 'unknownOperator' });
      return { ok: false, reason: 'refused' };
    }
    const op = toOperator(row);
    if (op.disabled) {
      this.journal.append('supervisor.login', { operator: op.operatorId, result: 'disabled' });
      return { ok: false, reason: 'disabled' };
    }
    if (op.locked) {
      this.journal.append('supervisor.login', { operator: op.operatorId, result: 'locked' });
      return { ok: false, reason: 'locked' };
    }
    const ts = this.now().toISOString();
    if (!good) {
      const failures = op.failures + 1;
      const locked = failures >= this.opts.maxFailures;
      this.db.transaction(() => {
        this.db.prepare('UPDATE supervisor_operators SET failures = ?, locked = ?, updated = ? WHERE operator_id = ?').run(failures, locked ? 1 : 0, ts, op.operatorId);
        this.journal.append('supervisor.login', { operator: op.operatorId, result: 'badPassword', failures });
        if (locked) this.journal.append('supervisor.operatorLocked', { operator: op.operatorId, failures });
      })();
      return { ok: false, reason: locked ? 'locked' : 'refused' };
    }
    this.db.transaction(() => {
      this.db.prepare('UPDATE supervisor_operators SET failures = 0, last_login = ?, updated = ? WHERE operator_id = ?').run(ts, ts, op.operatorId);
      this.journal.append('supervisor.login', { operator: op.operatorId, role: op.role, result: 'ok', mustChange: op.mustChange });
    })();
    return { ok: true, operator: this.get(op.operatorId)! };
  }

  /** The operator's own change (after a successful login). */
  async changePassword(operatorId: string, newPassword: string): Promise<void> {
    const row = this.db.prepare('SELECT * FROM supervisor_operators WHERE operator_id = ?').get(operatorId) as Row | undefined;
    if (!row) throw new OperatorError('unknown', `no operator ${operatorId}`);
    const problem = passwordProblem(newPassword, operatorId, this.opts.policy);
    if (problem) throw new OperatorError('weakPassword', problem);
    if (await verifyPassword(newPassword, row.password_hash)) throw new OperatorError('samePassword', 'sup.passwordReused');
    const hash = await hashPassword(newPassword, this.cost);
    const ts = this.now().toISOString();
    this.db.transaction(() => {
      this.db.prepare('UPDATE supervisor_operators SET password_hash = ?, must_change = 0, updated = ? WHERE operator_id = ?').run(hash, ts, operatorId);
      this.journal.append('supervisor.passwordChanged', { operator: operatorId });
    })();
  }

  /** Admin: unlock with a new one-time password (must be changed at next login). */
  async resetPassword(operatorId: string, password: string, by: string): Promise<void> {
    if (!this.get(operatorId)) throw new OperatorError('unknown', `no operator ${operatorId}`);
    const problem = passwordProblem(password, operatorId, this.opts.policy);
    if (problem) throw new OperatorError('weakPassword', problem);
    const hash = await hashPassword(password, this.cost);
    const ts = this.now().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE supervisor_operators SET password_hash = ?, must_change = 1, failures = 0, locked = 0, disabled = 0, updated = ? WHERE operator_id = ?')
        .run(hash, ts, operatorId);
      this.journal.append('supervisor.passwordReset', { operator: operatorId, by });
    })();
  }

  /** Admin: disable (never delete: the journal refers to operator ids). The last enabled admin cannot be disabled. */
  setDisabled(operatorId: string, disabled: boolean, by: string): void {
    const op = this.get(operatorId);
    if (!op) throw new OperatorError('unknown', `no operator ${operatorId}`);
    if (disabled && op.role === 'admin') {
      const admins = this.list().filter((o) => o.role === 'admin' && !o.disabled && o.operatorId !== operatorId);
      if (admins.length === 0) throw new OperatorError('lastAdmin', 'sup.lastAdmin');
    }
    this.db.transaction(() => {
      this.db.prepare('UPDATE supervisor_operators SET disabled = ?, updated = ? WHERE operator_id = ?').run(disabled ? 1 : 0, this.now().toISOString(), operatorId);
      this.journal.append(disabled ? 'supervisor.operatorDisabled' : 'supervisor.operatorEnabled', { operator: operatorId, by });
    })();
  }
}
