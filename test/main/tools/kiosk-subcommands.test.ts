import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { card, select, sim, startTestKiosk, typePin, waitForScreen } from '../../support/kiosk-harness';
import type { Kiosk } from '../../../main/core/kiosk';

let kiosk: (Kiosk & { dataDir: string }) | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

const tools = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'main/tools/atm-tools.ts', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('atm-tools journal / invariants', () => {
  it('verifies, exports and checks the money invariant after a withdrawal; detects tampering', async () => {
    kiosk = await startTestKiosk();
    const k = kiosk;
    const c = card('visa-debit');
    await waitForScreen(k, 'welcome');
    sim(k, { type: 'insertCard', cardId: c.id });
    await waitForScreen(k, 'enterPin');
    typePin(k, c.pin);
    await waitForScreen(k, 'menu');
    select(k, 'withdrawal');
    await waitForScreen(k, 'amount');
    select(k, 'fast:2000');
    await waitForScreen(k, 'receiptQuestion');
    select(k, 'receiptNo');
    await waitForScreen(k, 'takeCard', 5000, (m) => m.message === 'msg.cashFollows');
    while (k.sims.cardReader.cardInReader()?.position !== 'gate') await new Promise((r) => setTimeout(r, 5));
    sim(k, { type: 'takeCard' });
    await waitForScreen(k, 'takeCash');
    while (!Object.keys(k.sims.dispenser.presentedNotes()).length) await new Promise((r) => setTimeout(r, 5));
    sim(k, { type: 'takeCash' });
    await waitForScreen(k, 'welcome');
    const dir = k.dataDir;
    await k.stop();
    kiosk = null;

    const verify = tools('journal', 'verify', '--data-dir', dir);
    expect(verify.stdout).toMatch(/journal OK: \d+ rows verified/);
    expect(verify.status).toBe(0);
    const inv = tools('invariants', '--data-dir', dir);
    expect(inv.stdout).toContain('OK   cassette cash = host net debits: cassettes 2000, host 2000');
    expect(inv.status).toBe(0);
    const text = tools('journal', 'export', '--data-dir', dir, '--format', 'text');
    expect(text.stdout).toMatch(/cash\.taken\s+\S+\s+amount=2000/);
    expect(text.stdout).not.toContain(c.pan);

    // Tamper with a row behind the journal's back: verification fails with the row number.
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(`${dir}/kiosk.db`);
    db.exec('DROP TRIGGER journal_no_update');
    db.prepare(`UPDATE journal SET data = '{"amount":1}' WHERE kind = 'cash.taken'`).run();
    db.close();
    const broken = tools('journal', 'verify', '--data-dir', dir);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/journal BROKEN at seq \d+/);
  });
});
