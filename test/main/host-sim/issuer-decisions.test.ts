/**
 * The embedded host simulator's issuer, driven by the real ATM link over loopback TCP: every response code the
 * ATM branches on, PIN verification by IBM 3624 offset and Visa PVV, PIN tries, duplicates, daily limits with day
 * rollover, reversals (full, partial by field 95, repeats credited once), PIN change and the mini statement.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, RC } from '../../../main/host/profile';
import { buildReversalAdvice, newPinBlockField, parseStatement } from '../../../main/host/messages';
import { IDENTITY, cleanup, card, inquire, pinBlock, startAtm, startSim, tempDir, withdraw, type Atm, type Sim } from './sim-fixture';
import { join } from 'node:path';

afterEach(cleanup);

const PC = DEFAULT_PROFILE.processingCodes;
const visa = card('visa-debit');
const mc = card('mc-debit');

async function setup(o: Parameters<typeof startSim>[0] = {}): Promise<{ sim: Sim; atm: Atm }> {
  const sim = await startSim(o);
  const atm = await startAtm(sim.port);
  return { sim, atm };
}

describe.each(['iso87a', 'iso87b'] as const)('host simulator issuer over TCP (%s)', (packager) => {
  it('approves a withdrawal: 00, auth code, RRN, balance after the debit in field 54, debited exactly once', async () => {
    const sim = await startSim({ packager });
    const atm = await startAtm(sim.port, { packager });
    const r = await withdraw(atm, visa, 6000);
    expect(r.responseCode).toBe(RC.approved);
    expect(r.authCode).toMatch(/^\d{6}$/);
    expect(r.rrn).toMatch(/^\d{12}$/);
    expect(r.availableBalance).toBe(visa.balance - 6000);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 6000);
    expect(sim.bank.netDebits('ATM00042')).toBe(6000);
  });
});

describe('response codes', () => {
  it('14 for a card the issuer does not know', async () => {
    const { atm } = await setup();
    const unknown = { ...visa, pan: '4761739001019995' };
    expect((await withdraw(atm, unknown, 2000)).responseCode).toBe('14');
  });

  it('05 do not honour for a blocked account, 43 stolen, 41 lost, nothing debited', async () => {
    const { sim, atm } = await setup();
    expect(sim.setAccountStatus('visa-debit', 'blocked')).toBe(true);
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('05');
    expect((await withdraw(atm, card('stolen'), 2000)).responseCode).toBe('43');
    sim.setAccountStatus('mc-debit', 'lost');
    expect((await withdraw(atm, mc, 2000)).responseCode).toBe('41');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(sim.setAccountStatus('no-such-card', 'blocked')).toBe(false);
  });

  it('51 insufficient funds, 13 for a zero amount', async () => {
    const { sim, atm } = await setup();
    expect((await withdraw(atm, mc, 10000)).responseCode).toBe('51');
    expect((await withdraw(atm, mc, 0)).responseCode).toBe('13');
    expect(sim.bank.balanceOfPan(mc.pan)).toBe(mc.balance);
  });

  it('54 expired card', async () => {
    const { atm } = await setup();
    expect((await withdraw(atm, card('expired'), 2000)).responseCode).toBe('54');
  });

  it('91 while the issuer is down (0100 and 0200); network management still answered', async () => {
    const { sim, atm } = await setup();
    sim.setFault('issuerDown');
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('91');
    expect((await inquire(atm, visa, PC.balance)).responseCode).toBe('91');
    expect(await atm.link.signOn()).toBe(true);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    sim.setFault('none');
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
  });

  it('12 for a processing code the issuer does not offer', async () => {
    const { atm } = await setup();
    expect((await inquire(atm, visa, '770000')).responseCode).toBe('12');
  });
});

describe('PIN verification', () => {
  it('IBM 3624 offset: 55 for a wrong PIN, tries reset by a correct PIN, 75 after three wrong ones and then even with the right PIN', async () => {
    const { sim, atm } = await setup();
    expect(sim.bank.findByPan(visa.pan)!.pinMethod).toBe('ibm3624');
    expect((await withdraw(atm, visa, 2000, { pin: '9999' })).responseCode).toBe('55');
    expect((await withdraw(atm, visa, 2000, { pin: '9998' })).responseCode).toBe('55');
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
    expect(sim.bank.findByPan(visa.pan)!.pinTries).toBe(0);
    for (const [pin, rc] of [['1111', '55'], ['2222', '55'], ['3333', '75']] as const) expect((await withdraw(atm, visa, 2000, { pin })).responseCode).toBe(rc);
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('75');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 2000);
  });

  it('a missing PIN block is a wrong PIN (55), never an approval', async () => {
    const { sim, atm } = await setup();
    expect((await withdraw(atm, visa, 2000, { noPin: true })).responseCode).toBe('55');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
  });

  it('Visa PVV per account: the right PIN approves, a wrong one is 55 (PVV: leftmost four digits only)', async () => {
    const { sim, atm } = await setup();
    expect(sim.setPinMethod('unionpay-debit', 'visa-pvv')).toBe(true);
    const acct = sim.bank.findByPan(card('unionpay-debit').pan)!;
    expect(acct.pinMethod).toBe('visa-pvv');
    expect(acct.pinOffset).toMatch(/^\d{4}$/);
    expect((await withdraw(atm, card('unionpay-debit'), 10000)).responseCode).toBe('00');
    expect((await withdraw(atm, card('unionpay-debit'), 10000, { pin: '788888' })).responseCode).toBe('55');
    // As defined by Visa (and done by HSMs), the PVV covers only the leftmost four PIN digits.
    expect((await withdraw(atm, card('unionpay-debit'), 10000, { pin: '888801' })).responseCode).toBe('00');
  });
});

describe('duplicates, limits and reversals', () => {
  it('the same terminal + STAN + transmission time is a duplicate (94): no double debit', async () => {
    const { sim, atm } = await setup();
    const reserved = atm.link.reserve();
    const args = { mti: '0200' as const, processingCode: PC.withdrawal, amount: 4000, card: { pan: visa.pan, expiry: visa.expiry }, pinBlock: pinBlock(visa), posEntryMode: '901', reserved };
    expect((await atm.link.authorize(args)).responseCode).toBe('00');
    expect((await atm.link.authorize(args)).responseCode).toBe('94');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 4000);
  });

  it('61 over the daily limit; a reversal gives the limit back; the limit resets on the next day', async () => {
    const clock = { now: new Date('2026-03-10T10:00:00Z') };
    const sim = await startSim({ now: () => clock.now });
    const atm = await startAtm(sim.port, { now: () => clock.now });
    sim.setDailyLimit('visa-debit', 10000);
    const first = await withdraw(atm, visa, 8000);
    expect(first.responseCode).toBe('00');
    expect((await withdraw(atm, visa, 4000)).responseCode).toBe('61');
    const done = atm.nextEntry('reversal.acknowledged');
    atm.link.queueReversal(1, { stan: first.stan, transmissionDateTime: first.transmissionDateTime, mti: '0200', processingCode: PC.withdrawal, amount: 8000 }, 0, '22');
    await done;
    expect((await withdraw(atm, visa, 4000)).responseCode).toBe('00');
    expect((await withdraw(atm, visa, 7000)).responseCode).toBe('61');
    clock.now = new Date('2026-03-11T00:00:05Z');
    expect((await withdraw(atm, visa, 7000)).responseCode).toBe('00');
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 11000);
  });

  it('a reversal restores the balance exactly once, however often it is repeated (0420 then 0421s)', async () => {
    const { sim, atm } = await setup();
    const r = await withdraw(atm, visa, 6000);
    const original = { stan: r.stan, transmissionDateTime: r.transmissionDateTime, mti: '0200', processingCode: PC.withdrawal, amount: 6000 };
    for (let i = 0; i < 3; i++) {
      const ack = atm.nextEntry('reversal.acknowledged');
      atm.link.queueReversal(1, original, 0, '22');
      expect((await ack).data).toMatchObject({ responseCode: '00', mti: '0420' });
    }
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(sim.bank.netDebits()).toBe(0);
  });

  it('a partial reversal (field 95: 20.00 of 60.00 dispensed) credits only what the customer did not get', async () => {
    const { sim, atm } = await setup();
    const r = await withdraw(atm, visa, 6000);
    const ack = atm.nextEntry('reversal.acknowledged');
    atm.link.queueReversal(1, { stan: r.stan, transmissionDateTime: r.transmissionDateTime, mti: '0200', processingCode: PC.withdrawal, amount: 6000 }, 2000, '32');
    await ack;
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 2000);
    expect(sim.bank.netDebits()).toBe(2000);
  });

  it('0400 reversal requests are answered 0410 and credit once; a reversal without field 90 is a format error (30)', async () => {
    const { sim, atm } = await setup();
    const r = await withdraw(atm, visa, 6000);
    const data = { processingCode: PC.withdrawal, amount: '000000006000', dispensed: '000000000000', originalStan: r.stan, originalDateTime: r.transmissionDateTime, originalMti: '0200', reason: '17', rrn: '' };
    for (const [mti, stan] of [['0400', '500001'], ['0401', '500002']] as const) {
      const advice = buildReversalAdvice(data, false, stan, new Date(), IDENTITY);
      const reply = await atm.client.request({ ...advice, mti });
      expect(reply).toMatchObject({ mti: '0410', fields: { 39: '00', 11: stan } });
    }
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    const bad = buildReversalAdvice(data, false, '500003', new Date(), IDENTITY);
    delete bad.fields[90];
    expect((await atm.client.request(bad)).fields[39]).toBe('30');
  });

  it('a reversal of an original the host never saw is acknowledged (00) and changes nothing', async () => {
    const { sim, atm } = await setup();
    const ack = atm.nextEntry('reversal.acknowledged');
    atm.link.queueReversal(1, { stan: '123456', transmissionDateTime: '0101000000', mti: '0200', processingCode: PC.withdrawal, amount: 6000 }, 0, '68');
    expect((await ack).data).toMatchObject({ responseCode: '00' });
    expect(sim.bank.netDebits()).toBe(0);
  });
});

describe('PIN change and mini statement', () => {
  it('PIN change: the old PIN authorises, the new PIN works afterwards and the old one is 55', async () => {
    const { atm } = await setup();
    const newBlock = pinBlock(visa, '4455');
    const r = await inquire(atm, visa, PC.pinChange, { extra: newPinBlockField(DEFAULT_PROFILE, newBlock) });
    expect(r.responseCode).toBe('00');
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('55');
    expect((await withdraw(atm, visa, 2000, { pin: '4455' })).responseCode).toBe('00');
  });

  it('PIN change on a Visa PVV account keeps PVV', async () => {
    const { sim, atm } = await setup();
    sim.setPinMethod('visa-debit', 'visa-pvv');
    expect((await inquire(atm, visa, PC.pinChange, { extra: newPinBlockField(DEFAULT_PROFILE, pinBlock(visa, '7788')) })).responseCode).toBe('00');
    expect(sim.bank.findByPan(visa.pan)!.pinMethod).toBe('visa-pvv');
    expect((await withdraw(atm, visa, 2000, { pin: '7788' })).responseCode).toBe('00');
  });

  it('PIN change with a wrong old PIN is 55 and changes nothing; a malformed new PIN block is 30', async () => {
    const { atm } = await setup();
    expect((await inquire(atm, visa, PC.pinChange, { pin: '0000', extra: newPinBlockField(DEFAULT_PROFILE, pinBlock(visa, '4455')) })).responseCode).toBe('55');
    expect((await inquire(atm, visa, PC.pinChange, { extra: { 48: 'NPBZZ' } })).responseCode).toBe('30');
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
  });

  it('mini statement: latest entries newest first in field 48, with the balance in field 54', async () => {
    const { atm } = await setup();
    await withdraw(atm, visa, 2000);
    await withdraw(atm, visa, 4000);
    const r = await inquire(atm, visa, PC.statement);
    expect(r.responseCode).toBe('00');
    const lines = parseStatement(String(r.fields[48]));
    expect(lines.map((l) => [l.sign, l.amount, l.description])).toEqual([
      ['D', 4000, 'ATM CASH'],
      ['D', 2000, 'ATM CASH'],
      ['C', visa.balance, 'OPENING BAL'],
    ]);
    expect(r.availableBalance).toBe(visa.balance - 6000);
  });
});

describe('PCI in the simulator bank', () => {
  it('the bank file holds no PAN and no PIN block; cards are keyed by HMAC, PANs masked', async () => {
    const dir = tempDir();
    const sim = await startSim({ dir });
    const atm = await startAtm(sim.port);
    await withdraw(atm, visa, 2000);
    await withdraw(atm, visa, 2000, { pin: '9999' });
    await sim.close();
    const bytes = Buffer.concat(['host-sim.db', 'host-sim.db-wal'].map((f) => {
      try {
        return readFileSync(join(dir, f));
      } catch {
        return Buffer.alloc(0);
      }
    }));
    const text = bytes.toString('latin1');
    for (const c of [visa, mc]) expect(text).not.toContain(c.pan);
    expect(text).not.toContain(pinBlock(visa).toString('hex').toUpperCase());
    expect(text).toContain('476173******0010');
  });
});
