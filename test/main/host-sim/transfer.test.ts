/**
 * Funds transfers (0200, processing code 40 + from + to account type) between a card's checking and savings
 * accounts, through the real HostLink and IsoClient to the real simulator on loopback TCP: approval moves exactly
 * the amount in one go, declines (51, 12, 13, 55) move nothing, a duplicate STAN is not applied twice, an
 * unanswered transfer is reversed (0420) and the reversal moves the money back exactly once, and transfers are
 * never cash (net debits unchanged).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../journals/database';
import { BankStore } from '../../../main/host-sim/bank-store';
import { HostUnavailableError, type AuthorizationResult } from '../../../main/host/host-link';
import type { AccountKind } from '../../../main/host/messages';
import { DEFAULT_PROFILE } from '../../../main/host/profile';
import { track2Of, type TestCard } from '../../../devices/card-reader/test-cards';
import { cleanup, card, inquire, originalStanOf, pinBlock, requestLog, startAtm, startSim, tempDir, withdraw, type Atm } from './sim-fixture';

afterEach(cleanup);

const visa = card('visa-debit');
const mc = card('mc-debit');
const PC = DEFAULT_PROFILE.processingCodes;
const TERMINAL = 'ATM00042';
/** Seeded savings balance: half the checking balance. */
const savingsOf = (c: TestCard) => Math.floor(c.balance / 2);

function transfer(
  atm: Atm,
  c: TestCard,
  from: AccountKind,
  to: AccountKind,
  amount: number,
  opts: { pin?: string; reserved?: { stan: string; now: Date }; txn?: number } = {},
): Promise<AuthorizationResult> {
  return atm.link.transfer({
    from,
    to,
    amount,
    card: { pan: c.pan, expiry: c.expiry, track2: track2Of(c) },
    pinBlock: pinBlock(c, opts.pin),
    posEntryMode: DEFAULT_PROFILE.posEntryMagstripe,
    ...(opts.reserved ? { reserved: opts.reserved } : {}),
    ...(opts.txn !== undefined ? { txn: opts.txn } : {}),
  });
}

/** A raw 0200 with any processing code (account type pairs the link's transfer() cannot build). */
function rawTransfer(atm: Atm, c: TestCard, processingCode: string, amount: number): Promise<AuthorizationResult> {
  return atm.link.authorize({
    mti: '0200',
    processingCode,
    amount,
    card: { pan: c.pan, expiry: c.expiry, track2: track2Of(c) },
    pinBlock: pinBlock(c),
    posEntryMode: DEFAULT_PROFILE.posEntryMagstripe,
  });
}

describe('funds transfer at the simulated issuer', () => {
  it('approval moves exactly the amount between the two balances, both ways; ledger rows are transfers, not cash', async () => {
    const sim = await startSim();
    const log = requestLog(sim);
    const atm = await startAtm(sim.port);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(savingsOf(visa));

    const r = await transfer(atm, visa, 'checking', 'savings', 30000);
    expect(r.responseCode).toBe('00');
    expect(r.authCode).toBeTruthy();
    expect(r.availableBalance).toBe(visa.balance - 30000); // field 54 of the from-account
    expect(log.seen.find((m) => m.mti === '0200')!.fields[3]).toBe('402010');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 30000);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(savingsOf(visa) + 30000);

    const back = await transfer(atm, visa, 'savings', 'checking', 12345);
    expect(back.responseCode).toBe('00');
    expect(back.availableBalance).toBe(savingsOf(visa) + 30000 - 12345);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 30000 + 12345);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(savingsOf(visa) + 30000 - 12345);

    const id = sim.bank.findByPan(visa.pan)!.id;
    expect(sim.bank.recentLedger(id, 2).map((l) => [l.delta, l.reason])).toEqual([
      [12345, 'transfer'],
      [-30000, 'transfer'],
    ]);
    expect(sim.bank.recentLedger(id, 2, 'savings').map((l) => [l.delta, l.reason])).toEqual([
      [-12345, 'transfer'],
      [30000, 'transfer'],
    ]);
    // No cash moved: net debits stay 0, and a withdrawal alongside counts only itself.
    expect(sim.bank.netDebits(TERMINAL)).toBe(0);
    expect(sim.bank.netDebits()).toBe(0);
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
    expect(sim.bank.netDebits(TERMINAL)).toBe(2000);
    // A transfer uses no daily withdrawal limit.
    expect(sim.bank.findByPan(visa.pan)!.withdrawnToday).toBe(2000);
  });

  it('51 when the from-account lacks the funds (exactly the balance is fine); nothing moves', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    expect((await transfer(atm, mc, 'savings', 'checking', savingsOf(mc) + 1)).responseCode).toBe('51');
    expect((await transfer(atm, mc, 'checking', 'savings', mc.balance + 1)).responseCode).toBe('51');
    expect(sim.bank.balanceOfPan(mc.pan)).toBe(mc.balance);
    expect(sim.bank.savingsOfPan(mc.pan)).toBe(savingsOf(mc));
    expect((await transfer(atm, mc, 'savings', 'checking', savingsOf(mc))).responseCode).toBe('00');
    expect(sim.bank.savingsOfPan(mc.pan)).toBe(0);
    expect(sim.bank.balanceOfPan(mc.pan)).toBe(mc.balance + savingsOf(mc));
  });

  it('12 for from == to or an account type pair that is not savings/checking; 13 for a zero amount', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    expect((await transfer(atm, visa, 'checking', 'checking', 1000)).responseCode).toBe('12');
    expect((await transfer(atm, visa, 'savings', 'savings', 1000)).responseCode).toBe('12');
    expect((await rawTransfer(atm, visa, '400020', 1000)).responseCode).toBe('12'); // 00: default/unspecified
    expect((await rawTransfer(atm, visa, '403010', 1000)).responseCode).toBe('12'); // 30: credit
    expect((await transfer(atm, visa, 'checking', 'savings', 0)).responseCode).toBe('13');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(savingsOf(visa));
  });

  it('the card and PIN checks of a withdrawal: 55 wrong PIN, 43 stolen, 54 expired; nothing moves', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    expect((await transfer(atm, visa, 'checking', 'savings', 1000, { pin: '9999' })).responseCode).toBe('55');
    expect(sim.bank.findByPan(visa.pan)!.pinTries).toBe(1);
    expect((await transfer(atm, card('stolen'), 'checking', 'savings', 1000)).responseCode).toBe('43');
    expect((await transfer(atm, card('expired'), 'checking', 'savings', 1000)).responseCode).toBe('54');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(savingsOf(visa));
    // The right PIN then works and resets nothing it should not.
    expect((await transfer(atm, visa, 'checking', 'savings', 1000)).responseCode).toBe('00');
  });

  it('a duplicate (same terminal, STAN and field 7) is answered 94 and not applied twice', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    const reserved = atm.link.reserve();
    const first = await transfer(atm, visa, 'checking', 'savings', 5000, { reserved });
    expect(first.responseCode).toBe('00');
    const again = await transfer(atm, visa, 'checking', 'savings', 5000, { reserved });
    expect(again.stan).toBe(first.stan);
    expect(again.responseCode).toBe('94');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 5000);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(savingsOf(visa) + 5000);
  });

  it('balance inquiry by account type: 3110 savings, 3120 (and 3100) checking', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    expect((await inquire(atm, visa, '311000')).availableBalance).toBe(savingsOf(visa));
    expect((await inquire(atm, visa, '312000')).availableBalance).toBe(visa.balance);
    expect((await inquire(atm, visa, PC.balance)).availableBalance).toBe(visa.balance);
  });
});

describe('unanswered transfer through the real link', () => {
  const TIMEOUT = 400;
  const DELAY = 1200;

  it('a timeout queues a reversal (0420, pc 40...) that is delivered and moves the money back exactly once; the late approval finds it queued', async () => {
    const sim = await startSim({ faultDelayMs: DELAY });
    const log = requestLog(sim);
    const atm = await startAtm(sim.port, { requestTimeoutMs: TIMEOUT });
    sim.setFault('delay');
    const lateSeen = Promise.all([atm.nextEntry('host.lateResponse', (e) => e.data.mti === '0210', DELAY * 4), atm.nextEntry('reversal.alreadyQueued', undefined, DELAY * 4)]);
    const acknowledged = atm.nextEntry('reversal.acknowledged', undefined, DELAY * 6);
    const err = (await transfer(atm, visa, 'checking', 'savings', 7000, { txn: 9 }).catch((e: unknown) => e)) as HostUnavailableError;
    expect(err).toBeInstanceOf(HostUnavailableError);
    expect(err.reason).toBe('timeout');
    // The host did move the money; only its answer is late.
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 7000);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(savingsOf(visa) + 7000);
    // The link queued the reversal itself, with the request's STAN and field 7.
    const queued = atm.journal.query({ kind: 'reversal.queued' });
    expect(queued).toHaveLength(1);
    expect(queued[0]!.txn).toBe(9);
    expect(queued[0]!.data).toMatchObject({ reason: DEFAULT_PROFILE.reversalReason.timeout, amount: 7000, dispensed: 0, originalStan: err.request!.stan });
    sim.setFault('none');
    await acknowledged;
    await lateSeen;
    const advices = log.seen.filter((m) => m.mti === '0420' || m.mti === '0421');
    expect(advices.length).toBeGreaterThanOrEqual(1);
    expect(advices[0]!.mti).toBe('0420');
    expect(advices.every((m) => m.fields[3] === '402010' && m.fields[4] === '000000007000' && m.fields[95] === undefined)).toBe(true);
    expect(advices.every((m) => originalStanOf(m) === err.request!.stan)).toBe(true);
    expect(String(advices[0]!.fields[90]).slice(0, 20)).toBe(`0200${err.request!.stan}${err.request!.transmissionDateTime}`);
    // Balances restored exactly once however many advices reached the host; still no cash.
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(savingsOf(visa));
    expect(atm.journal.query({ kind: 'reversal.queued' })).toHaveLength(1);
    expect(atm.reversals.depth()).toBe(0);
    expect(sim.bank.netDebits(TERMINAL)).toBe(0);
    // Repeating the advice (an 0421 after a lost 0430) credits nothing more.
    const ack2 = atm.nextEntry('reversal.acknowledged');
    atm.link.queueReversal(9, { ...err.request!, mti: '0200', processingCode: '402010', amount: 7000 }, 0, DEFAULT_PROFILE.reversalReason.timeout);
    await ack2;
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(savingsOf(visa));
    const id = sim.bank.findByPan(visa.pan)!.id;
    expect(sim.bank.recentLedger(id, 1, 'savings')[0]).toMatchObject({ delta: -7000, reason: 'transfer-reversal' });
  });

  it('a transfer that never reached the host (dropped): the reversal is acknowledged and nothing moves', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port, { requestTimeoutMs: TIMEOUT });
    sim.setFault('drop');
    await expect(transfer(atm, visa, 'savings', 'checking', 3000)).rejects.toBeInstanceOf(HostUnavailableError);
    expect(atm.reversals.depth() + atm.reversals.list('done').length).toBe(1);
    const ack = atm.nextEntry('reversal.acknowledged');
    sim.setFault('none');
    await ack;
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(savingsOf(visa));
    expect((await transfer(atm, visa, 'savings', 'checking', 3000)).responseCode).toBe('00');
  });
});

describe('bank store upgrade', () => {
  it('an existing bank database (no savings, ledger account or transfer columns) gains them once, keeps its data, and transfers', () => {
    const path = join(tempDir(), 'old-bank.db');
    const secret = Buffer.from('upgrade test');
    const old = openDatabase(path);
    old.exec(`
      CREATE TABLE accounts (id INTEGER PRIMARY KEY, card_key TEXT UNIQUE NOT NULL, masked_pan TEXT NOT NULL, expiry TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active', pin_offset TEXT NOT NULL, pin_tries INTEGER NOT NULL DEFAULT 0, balance INTEGER NOT NULL,
        daily_limit INTEGER NOT NULL, withdrawn_today INTEGER NOT NULL DEFAULT 0, day TEXT NOT NULL DEFAULT '');
      CREATE TABLE authorizations (terminal TEXT NOT NULL, stan TEXT NOT NULL, transmission_dt TEXT NOT NULL, mti TEXT NOT NULL, account_id INTEGER,
        amount INTEGER NOT NULL, response_code TEXT NOT NULL, auth_code TEXT, rrn TEXT, reversed_amount INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (terminal, stan, transmission_dt));
      CREATE TABLE ledger (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, delta INTEGER NOT NULL, reason TEXT NOT NULL, terminal TEXT NOT NULL, stan TEXT NOT NULL, at TEXT NOT NULL);
    `);
    const probe = new BankStore(join(tempDir(), 'probe.db'), secret);
    const key = probe.cardKey(visa.pan);
    probe.close();
    old.prepare("INSERT INTO accounts (card_key, masked_pan, expiry, pin_offset, balance, daily_limit) VALUES (?, '476173******0010', '3012', '0000', 5000, 100000)").run(key);
    old.prepare("INSERT INTO ledger (account_id, delta, reason, terminal, stan, at) VALUES (1, 5000, 'opening', '', '', '2026-01-01T00:00:00Z')").run();
    old.prepare("INSERT INTO ledger (account_id, delta, reason, terminal, stan, at) VALUES (1, -1000, 'withdrawal', 'ATM00042', '000001', '2026-01-01T00:00:00Z')").run();
    old.close();
    for (let i = 0; i < 2; i++) new BankStore(path, secret).close(); // opening twice adds nothing twice
    const bank = new BankStore(path, secret);
    const acct = bank.findByPan(visa.pan)!;
    expect(acct).toMatchObject({ balance: 5000, savings: 0 });
    expect(bank.recentLedger(acct.id).map((l) => l.delta)).toEqual([-1000, 5000]); // old rows are checking rows
    expect(bank.netDebits('ATM00042')).toBe(1000);
    const rec = { terminal: 'ATM00042', stan: '000002', transmissionDateTime: '0101000000', mti: '0200', accountId: acct.id, amount: 2000, responseCode: '00', authCode: '123456', rrn: '1', reversedAmount: 0 };
    expect(bank.transfer(acct.id, 'savings', 'checking', 1, rec)).toBe(false); // no savings yet
    expect(bank.transfer(acct.id, 'checking', 'savings', 2000, rec)).toBe(true);
    expect(bank.findByPan(visa.pan)).toMatchObject({ balance: 3000, savings: 2000 });
    expect(bank.findAuth('ATM00042', '000002', '0101000000')!.transfer).toEqual({ from: 'checking', to: 'savings' });
    expect(bank.reverse(rec, 2000, '2026-01-01', '000003')).toBe(2000);
    expect(bank.reverse(rec, 2000, '2026-01-01', '000004')).toBe(0);
    expect(bank.findByPan(visa.pan)).toMatchObject({ balance: 5000, savings: 0 });
    expect(bank.netDebits('ATM00042')).toBe(1000);
    bank.close();
  });
});
