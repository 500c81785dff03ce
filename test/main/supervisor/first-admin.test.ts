/**
 * The first administrator from the configuration: hashed by the hash-password tool (password on stdin), parsed
 * by the config schema, seeded into a kiosk, and forced to change its password at first login. And a kiosk with
 * more cash units than function keys pages through them during a replenishment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { parseConfig } from '../../../main/config/config';
import { startTestKiosk } from '../../support/kiosk-harness';
import { choose, login, toSupervisor, waitFor, type K } from './helpers';

let kiosk: K | null = null;
afterEach(async () => {
  await kiosk?.stop();
  kiosk = null;
});

function hashTool(operatorId: string, stdin: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'main/supervisor/hash-password.ts', operatorId], { input: stdin, encoding: 'utf8' });
}

describe('first administrator from the configuration', () => {
  it('hash-password reads the password from stdin and refuses weak ones; the kiosk seeds that admin, who must change it', async () => {
    expect(hashTool('4242', '11111111\n').status).toBe(65);
    expect(hashTool('42', '27182818\n').status).toBe(64);
    const r = hashTool('4242', '27182818\n');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('27182818');
    const fragment = JSON.parse(r.stdout) as { supervisor: { firstAdmin: { operatorId: string; passwordHash: string } } };
    expect(fragment.supervisor.firstAdmin.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(() => parseConfig({ supervisor: { firstAdmin: { operatorId: '4242', passwordHash: '27182818' } } })).toThrow(/supervisor\.firstAdmin\.passwordHash/);

    const k = (kiosk = await startTestKiosk(fragment));
    expect(k.operators.list()).toEqual([expect.objectContaining({ operatorId: '4242', role: 'admin', mustChange: true })]);
    expect(k.journal.query({ kind: 'supervisor.operatorSeeded' })[0]!.data).toEqual({ operator: '4242', role: 'admin', source: 'config', mustChange: true });
    await toSupervisor(k);
    const menu = await login(k, '4242', '27182818', '31415926');
    expect(menu.params).toMatchObject({ operator: '4242', role: 'admin' });
    expect(k.operators.get('4242')!.mustChange).toBe(false);
  });
});

describe('many cash units', () => {
  it('the exchange screen pages through units that do not fit beside the function keys', async () => {
    const cassettes = [1, 2, 3, 4, 5, 6].map((i) => ({ id: `C${i}`, denomination: 1000 * i, count: 100, capacity: 1000, lowThreshold: 10 }));
    const k = (kiosk = await startTestKiosk({ simulator: { cassettes }, supervisor: { dualControlCash: false } }));
    await toSupervisor(k);
    await login(k, '1000', '13572468', '48151623');
    await k.operators.create('2001', 'custodian', '90817263', '1000');
    await choose(k, 'logout');
    await login(k, '2001', '90817263', '31415926');
    await choose(k, 'cash');
    await choose(k, 'exchange');
    const page1 = await waitFor(k, (m) => m.title === 'sup.titleExchange' && m.options.length === 8, 'page 1');
    expect(page1.options.map((o) => o.id)).toEqual(['unit:C1', 'unit:C2', 'unit:C3', 'unit:C4', 'unit:C5', 'more', 'confirm', 'abandon']);
    expect(page1.table!.rows).toHaveLength(8);
    await choose(k, 'more');
    const page2 = await waitFor(k, (m) => m.options.some((o) => o.id === 'unit:C6'), 'page 2');
    expect(page2.options.map((o) => o.id)).toEqual(['unit:C6', 'unit:REJ', 'unit:RET', 'more', 'confirm', 'abandon']);
    expect(page2.options.find((o) => o.id === 'more')!.params).toEqual({ page: 2, pages: 2 });
    await choose(k, 'unit:RET');
    await waitFor(k, (m) => m.table!.rows.find((r) => r[0] === 'RET')![3] === '0', 'RET planned');
    await choose(k, 'confirm');
    await waitFor(k, (m) => m.message === 'sup.exchangeDone', 'done without a second operator (dual control off)');
    expect(k.journal.query({ kind: 'cash.exchange' })[0]!.data).toMatchObject({ by: '2001', confirmedBy: null });
  });
});
