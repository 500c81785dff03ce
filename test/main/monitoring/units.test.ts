/**
 * The pure parts of monitoring: alert rules and their tracker (with a controlled clock), cash views, token
 * verification and parsing, the outbox's bound and coalescing. Statuses are real ones read from a test kiosk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertTracker, deriveConditions } from '../../../main/monitoring/alerts';
import { cashView } from '../../../main/monitoring/cash';
import { bearerFromHeader, bearerFromProtocols, generateToken, hashToken, parseExpiry, TokenVerifier } from '../../../main/monitoring/tokens';
import { Outbox } from '../../../main/monitoring/outbox';
import { AlertHistoryStore } from '../../../main/monitoring/alert-history';
import { TransactionOutcomes } from '../../../main/monitoring/transaction-outcomes';
import type { KioskStatus } from '../../../main/core/status';
import type { Kiosk } from '../../../main/core/kiosk';
import { startTestKiosk, waitForScreen } from '../../support/kiosk-harness';

let kiosk: Kiosk;
let base: KioskStatus;
beforeAll(async () => {
  kiosk = await startTestKiosk();
  await waitForScreen(kiosk, 'welcome');
  base = kiosk.status();
});
afterAll(async () => {
  await kiosk?.stop();
});

const clone = (): KioskStatus => structuredClone(base);

describe('alert rules', () => {
  it('a healthy kiosk in service has no alert', () => {
    expect(deriveConditions(base, false)).toEqual([]);
  });

  it('devices, host, paper, cash units, bins and the retain bin', () => {
    const s = clone();
    s.devices.dispenser.device = 'hardwareError';
    s.devices.printer.device = 'offline';
    s.devices.printer.paper = 'low';
    s.host.online = false;
    const units = s.cashUnits;
    const cst1 = units.find((u) => u.id === 'CST1')!;
    cst1.count = cst1.lowThreshold; // at the threshold: low
    const cst2 = units.find((u) => u.id === 'CST2')!;
    cst2.count = 0;
    const rej = units.find((u) => u.type !== 'dispense')!;
    rej.count = rej.capacity;
    s.devices.cardReader.retainBin = { ...s.devices.cardReader.retainBin, state: 'high' };
    const ids = deriveConditions(s, true).map((c) => `${c.severity} ${c.id}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        'critical device.dispenser.hardwareError',
        'warning device.printer.offline',
        'critical host.offline',
        'warning cash.CST1.low',
        'critical cash.CST2.empty',
        `critical bin.${rej.id}.full`,
        'warning printer.paper.low',
        'warning retainBin.high',
        'warning reversals.pending',
      ]),
    );
    expect(ids).toHaveLength(9);
  });

  it('no host alert while starting; out of service by command is information, otherwise a warning', () => {
    const s = clone();
    s.app = 'starting';
    s.host.online = false;
    expect(deriveConditions(s, false)).toEqual([]);
    s.app = 'outOfService';
    s.forcedOut = true;
    expect(deriveConditions(s, false).map((c) => `${c.severity} ${c.id}`)).toEqual(['critical host.offline', 'info app.outOfService']);
    s.forcedOut = false;
    expect(deriveConditions(s, false).find((c) => c.id === 'app.outOfService')!.severity).toBe('warning');
  });

  it('tracker: raised once with its start time, cleared once; the reversal queue only after it stays non-empty', () => {
    let now = Date.parse('2026-01-01T10:00:00Z');
    const t = new AlertTracker(10 * 60_000, () => now);
    expect(t.update(base)).toEqual({ raised: [], cleared: [] });
    const s = clone();
    s.reversalQueueDepth = 2;
    s.devices.printer.paper = 'out';
    const first = t.update(s);
    expect(first.raised.map((a) => a.id)).toEqual(['printer.paper.out']);
    expect(first.raised[0]!.since).toBe('2026-01-01T10:00:00.000Z');
    now += 5 * 60_000;
    expect(t.update(s)).toEqual({ raised: [], cleared: [] });
    now += 5 * 60_000;
    const overdue = t.update(s);
    expect(overdue.raised.map((a) => a.id)).toEqual(['reversals.pending']);
    // since = when the queue first became non-empty
    expect(overdue.raised[0]!.since).toBe('2026-01-01T10:00:00.000Z');
    expect(t.list().map((a) => a.id)).toEqual(['printer.paper.out', 'reversals.pending']);
    const ok = t.update(base);
    expect(ok.cleared.map((a) => a.id).sort()).toEqual(['printer.paper.out', 'reversals.pending']);
    expect(t.list()).toEqual([]);
  });
});

describe('cash view', () => {
  it('level, value and flags', () => {
    const u = { ...base.cashUnits.find((x) => x.id === 'CST1')! };
    expect(cashView({ ...u, count: 1250, capacity: 2500 })).toMatchObject({ level: 0.5, value: 1250 * u.denomination, low: false, empty: false });
    expect(cashView({ ...u, count: 0 })).toMatchObject({ low: true, empty: true, value: 0 });
    const bin = base.cashUnits.find((x) => x.type !== 'dispense')!;
    expect(cashView({ ...bin, count: bin.capacity })).toMatchObject({ full: true, high: true, value: 0, level: 1 });
  });
});

describe('tokens', () => {
  it('verifies by hash in constant time; expiry at the instant; scopes and names returned', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a.token).not.toBe(b.token);
    expect(a.sha256).toBe(hashToken(a.token));
    let now = Date.parse('2026-06-01T00:00:00Z');
    const v = new TokenVerifier([{ name: 'a', sha256: a.sha256, scopes: ['read'], expiresAt: '2026-06-02T00:00:00Z' }], { now: () => now });
    expect(v.verify(a.token)).toEqual({ ok: true, name: 'a', scopes: ['read'], expiresAt: '2026-06-02T00:00:00Z' });
    expect(v.verify(b.token)).toEqual({ ok: false, reason: 'invalid' });
    expect(v.verify('')).toEqual({ ok: false, reason: 'missing' });
    expect(v.verify('x'.repeat(600))).toEqual({ ok: false, reason: 'invalid' });
    now = Date.parse('2026-06-02T00:00:00Z');
    expect(v.verify(a.token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('parses headers and subprotocols, durations and dates', () => {
    expect(bearerFromHeader('Bearer atm_abc-_1')).toBe('atm_abc-_1');
    expect(bearerFromHeader('bearer atm_x')).toBe('atm_x');
    expect(bearerFromHeader('Basic abc')).toBeUndefined();
    expect(bearerFromHeader('Bearer a b')).toBeUndefined();
    expect(bearerFromProtocols('bearer, atm_tok')).toBe('atm_tok');
    expect(bearerFromProtocols('bearer.atm_tok')).toBe('atm_tok');
    expect(bearerFromProtocols('chat')).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseExpiry('90d', now)).toBe('2026-04-01T00:00:00.000Z');
    expect(parseExpiry('12h', now)).toBe('2026-01-01T12:00:00.000Z');
    expect(parseExpiry('2027-01-01T00:00:00Z', now)).toBe('2027-01-01T00:00:00.000Z');
    expect(() => parseExpiry('0d', now)).toThrow('must be more than 0');
    expect(() => parseExpiry('tomorrow', now)).toThrow('use a duration');
    expect(() => parseExpiry('2025-01-01', now)).toThrow('is in the past');
  });
});

describe('outbox', () => {
  it('keeps order, coalesces latest-value topics, drops the oldest events beyond capacity, survives reopening', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'atm-outbox-')), 'o.db');
    const o = new Outbox(path, 4);
    o.push('s', 'status1', { retain: true, coalesce: 'status' });
    o.push('a', 'alert1');
    o.push('s', 'status2', { retain: true, coalesce: 'status' });
    expect(o.size()).toBe(2);
    expect(o.peek()).toMatchObject({ topic: 'a', payload: 'alert1', retain: false });
    for (let i = 2; i <= 5; i++) o.push('a', `alert${i}`);
    expect(o.size()).toBe(4);
    expect(o.dropped).toBe(2);
    // the two oldest events went; the latest status stays
    expect(o.peek()!.payload).toBe('status2');
    o.ack(o.peek()!.id);
    o.close();
    const again = new Outbox(path, 4);
    expect(again.size()).toBe(3);
    expect(again.peek()!.payload).toBe('alert3');
    again.close();
  });
});

describe('alert history store', () => {
  it('keeps the newest N cleared alerts, newest first, across reopening', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'atm-alerts-')), 'monitoring.db');
    const h = new AlertHistoryStore(path, 3);
    for (let i = 1; i <= 5; i++) h.add({ id: `a${i}`, severity: 'warning', message: `m${i}`, since: '2026-01-01T00:00:00.000Z', clearedAt: `2026-01-01T00:0${i}:00.000Z` });
    expect(h.list().map((a) => a.id)).toEqual(['a5', 'a4', 'a3']);
    h.close();
    const again = new AlertHistoryStore(path, 3);
    expect(again.list(2)).toEqual([
      { id: 'a5', severity: 'warning', message: 'm5', since: '2026-01-01T00:00:00.000Z', clearedAt: '2026-01-01T00:05:00.000Z' },
      { id: 'a4', severity: 'warning', message: 'm4', since: '2026-01-01T00:00:00.000Z', clearedAt: '2026-01-01T00:04:00.000Z' },
    ]);
    again.close();
  });
});

describe('transaction outcomes', () => {
  it('follows a transaction from its journal entries', () => {
    const t = new TransactionOutcomes();
    const e = (seq: number, kind: string, data: Record<string, unknown>, ts: string) => ({ seq, ts, terminal: 'T', txn: 7, kind, maskedPan: null, data, hash: '' });
    expect(t.observe(e(1, 'transaction.start', { type: 'withdrawal' }, '2026-01-01T00:00:00.000Z'))).toBeNull();
    expect(t.observe(e(2, 'host.request', { mti: '0200' }, '2026-01-01T00:00:01.000Z'))).toBeNull();
    expect(t.observe(e(3, 'host.response', { responseCode: '51' }, '2026-01-01T00:00:01.250Z'))).toEqual({ txn: 7, type: 'withdrawal', result: 'declined', mti: '0200', latencyMs: 250 });
  });
});
