/**
 * The host simulator as its own process (remote-mode host and phone scripts): a real child process on loopback,
 * driven by JSON lines on stdin, with the real ATM link connected to it over TCP.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeAtmWithdrawalQr } from '../../../main/cardless/emvco-qr';
import { parseConfig } from '../../../main/config/config';
import { SIM_DECIMALIZATION, SIM_PVK } from '../../../main/core/kiosk';
import { cardlessReferenceField } from '../../../main/host/messages';
import { DEFAULT_PROFILE } from '../../../main/host/profile';
import { DEFAULT_PIN_KEY, DEFAULT_SIM_KEYS } from '../../../main/host-sim/standalone';
import { cleanup, cleanupLater, card, startAtm, tempDir, withdraw } from './sim-fixture';

afterEach(cleanup);

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const visa = card('visa-debit');

function startProcess(args: string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', 'main/host-sim/standalone.ts', ...args], { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let waiting: (() => void) | null = null;
  createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(l);
    waiting?.();
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  cleanupLater(() => {
    if (child.exitCode === null) child.kill();
    return exited;
  });
  const next = async (): Promise<Record<string, unknown>> => {
    while (!lines.length) {
      if (child.exitCode !== null) throw new Error(`simulator exited ${child.exitCode}: ${stderr}`);
      await new Promise<void>((r) => {
        waiting = r;
        void exited.then(() => r());
      });
      waiting = null;
    }
    return JSON.parse(lines.shift()!) as Record<string, unknown>;
  };
  const send = (cmd: unknown) => {
    child.stdin.write(`${typeof cmd === 'string' ? cmd : JSON.stringify(cmd)}\n`);
    return next();
  };
  return { child, next, send, exited, stderr: () => stderr };
}

describe('standalone host simulator process', () => {
  it('uses the kiosk simulator keys by default', () => {
    expect(DEFAULT_PIN_KEY).toBe(parseConfig({}).pinpad.testPinKey);
    expect(Buffer.from(DEFAULT_SIM_KEYS.pvk).equals(SIM_PVK)).toBe(true);
    expect(DEFAULT_SIM_KEYS.decimalizationTable).toBe(SIM_DECIMALIZATION);
  });

  it('serves the ATM over TCP while a script plays the phone and the operator on stdin', async () => {
    const p = startProcess(['--data', tempDir()]);
    const { listening } = (await p.next()) as { listening: number };
    expect(listening).toBeGreaterThan(0);
    const atm = await startAtm(listening);
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
    // The phone confirms the ATM's QR; the ATM's status inquiry then sees it.
    const qr = makeAtmWithdrawalQr({ amount: '40.00', currency: '840', country: 'US', merchantName: 'OPEN ATM', city: 'X', reference: 'REF-SCRIPT' });
    expect(await p.send({ op: 'confirmQr', payload: qr, cardId: 'visa-debit' })).toEqual({ ok: true, reference: 'REF-SCRIPT', amount: 4000 });
    const status = await atm.link.authorize({ mti: '0100', processingCode: DEFAULT_PROFILE.processingCodes.cardlessInquiry, amount: 0, card: { pan: '' }, posEntryMode: '031', extraFields: cardlessReferenceField(DEFAULT_PROFILE, 'qr', 'REF-SCRIPT') });
    expect(status.responseCode).toBe('00');
    const code = (await p.send({ op: 'issueCode', cardId: 'mc-debit', amount: 2000 })) as { ok: boolean; code: string };
    expect(code.code).toMatch(/^\d{8}$/);
    expect(await p.send({ op: 'fault', fault: 'issuerDown' })).toEqual({ ok: true });
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('91');
    expect(await p.send({ op: 'fault', fault: 'none' })).toEqual({ ok: true });
    expect(await p.send({ op: 'balance', cardId: 'visa-debit' })).toEqual({ ok: true, balance: visa.balance - 2000 });
    expect(await p.send({ op: 'status', cardId: 'visa-debit', status: 'blocked' })).toEqual({ ok: true });
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('05');
    // Bad commands get a clear answer and the next line is still read.
    expect(await p.send('not json')).toEqual({ ok: false, error: 'not JSON' });
    expect(await p.send({ op: 'fault', fault: 'fire' })).toMatchObject({ ok: false, error: expect.stringContaining('fault is one of') });
    expect(await p.send({ op: 'nope' })).toMatchObject({ ok: false });
    expect(await p.send({ op: 'stats' })).toMatchObject({ ok: true, fault: 'none', requests: expect.any(Number) });
    const all = JSON.stringify(await p.send({ op: 'balance', cardId: 'mc-debit' }));
    expect(all).not.toContain(card('mc-debit').pan);
    // End of input closes it cleanly.
    await atm.stop();
    p.child.stdin.end();
    expect(await p.exited).toBe(0);
    expect(p.stderr()).not.toContain(visa.pan);
  });

  it('refuses bad arguments with exit 64 and a message', async () => {
    const p = startProcess(['--packager', 'x']);
    expect(await p.exited).toBe(64);
    expect(p.stderr()).toContain('--data <dir> is required');
  });
});
