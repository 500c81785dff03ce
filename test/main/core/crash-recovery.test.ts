/**
 * Kills the core process (SIGKILL) at every step of a withdrawal, restarts it on the same data directory and
 * checks the money: no double dispense, the account debited exactly by the cash delivered, a reversal for the
 * rest, counts equal to the simulated cassettes, journal chain valid.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInvariants } from '../../../main/core/invariants';
import { card, startTestKiosk } from '../../support/kiosk-harness';

const KILL_POINTS: Array<{ at: string; delivered: number }> = [
  { at: 'host.request', delivered: 0 },
  { at: 'host.response', delivered: 0 },
  { at: 'dispense.requested', delivered: 0 },
  { at: 'pick:1', delivered: 0 },
  { at: 'pick:2', delivered: 0 },
  { at: 'dispense.completed', delivered: 0 },
  { at: 'card.ejected', delivered: 0 },
  { at: 'cash.presented', delivered: 0 },
  { at: 'cash.taken', delivered: 6000 },
];

describe('crash at every step of a withdrawal', () => {
  for (const kp of KILL_POINTS) {
    it(`SIGKILL at ${kp.at}: recovery reconciles the money`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'atm-crash-'));
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/crash-child.ts', dataDir, kp.at], { encoding: 'utf8', timeout: 60_000 });
      expect(child.signal, `child must die by SIGKILL at ${kp.at} (stderr: ${child.stderr.slice(-500)})`).toBe('SIGKILL');

      const k = await startTestKiosk({}, {}, dataDir);
      try {
        const report = await k.recovery;
        expect(report).not.toBeNull();
        expect(await k.host.drain(10_000)).toBe(true);
        const c = card('visa-debit');
        const units = k.sims.dispenser.cashUnits();
        const inv = checkInvariants({ journal: k.journal, txns: k.txns, units, hostNetDebits: k.hostSim!.bank.netDebits(k.config.terminal.id), reversalQueueDepth: k.reversals.depth() });
        expect(inv.checks.filter((x) => !x.ok)).toEqual([]);
        expect(inv.cassetteDelivered).toBe(kp.delivered);
        expect(k.hostSim!.bank.balanceOfPan(c.pan)).toBe(c.balance - kp.delivered);
        // No double dispense: never more notes left the cassettes than the one withdrawal asked for.
        const picked = units.filter((u) => u.type === 'dispense').reduce((n, u) => n + (u.initial - u.count), 0);
        expect(picked).toBeLessThanOrEqual(3);
        // Nothing left in the stacker or the output slot.
        expect(k.sims.dispenser.status()).toMatchObject({ intermediateStacker: 'empty', outputPosition: 'empty' });
        if (kp.delivered === 0 && kp.at !== 'host.request') expect(k.journal.query({ kind: 'reversal.acknowledged' }).length).toBe(1);
      } finally {
        await k.stop();
      }
    });
  }
});

/**
 * A transfer moves no cash, but money moves at the host: a power cut before the request leaves changes nothing,
 * one after the host applied it but before its answer arrived is reversed by recovery, and one after the answer
 * was recorded leaves the completed transfer standing.
 */
const TRANSFER_KILL_POINTS: Array<{ at: string; moved: boolean; reversal: boolean }> = [
  { at: 'host.request', moved: false, reversal: false },
  { at: 'host.moved', moved: false, reversal: true },
  { at: 'host.response', moved: true, reversal: false },
];

describe('crash during a transfer', () => {
  for (const kp of TRANSFER_KILL_POINTS) {
    it(`SIGKILL at ${kp.at}: the accounts end ${kp.moved ? 'with the transfer' : 'as before'}`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'atm-crash-xfer-'));
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/crash-child.ts', dataDir, kp.at, 'transfer'], { encoding: 'utf8', timeout: 60_000 });
      expect(child.signal, `child must die by SIGKILL at ${kp.at} (stderr: ${child.stderr.slice(-500)})`).toBe('SIGKILL');

      const k = await startTestKiosk({}, {}, dataDir);
      try {
        expect(await k.recovery).not.toBeNull();
        expect(await k.host.drain(10_000)).toBe(true);
        const c = card('visa-debit');
        const bank = k.hostSim!.bank;
        expect(bank.balanceOfPan(c.pan)).toBe(c.balance - (kp.moved ? 4000 : 0));
        expect(bank.savingsOfPan(c.pan)).toBe(Math.floor(c.balance / 2) + (kp.moved ? 4000 : 0));
        const txn = k.journal.query({ kind: 'host.request' })[0]!.txn!;
        expect(k.txns.get(txn)!.type).toBe('transfer');
        expect(k.journal.query({ kind: 'reversal.acknowledged' }).map((e) => e.txn)).toEqual(kp.reversal ? [txn] : []);
        expect(k.txns.unfinished()).toEqual([]);
        expect(k.journal.verify().ok).toBe(true);
      } finally {
        await k.stop();
      }
    });
  }
});
