/**
 * How the kiosk consumes host liveness (main/core/kiosk.ts maps the link's 'offline'/'online' to HOST_OFFLINE /
 * HOST_ONLINE): the real core with the embedded simulator. A host that drops the link and then refuses every request
 * takes the ATM out of service between customers; once the host answers again the ATM signs on and is back in
 * service, and a customer can withdraw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Kiosk } from '../../../main/core/kiosk';
import { card, select, sim, startTestKiosk, typePin, waitForScreen } from '../../support/kiosk-harness';

let kiosk: (Kiosk & { dataDir: string }) | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

describe('kiosk and host liveness', () => {
  it('link lost and the host refusing: out of service; host back: signed on, in service, withdrawals work', async () => {
    const k = (kiosk = await startTestKiosk({ host: { requestTimeoutMs: 1000 } }));
    await waitForScreen(k, 'welcome');
    const host = k.hostSim!;
    const offline = new Promise<void>((r) => k.host.once('offline', () => r()));
    host.setFault('disconnect');
    expect(host.dropConnections()).toBe(1);
    await offline;
    await waitForScreen(k, 'outOfService');
    expect(k.status().host).toEqual({ online: false });
    // While the host cuts every request (the sign-on included), the ATM stays out of service.
    const signOnFailed = new Promise<void>((r) => {
      const off = k.journal.onAppend((e) => {
        if (e.kind === 'host.signOn' && e.data.error === 'offline') {
          off();
          r();
        }
      });
    });
    await signOnFailed;
    await waitForScreen(k, 'outOfService');
    host.setFault('none');
    await waitForScreen(k, 'welcome', 15_000);
    expect(k.journal.query({ kind: 'host.signOn' }).at(-1)!.data).toEqual({ responseCode: '00' });
    const c = card('visa-debit');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'fast:2000');
    await waitForScreen(k, 'receiptQuestion');
    select(k, 'receiptNo');
    await waitForScreen(k, 'takeCard');
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'takeCash');
    sim(k, { type: 'takeCash' });
    await waitForScreen(k, 'welcome');
    expect(host.bank.balanceOfPan(c.pan)).toBe(c.balance - 2000);
  });
});
