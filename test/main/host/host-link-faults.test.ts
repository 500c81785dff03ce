/**
 * Every host simulator fault through the real channel (IsoClient + HostLink over loopback TCP, both packagers):
 * drop, delay, garble, disconnect, issuerDown. Whatever happens to the answer, the ATM never sees an approval it
 * can trust without one, unanswered withdrawals are reversed, and once the fault clears the bank balance is whole.
 * Late approvals after a timeout are reversed with the original's own data.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HostUnavailableError } from '../../../main/host/host-link';
import { Iso8583Error } from '../../../main/host/iso8583';
import { UnmatchedResponseError } from '../../../main/host/channel';
import { DEFAULT_PROFILE } from '../../../main/host/profile';
import type { HostFault } from '../../../main/host-sim/control';
import { cleanup, card, originalStanOf, requestLog, startAtm, startSim, withdraw } from '../host-sim/sim-fixture';

afterEach(cleanup);

const visa = card('visa-debit');
const mc = card('mc-debit');
const PC = DEFAULT_PROFILE.processingCodes;
/** The ATM gives up after TIMEOUT; a delayed answer comes DELAY after the request (always later). */
const TIMEOUT = 400;
const DELAY = 1200;

type Expect = { kind: 'unavailable'; reason: 'timeout' | 'offline' } | { kind: 'declined'; rc: string };
const EXPECTED: Record<Exclude<HostFault, 'none'>, Expect> = {
  drop: { kind: 'unavailable', reason: 'timeout' },
  delay: { kind: 'unavailable', reason: 'timeout' },
  garble: { kind: 'unavailable', reason: 'timeout' },
  disconnect: { kind: 'unavailable', reason: 'offline' },
  issuerDown: { kind: 'declined', rc: '91' },
};

describe.each(['iso87a', 'iso87b'] as const)('simulator faults through the real channel (%s)', (packager) => {
  it.each(Object.keys(EXPECTED) as Array<Exclude<HostFault, 'none'>>)('%s: no approval reaches the ATM; after the fault the balance is whole', async (fault) => {
    const sim = await startSim({ packager, faultDelayMs: DELAY });
    const atm = await startAtm(sim.port, { packager, requestTimeoutMs: TIMEOUT });
    const offline = new Promise<void>((r) => atm.link.once('offline', () => r()));
    sim.setFault(fault);
    const outcome = await withdraw(atm, visa, 4000, { txn: 1 }).then(
      (r) => ({ kind: 'declined' as const, rc: r.responseCode }),
      (e: unknown) => e,
    );
    const want = EXPECTED[fault];
    if (want.kind === 'declined') {
      expect(outcome).toEqual(want);
      expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
      return;
    }
    expect(outcome).toBeInstanceOf(HostUnavailableError);
    const err = outcome as HostUnavailableError;
    expect(err.reason).toBe(want.reason);
    if (fault === 'garble') {
      expect(atm.protocolErrors.length).toBeGreaterThan(0);
      expect(atm.protocolErrors.every((e) => e instanceof Iso8583Error || e instanceof UnmatchedResponseError)).toBe(true);
    }
    if (fault === 'disconnect') await offline;
    // What the session does with an unanswered withdrawal: a full reversal with the request's STAN and field 7.
    const late = fault === 'delay' ? Promise.all([atm.nextEntry('host.lateResponse'), atm.nextEntry('reversal.alreadyQueued')]) : null;
    sim.setFault('none');
    const ack = atm.nextEntry('reversal.acknowledged');
    atm.link.queueReversal(1, { ...err.request!, mti: '0200', processingCode: PC.withdrawal, amount: 4000 }, 0, DEFAULT_PROFILE.reversalReason.timeout);
    await ack;
    // A late approval finds the reversal already queued: no second one.
    if (late) await late;
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(atm.reversals.depth()).toBe(0);
    expect(atm.journal.query({ kind: 'reversal.queued' })).toHaveLength(1);
    // The link works again.
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
  });
});

describe('late responses', () => {
  it('a late approval after a timeout is reversed by the link with the original request\'s data', async () => {
    const sim = await startSim({ faultDelayMs: DELAY });
    const log = requestLog(sim);
    const atm = await startAtm(sim.port, { requestTimeoutMs: TIMEOUT });
    sim.setFault('delay');
    const err = (await withdraw(atm, visa, 6000, { txn: 7 }).catch((e: unknown) => e)) as HostUnavailableError;
    expect(err.reason).toBe('timeout');
    sim.setFault('none');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 6000); // approved and debited, answer late
    const queued = await atm.nextEntry('reversal.queued', undefined, DELAY * 3);
    expect(queued.txn).toBe(7);
    expect(queued.data).toMatchObject({ reason: DEFAULT_PROFILE.reversalReason.lateResponse, amount: 6000, dispensed: 0, originalStan: err.request!.stan });
    await atm.nextEntry('reversal.acknowledged');
    const [advice] = log.seen.filter((m) => m.mti === '0420');
    expect(advice!.fields).toMatchObject({ 3: PC.withdrawal, 4: '000000006000', 39: '68' });
    expect(String(advice!.fields[90])).toBe(`0200${err.request!.stan}${err.request!.transmissionDateTime}${'123456'.padStart(11, '0')}${'0'.repeat(11)}`);
    expect(originalStanOf(advice!)).toBe(err.request!.stan);
    expect(typeof advice!.fields[37]).toBe('string'); // the RRN of the late approval
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
  });

  it('a late decline is only journaled: nothing to reverse', async () => {
    const sim = await startSim({ faultDelayMs: DELAY });
    const atm = await startAtm(sim.port, { requestTimeoutMs: TIMEOUT });
    sim.setFault('delay');
    await expect(withdraw(atm, mc, 10000)).rejects.toBeInstanceOf(HostUnavailableError);
    const late = await atm.nextEntry('host.lateResponse', undefined, DELAY * 3);
    expect(late.data).toMatchObject({ mti: '0210', responseCode: '51' });
    expect(atm.journal.query({ kind: 'reversal.queued' })).toHaveLength(0);
    expect(atm.reversals.depth()).toBe(0);
  });
});

describe('framing options', () => {
  it.each([
    ['iso87b', { length: 'binary2', tpdu: '6000010002' }],
    ['iso87a', { length: 'ascii4', tpdu: '6000030004' }],
    ['iso87a', { length: 'bcd2' }],
    ['iso87b', { length: 'binary4' }],
  ] as const)('%s over %o: approvals through the real link', async (packager, framing) => {
    const sim = await startSim({ packager, framing });
    const atm = await startAtm(sim.port, { packager, framing });
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
  });

  it('the simulator answers with the TPDU addresses swapped', async () => {
    const framing = { length: 'binary2' as const, tpdu: '6000010002' };
    const sim = await startSim({ framing });
    const { connect } = await import('node:net');
    const { encodeFrame, FrameDecoder } = await import('../../../main/host/channel');
    const { packIso, ISO87A } = await import('../../../main/host/iso8583');
    const sock = connect(sim.port, '127.0.0.1');
    const dec = new FrameDecoder(framing);
    const reply = new Promise<Buffer>((r) => sock.on('data', (d: Buffer) => dec.push(d).forEach((f) => r(f))));
    sock.write(encodeFrame(packIso({ mti: '0800', fields: { 7: '0101120000', 11: '000001', 41: 'ATM00042', 70: '301' } }, ISO87A), framing));
    const payload = await reply;
    sock.destroy();
    expect(dec.lastTpdu!.toString('hex')).toBe('6000020001');
    expect(payload.subarray(0, 4).toString('latin1')).toBe('0810');
  });
});

describe('bad input to the simulator', () => {
  it('an undecodable request is reported (field and offset) and dropped; the connection and the bank are unharmed', async () => {
    const sim = await startSim();
    const errors: Error[] = [];
    sim.on('protocolError', (e) => errors.push(e));
    const { connect } = await import('node:net');
    const { encodeFrame } = await import('../../../main/host/channel');
    const sock = connect(sim.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const reported = new Promise<void>((r) => sim.once('protocolError', () => r()));
    sock.write(encodeFrame(Buffer.from('0200F23A4000ZZZZ0000', 'latin1'), { length: 'binary2' }));
    await reported;
    expect(errors[0]).toBeInstanceOf(Iso8583Error);
    expect(errors[0]!.message).toMatch(/bitmap|field|offset/i);
    // A broken length header desynchronises the stream: reported, and that connection is dropped.
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    const framing = new Promise<void>((r) => sim.once('protocolError', () => r()));
    sock.write(Buffer.from([0xff, 0xff, 0x30]));
    await framing;
    await closed;
    expect(errors[1]!.name).toBe('FramingError');
    // Other ATMs are not affected.
    const atm = await startAtm(sim.port);
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 2000);
    expect(sim.statistics().errors).toBe(2);
  });
});
