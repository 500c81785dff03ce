/**
 * How the kiosk consumes host liveness (main/core/kiosk.ts maps the link's 'offline'/'online' to HOST_OFFLINE /
 * HOST_ONLINE): the real core with the embedded simulator. A host that drops the link and then refuses every request
 * takes the ATM out of service between customers (reconnections alone do not bring it back); once the host answers
 * again the ATM signs on and is back in service, and a customer can withdraw. Offline during a session: the session
 * ends, then the ATM goes out of service until the host answers; the reversal is delivered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Kiosk } from '../../../main/core/kiosk';
import { card, select, sim, startTestKiosk, typePin, waitForScreen, withdrawCash } from '../../support/kiosk-harness';

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
    // Every reconnection is cut at its first echo: a bare TCP connection does not bring the ATM back.
    let echoes = 0;
    host.on('request', (m) => {
      if (m.mti === '0800' && m.fields[70] === '301') echoes++;
    });
    await waitFor(() => echoes >= 2);
    expect(k.ui.screen().screen).toBe('outOfService');
    const lastOffline = k.journal.query({ kind: 'host.offline' }).at(-1)!.seq;
    expect(k.journal.query({ kind: 'host.online' }).every((e) => e.seq < lastOffline)).toBe(true);
    host.setFault('none');
    await waitForScreen(k, 'welcome', 15_000);
    expect(k.journal.query({ kind: 'host.signOn' }).at(-1)!.data).toEqual({ responseCode: '00' });
    const c = await withdrawCash(k, { amount: 2000 });
    expect(host.bank.balanceOfPan(c.pan)).toBe(c.balance - 2000);
  });

  it('host offline during a session (timeouts): the session ends normally, then out of service; back once the host answers', async () => {
    const k = (kiosk = await startTestKiosk({ host: { requestTimeoutMs: 300 } }));
    await waitForScreen(k, 'welcome');
    const host = k.hostSim!;
    const c = card('visa-debit');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    host.setFault('drop');
    const offline = new Promise<void>((r) => k.host.once('offline', () => r()));
    select(k, 'fast:2000');
    await waitForScreen(k, 'receiptQuestion');
    select(k, 'receiptNo');
    // Unable to process: the card comes back. The withdrawal and its reversal go unanswered: the link goes offline.
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.hostUnavailable');
    await offline;
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'outOfService');
    const back = waitForScreen(k, 'welcome', 20_000);
    host.setFault('none');
    await back;
    // The reversal went through once the host answered: no money lost.
    await waitFor(() => k.reversals.depth() === 0);
    expect(host.bank.balanceOfPan(c.pan)).toBe(c.balance);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
