/**
 * The kiosk with message MACs (config host.mac) and key exchange after sign-on (host.keyExchange), on the embedded
 * host: the PIN pad's key store holds the MAC key, requests and responses are MACed, a new key arrives as a TR-31
 * block at sign-on, and a customer's withdrawal goes through; a response MAC that fails means no cash.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAC_KEY_NAME, type Kiosk } from '../../../main/core/kiosk';
import { card, sim, startTestKiosk, startWithdrawal, waitForScreen } from '../../support/kiosk-harness';

let kiosk: (Kiosk & { dataDir: string }) | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

async function withdrawal(k: Kiosk, amount: number): Promise<void> {
  await startWithdrawal(k, { amount });
}

describe.each(['x919', 'aes-cmac'] as const)('kiosk with message MACs (%s)', (alg) => {
  it('signs on, fetches a new MAC key into the PIN pad key store, and pays a MACed withdrawal', async () => {
    const k = (kiosk = await startTestKiosk({ host: { mac: alg, keyExchange: true } }));
    await waitForScreen(k, 'welcome');
    const kx = await new Promise<Record<string, unknown>>((resolve) => {
      const found = k.journal.query({ kind: 'host.keyExchange' })[0];
      if (found) return resolve(found.data);
      const off = k.journal.onAppend((e) => {
        if (e.kind === 'host.keyExchange') {
          off();
          resolve(e.data);
        }
      });
    });
    expect(kx).toEqual({ keyName: MAC_KEY_NAME, usage: alg === 'x919' ? 'M3' : 'M6', kcv: k.keyStore.kcv(MAC_KEY_NAME) });
    const c = card('visa-debit');
    await withdrawal(k, 4000);
    await waitForScreen(k, 'takeCard');
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'takeCash');
    sim(k, { type: 'takeCash' });
    await waitForScreen(k, 'welcome');
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance - 4000);
    expect(k.hostSim!.statistics().macFailures).toBe(0);
    expect(k.journal.query({ kind: 'host.macRejected' })).toHaveLength(0);
  });
});

describe('kiosk MAC failure', () => {
  it('a MAC key the host does not share: no cash, unable to process, the reversal is queued', async () => {
    const k = (kiosk = await startTestKiosk({ host: { mac: 'x919' } }));
    await waitForScreen(k, 'welcome');
    // The PIN pad's MAC key is replaced by one the host does not know.
    k.keyStore.importClear(MAC_KEY_NAME, { usage: 'M3', algorithm: 'tdes', key: Buffer.from('0123456789ABCDEF0123456789ABCDEF', 'hex'), requireParity: false });
    const c = card('visa-debit');
    await withdrawal(k, 4000);
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.hostUnavailable');
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'welcome');
    expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance);
    expect(k.hostSim!.statistics().macFailures).toBeGreaterThan(0);
    expect(k.journal.query({ kind: 'host.macRejected' }).length).toBeGreaterThan(0);
    expect(k.journal.query({ kind: 'cash.presented' })).toHaveLength(0);
    expect(k.journal.query({ kind: 'reversal.queued' })).toHaveLength(1);
  });
});
