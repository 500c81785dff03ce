/**
 * Store-and-forward of reversal advices against the real simulator and the real SQLite queue: strictly in order
 * with one advice in flight, 0420 first and 0421 for every repeat (also after a restart of the ATM), retried until
 * answered, and taken out as 'expired' after 24 h (injected clock) while the next one goes on. The host credits
 * each original exactly once however many repeats reach it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE } from '../../../main/host/profile';
import type { AuthorizationResult } from '../../../main/host/host-link';
import { cleanup, card, originalStanOf, requestLog, startAtm, startSim, tempDir, withdraw, type Atm } from '../host-sim/sim-fixture';

afterEach(cleanup);

const visa = card('visa-debit');
const PC = DEFAULT_PROFILE.processingCodes;
const isAdvice = (m: { mti: string }) => m.mti === '0420' || m.mti === '0421';

function reverse(atm: Atm, r: AuthorizationResult, amount: number, txn = 1): void {
  atm.link.queueReversal(txn, { stan: r.stan, transmissionDateTime: r.transmissionDateTime, mti: '0200', processingCode: PC.withdrawal, amount }, 0, DEFAULT_PROFILE.reversalReason.notDispensed);
}

function acknowledged(atm: Atm, n: number): Promise<string[]> {
  const stans: string[] = [];
  return new Promise((resolve) => {
    const off = atm.journal.onAppend((e) => {
      if (e.kind !== 'reversal.acknowledged') return;
      stans.push(String(e.data.originalStan));
      if (stans.length === n) {
        off();
        resolve(stans);
      }
    });
  });
}

describe('reversal sender', () => {
  it('strictly in order, one in flight: the head is retried (0420, then 0421s) and blocks the rest until answered', async () => {
    const sim = await startSim();
    const log = requestLog(sim);
    const atm = await startAtm(sim.port, { requestTimeoutMs: 150 });
    const approvals = [await withdraw(atm, visa, 2000), await withdraw(atm, visa, 4000), await withdraw(atm, visa, 6000)];
    sim.setFault('drop');
    approvals.forEach((r, i) => reverse(atm, r, [2000, 4000, 6000][i]!, i + 1));
    const advices = await log.until(3, isAdvice);
    // Only the head goes out while it is unanswered: first as 0420, then repeats.
    expect(advices.map(originalStanOf)).toEqual([approvals[0]!.stan, approvals[0]!.stan, approvals[0]!.stan]);
    expect(advices.map((m) => m.mti)).toEqual(['0420', '0421', '0421']);
    const done = acknowledged(atm, 3);
    sim.setFault('none');
    expect(await done).toEqual(approvals.map((r) => r.stan));
    // On the wire: all of the head's attempts, then the others once each, in queue order.
    const order = log.seen.filter(isAdvice).map(originalStanOf);
    const firstOther = order.indexOf(approvals[1]!.stan);
    expect(order.slice(0, firstOther).every((s) => s === approvals[0]!.stan)).toBe(true);
    expect(order.slice(firstOther)).toEqual([approvals[1]!.stan, approvals[2]!.stan]);
    const done0 = atm.reversals.list('done');
    expect(done0.map((a) => a.attempts)[0]).toBeGreaterThanOrEqual(4);
    expect(done0.slice(1).map((a) => a.attempts)).toEqual([1, 1]);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
  });

  it('an advice that may have reached the host before a restart goes out as 0421 after it; credited once', async () => {
    const dbPath = join(tempDir(), 'kiosk.db');
    const sim = await startSim({ faultDelayMs: 60_000 });
    const log = requestLog(sim);
    const atm1 = await startAtm(sim.port, { dbPath, requestTimeoutMs: 150, retry: { initialMs: 60_000, maxMs: 60_000 } });
    const r = await withdraw(atm1, visa, 6000);
    // The host processes the 0420 (credits) but its answer never comes back before the ATM goes down.
    sim.setFault('delay');
    reverse(atm1, r, 6000);
    await log.until(1, isAdvice);
    await atm1.stop();
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    sim.setFault('none');
    const atm2 = await startAtm(sim.port, { dbPath, noWaitOnline: true });
    const ack = await atm2.nextEntry('reversal.acknowledged');
    expect(ack.data).toMatchObject({ mti: '0421', responseCode: '00', originalStan: r.stan });
    expect(log.seen.filter(isAdvice).map((m) => m.mti)).toEqual(['0420', '0421']);
    expect(atm2.reversals.depth()).toBe(0);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(sim.bank.netDebits()).toBe(0);
  });

  it('an advice still unanswered after 24 h is taken out as expired (journaled, event); the next one is delivered', async () => {
    const clock = { t: Date.parse('2026-06-01T08:00:00Z') };
    const now = () => new Date(clock.t);
    const sim = await startSim();
    const log = requestLog(sim);
    const atm = await startAtm(sim.port, { now, requestTimeoutMs: 150 });
    const first = await withdraw(atm, visa, 2000);
    const second = await withdraw(atm, visa, 4000);
    sim.setFault('drop');
    reverse(atm, first, 2000, 1);
    await log.until(1, isAdvice);
    clock.t += 23 * 3_600_000;
    reverse(atm, second, 4000, 2);
    const expiredEvent = new Promise<{ id: number; txn: number; originalStan: string }>((r) => atm.link.once('reversalExpired', r));
    const expired = atm.nextEntry('reversal.expired');
    const delivered = atm.nextEntry('reversal.acknowledged');
    clock.t += 3_600_000 + 1;
    sim.setFault('none');
    expect((await expired).data).toMatchObject({ originalStan: first.stan, lastError: 'timeout' });
    expect(await expiredEvent).toMatchObject({ txn: 1, originalStan: first.stan });
    expect((await delivered).data).toMatchObject({ originalStan: second.stan, responseCode: '00' });
    expect(atm.reversals.list('expired').map((a) => a.payload.originalStan)).toEqual([first.stan]);
    expect(atm.reversals.depth()).toBe(0);
    // Manual handling is needed for the first: the host still holds its debit.
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 2000);
  });

  it('the queue holds no card data: no PAN, track or PIN block in the reversal rows', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    const r = await withdraw(atm, visa, 2000);
    sim.setFault('drop');
    reverse(atm, r, 2000);
    const rows = atm.db.prepare('SELECT * FROM reversal_queue').all();
    const text = JSON.stringify(rows);
    expect(text).not.toContain(visa.pan);
    expect(text).not.toMatch(/\d{13,19}/);
    expect(Object.keys(JSON.parse((rows[0] as { payload: string }).payload) as object).sort()).toEqual(
      ['amount', 'dispensed', 'originalDateTime', 'originalMti', 'originalStan', 'processingCode', 'reason', 'rrn'].sort(),
    );
  });
});
