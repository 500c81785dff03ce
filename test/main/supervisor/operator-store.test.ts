/**
 * Operator accounts on a real SQLite database: scrypt hashing with per-user salts, constant-time verification,
 * lockout, password rules, first-admin seeding, roles and dual control. Nothing secret reaches the journal.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../journals/database';
import { Journal } from '../../../journals/journal';
import { hashPassword, isPasswordHash, OperatorError, OperatorStore, passwordProblem, verifyPassword } from '../../../main/supervisor/operator-store';
import { DualControl } from '../../../main/supervisor/dual-control';
import { can, ROLES } from '../../../main/supervisor/roles';

const POLICY = { minLength: 8, maxLength: 16 };
let db: Db;
let journal: Journal;
let store: OperatorStore;

beforeEach(() => {
  db = openDatabase(':memory:');
  journal = new Journal(db, 'T1');
  store = new OperatorStore(db, journal, { maxFailures: 3, policy: POLICY });
});

const rows = (kind: string) => journal.query({ kind }).map((e) => e.data);

describe('password hashing', () => {
  it('scrypt with a random salt per hash; verification is exact', async () => {
    const a = await hashPassword('31415926');
    const b = await hashPassword('31415926');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(isPasswordHash(a)).toBe(true);
    expect(await verifyPassword('31415926', a)).toBe(true);
    expect(await verifyPassword('31415927', a)).toBe(false);
    expect(await verifyPassword('3141592', a)).toBe(false);
    expect(await verifyPassword('31415926', 'not a hash')).toBe(false);
  });

  it('refuses weak hashes as a first admin (low cost, short salt)', async () => {
    const weak = await hashPassword('31415926', { N: 1024, r: 8, p: 1 });
    expect(isPasswordHash(weak)).toBe(false);
    expect(() => store.seedAdmin('1000', weak, 'config')).toThrow(OperatorError);
    expect(store.count()).toBe(0);
  });

  it('password rules: digits only, length, no repeats or runs, not the operator id', () => {
    expect(passwordProblem('31415926', '2001', POLICY)).toBeNull();
    expect(passwordProblem('3141592a', '2001', POLICY)).toBe('sup.passwordDigits');
    expect(passwordProblem('3141592', '2001', POLICY)).toBe('sup.passwordLength');
    expect(passwordProblem('31415926314159263', '2001', POLICY)).toBe('sup.passwordLength');
    expect(passwordProblem('77777777', '2001', POLICY)).toBe('sup.passwordWeak');
    expect(passwordProblem('23456789', '2001', POLICY)).toBe('sup.passwordWeak');
    expect(passwordProblem('87654321', '2001', POLICY)).toBe('sup.passwordWeak');
    expect(passwordProblem('99200199', '2001', POLICY)).toBe('sup.passwordWeak');
  });
});

describe('operator store', () => {
  it('first admin from a configured hash: seeded once, must change its password, journaled without the hash', async () => {
    const hash = await hashPassword('24681357');
    expect(store.seedAdmin('1000', hash, 'config')).toBe(true);
    expect(store.seedAdmin('1001', hash, 'config')).toBe(false);
    expect(store.list()).toEqual([expect.objectContaining({ operatorId: '1000', role: 'admin', mustChange: true })]);
    const r = await store.authenticate('1000', '24681357');
    expect(r).toMatchObject({ ok: true, operator: { mustChange: true } });
    await store.changePassword('1000', '97531864');
    expect(store.get('1000')!.mustChange).toBe(false);
    await expect(store.changePassword('1000', '97531864')).rejects.toThrow(/passwordReused/);
    expect(JSON.stringify(journal.query().map((e) => e.data))).not.toContain(hash.split('$')[5]);
  });

  it('locks after maxFailures wrong passwords in a row; a success in between resets the count', async () => {
    await store.create('2001', 'custodian', '31415926', 'admin1');
    expect(await store.authenticate('2001', '11112222')).toEqual({ ok: false, reason: 'refused' });
    expect(await store.authenticate('2001', '11112222')).toEqual({ ok: false, reason: 'refused' });
    expect((await store.authenticate('2001', '31415926')).ok).toBe(true);
    expect(store.get('2001')!.failures).toBe(0);
    for (let i = 0; i < 2; i++) expect(await store.authenticate('2001', '11112222')).toEqual({ ok: false, reason: 'refused' });
    expect(await store.authenticate('2001', '11112222')).toEqual({ ok: false, reason: 'locked' });
    expect(store.get('2001')).toMatchObject({ locked: true, failures: 3 });
    // The right password does not unlock it.
    expect(await store.authenticate('2001', '31415926')).toEqual({ ok: false, reason: 'locked' });
    expect(rows('supervisor.operatorLocked')).toEqual([{ operator: '2001', failures: 3 }]);
    await store.resetPassword('2001', '27182818', 'admin1');
    expect(store.get('2001')).toMatchObject({ locked: false, failures: 0, mustChange: true });
    expect((await store.authenticate('2001', '27182818')).ok).toBe(true);
    expect((await store.authenticate('2001', '31415926')).ok).toBe(false);
  });

  it('unknown ids cost a full scrypt, are refused like a wrong password and are not journaled', async () => {
    await store.create('2001', 'custodian', '31415926', 'admin1');
    await store.authenticate('2001', '11112222'); // warm up (dummy hash made once)
    const t0 = performance.now();
    expect(await store.authenticate('9999', '31415926')).toEqual({ ok: false, reason: 'refused' });
    const unknown = performance.now() - t0;
    const t1 = performance.now();
    await store.authenticate('2001', '11112222');
    const known = performance.now() - t1;
    // Both are dominated by one scrypt (tens of ms); an unknown id is not answered early.
    expect(unknown).toBeGreaterThan(known / 4);
    expect(rows('supervisor.login').at(-2)).toEqual({ operator: null, result: 'unknownOperator' });
    expect(JSON.stringify(journal.query().map((e) => e.data))).not.toContain('9999');
  });

  it('disabled operators cannot log in; the last admin cannot be disabled', async () => {
    store.seedAdmin('1000', await hashPassword('24681357'), 'config');
    await store.create('2001', 'custodian', '31415926', '1000');
    store.setDisabled('2001', true, '1000');
    expect(await store.authenticate('2001', '31415926')).toEqual({ ok: false, reason: 'disabled' });
    expect(() => store.setDisabled('1000', true, '1000')).toThrow(/lastAdmin/);
    store.setDisabled('2001', false, '1000');
    expect((await store.authenticate('2001', '31415926')).ok).toBe(true);
  });

  it('refuses bad ids, duplicates and weak one-time passwords', async () => {
    await expect(store.create('12', 'custodian', '31415926', 'x')).rejects.toMatchObject({ code: 'badId' });
    await expect(store.create('2001', 'custodian', '12345678', 'x')).rejects.toMatchObject({ code: 'weakPassword' });
    await store.create('2001', 'custodian', '31415926', 'x');
    await expect(store.create('2001', 'admin', '27182818', 'x')).rejects.toMatchObject({ code: 'exists' });
  });

  it('never journals a password', async () => {
    await store.create('2001', 'custodian', '31415926', 'x');
    await store.authenticate('2001', '55554444');
    await store.authenticate('2001', '31415926');
    await store.changePassword('2001', '27182818');
    await store.resetPassword('2001', '16180339', 'x');
    const text = JSON.stringify(journal.query().map((e) => e.data));
    for (const pw of ['31415926', '55554444', '27182818', '16180339']) expect(text).not.toContain(pw);
    expect(JSON.stringify(db.prepare('SELECT * FROM supervisor_operators').all())).not.toMatch(/31415926|27182818|16180339/);
  });
});

describe('roles', () => {
  it('separate duties: custodian cash, technician devices, admin operators (and confirms cash, never changes it)', () => {
    expect(ROLES).toEqual(['custodian', 'technician', 'admin']);
    expect(can('custodian', 'cash.change')).toBe(true);
    expect(can('custodian', 'devices')).toBe(false);
    expect(can('custodian', 'operators')).toBe(false);
    expect(can('technician', 'devices')).toBe(true);
    expect(can('technician', 'cash.view')).toBe(false);
    expect(can('technician', 'cash.confirm')).toBe(false);
    expect(can('admin', 'operators')).toBe(true);
    expect(can('admin', 'cash.confirm')).toBe(true);
    expect(can('admin', 'cash.change')).toBe(false);
    expect(can('admin', 'devices')).toBe(false);
  });
});

describe('dual control', () => {
  it('needs a different operator, with the confirming permission, who has changed the one-time password', async () => {
    await store.create('2001', 'custodian', '31415926', 'x');
    await store.create('2002', 'custodian', '27182818', 'x');
    await store.create('3001', 'technician', '16180339', 'x');
    await store.changePassword('2002', '14142135');
    await store.changePassword('3001', '17320508');
    const first = (await store.authenticate('2001', '31415926')) as { ok: true; operator: import('../../../main/supervisor/operator-store').Operator };
    const dual = new DualControl(store, journal);
    expect(await dual.confirm('cashExchange', first.operator, '2001', '31415926', 'cash.confirm')).toEqual({ ok: false, reason: 'sameOperator' });
    expect(await dual.confirm('cashExchange', first.operator, '3001', '17320508', 'cash.confirm')).toEqual({ ok: false, reason: 'notPermitted' });
    expect(await dual.confirm('cashExchange', first.operator, '2002', '99998888', 'cash.confirm')).toEqual({ ok: false, reason: 'refused' });
    const ok = await dual.confirm('cashExchange', first.operator, '2002', '14142135', 'cash.confirm');
    expect(ok).toMatchObject({ ok: true, second: { operatorId: '2002' } });
    expect(rows('supervisor.dualControl').map((d) => [d.second, d.result])).toEqual([
      ['2001', 'sameOperator'],
      ['3001', 'notPermitted'],
      ['2002', 'refused'],
      ['2002', 'confirmed'],
    ]);
    // A wrong password as the second operator counts towards that operator's lockout.
    expect(store.get('2002')!.failures).toBe(0);
    await dual.confirm('x', first.operator, '2002', '99998888', 'cash.confirm');
    expect(store.get('2002')!.failures).toBe(1);
  });

  it('a second operator with a one-time password is refused until it is changed', async () => {
    await store.create('2001', 'custodian', '31415926', 'x');
    await store.create('2002', 'custodian', '27182818', 'x');
    const first = (await store.authenticate('2001', '31415926')) as { ok: true; operator: import('../../../main/supervisor/operator-store').Operator };
    expect(await new DualControl(store, journal).confirm('cashExchange', first.operator, '2002', '27182818', 'cash.confirm')).toEqual({ ok: false, reason: 'mustChangePassword' });
  });
});
