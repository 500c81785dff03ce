/**
 * SessionServices.transfer over the real HostLink and the real simulator on loopback TCP: a transaction record of
 * type 'transfer', journaled as host.request/host.response with the masked PAN only (never the PAN or track data),
 * counted as type:transfer:approved|declined, and an unanswered transfer ends as 'host unavailable' with its full
 * reversal queued and delivered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TransactionStore } from '../../../journals/transactions';
import { lastFour, maskPan } from '../../../journals/pan';
import { DEFAULT_PROFILE } from '../../../main/host/profile';
import { parseConfig } from '../../../main/config/config';
import { SessionServices, type AtmDeps } from '../../../main/machine/session-services';
import type { CardSession } from '../../../main/machine/card-data';
import { track2Of, type TestCard } from '../../../devices/card-reader/test-cards';
import { cleanup, card, pinBlock, startAtm, startSim, type Atm } from '../host-sim/sim-fixture';

afterEach(cleanup);

const visa = card('visa-debit');

function services(atm: Atm): { svc: SessionServices; txns: TransactionStore } {
  const txns = new TransactionStore(atm.db, atm.journal);
  // Only the host link, journal, counters and profile take part in a transfer (no devices, no cash).
  const config = parseConfig({});
  const deps = { profile: DEFAULT_PROFILE, host: atm.link, journal: atm.journal, txns, config, now: () => new Date(), pinKeyName: 'PIN' } as unknown as AtmDeps;
  return { svc: new SessionServices(deps), txns };
}

function session(c: TestCard): CardSession {
  return { pan: c.pan, expiry: c.expiry, serviceCode: c.serviceCode, track2: track2Of(c), maskedPan: maskPan(c.pan), lastFour: lastFour(c.pan) };
}

describe('SessionServices.transfer', () => {
  it('approved and declined transfers: balances, journal (masked PAN only) and counters', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    const { svc, txns } = services(atm);
    const ok = await svc.transfer(session(visa), 'savings', 'checking', 10000, { pinBlock: pinBlock(visa) });
    expect(ok.responseCode).toBe('00');
    expect(ok.availableBalance).toBe(Math.floor(visa.balance / 2) - 10000);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance + 10000);
    const bad = await svc.transfer(session(visa), 'checking', 'savings', 1000, { pinBlock: pinBlock(visa, '0000') });
    expect(bad.responseCode).toBe('55');
    expect(txns.counters('type:transfer:')).toEqual({ 'type:transfer:approved': 1, 'type:transfer:declined': 1 });
    expect(txns.get(ok.txn)).toMatchObject({ type: 'transfer', state: 'completed', amount: 10000, responseCode: '00', maskedPan: maskPan(visa.pan) });
    expect(txns.get(bad.txn)).toMatchObject({ type: 'transfer', state: 'declined', responseCode: '55' });
    const requests = atm.journal.query({ kind: 'host.request' });
    expect(requests.map((e) => [e.txn, e.data.mti, e.data.from, e.data.to])).toEqual([
      [ok.txn, '0200', 'savings', 'checking'],
      [bad.txn, '0200', 'checking', 'savings'],
    ]);
    const entries = atm.journal.query({ kind: 'host.response' });
    expect(entries.map((e) => e.data.responseCode)).toEqual(['00', '55']);
    const all = JSON.stringify(atm.journal.query({ limit: 10_000 }));
    expect(all).not.toContain(visa.pan);
    expect(all).not.toContain(track2Of(visa));
  });

  it('unanswered: host unavailable, the link reverses it and the balances come back', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port, { requestTimeoutMs: 300 });
    const { svc, txns } = services(atm);
    sim.setFault('drop');
    const r = await svc.transfer(session(visa), 'checking', 'savings', 4000, { pinBlock: pinBlock(visa) });
    expect(r).toEqual({ txn: r.txn, responseCode: '91', hostUnavailable: 'timeout' });
    expect(txns.get(r.txn)).toMatchObject({ type: 'transfer', state: 'failed' });
    expect(atm.journal.query({ kind: 'host.unavailable' }).map((e) => e.txn)).toEqual([r.txn]);
    expect(atm.journal.query({ kind: 'reversal.queued' }).map((e) => [e.txn, e.data.amount, e.data.dispensed])).toEqual([[r.txn, 4000, 0]]);
    expect(txns.counters('type:transfer:')).toEqual({});
    const ack = atm.nextEntry('reversal.acknowledged');
    sim.setFault('none');
    await ack;
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(sim.bank.savingsOfPan(visa.pan)).toBe(Math.floor(visa.balance / 2));
  });
});
