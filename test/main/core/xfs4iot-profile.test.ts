/**
 * One kiosk publishes its devices as XFS4IoT services; a second kiosk uses that printer and dispenser as
 * its own devices through the XFS4IoT client adapters (an external service provider serving as a device).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Kiosk } from '../../../main/core/kiosk';
import { card, select, sim, startTestKiosk, typePin, waitForScreen } from '../../support/kiosk-harness';

const started: Kiosk[] = [];
afterAll(async () => {
  for (const k of started.reverse()) await k.stop();
});

describe('XFS4IoT device profile', () => {
  it('withdraws through a remote XFS4IoT dispenser and printer', async () => {
    const provider = await startTestKiosk({ xfs4iot: { publish: true, port: 0 } });
    started.push(provider);
    const ep = provider.xfs4iot!;
    const atm = await startTestKiosk({ devices: { dispenser: { kind: 'xfs4iot', uri: ep.serviceUri('CashDispenser') }, printer: { kind: 'xfs4iot', uri: ep.serviceUri('Printer') } } });
    started.push(atm);
    const c = card('visa-debit');
    await waitForScreen(atm, 'welcome');
    sim(atm, { type: 'insertCard', cardId: c.id });
    await waitForScreen(atm, 'enterPin');
    typePin(atm, c.pin);
    await waitForScreen(atm, 'menu');
    select(atm, 'withdrawal');
    await waitForScreen(atm, 'amount');
    select(atm, 'fast:4000');
    await waitForScreen(atm, 'receiptQuestion');
    select(atm, 'receiptYes');
    await waitForScreen(atm, 'takeCard', 5000, (m) => m.message === 'msg.cashFollows');
    while (atm.sims.cardReader.cardInReader()?.position !== 'gate') await new Promise((r) => setTimeout(r, 5));
    sim(atm, { type: 'takeCard' });
    // The notes are presented by the provider's dispenser; the customer takes them there.
    while (!Object.keys(provider.sims.dispenser.presentedNotes()).length) await new Promise((r) => setTimeout(r, 5));
    sim(provider, { type: 'takeCash' });
    await waitForScreen(atm, 'takeReceipt', 5000);
    expect(provider.sims.printer.receiptAtSlot()!.lines.join('\n')).toContain('$40.00');
    expect(atm.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance - 4000);
    expect(provider.sims.dispenser.cashUnits().find((u) => u.id === 'CST1')).toMatchObject({ count: 498 });
  });
});
