import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_DATA_LENGTH, EOT, RESPONSE_DATA_LENGTH, SOH, bcc, encodeCommand, encodeResponse, readTwoDigits, scanFrame, twoDigits } from '../../../../devices/adapters/puloon/lcdm-frame';
import { describeLcdmError } from '../../../../devices/adapters/puloon/lcdm-errors';
import { parseDispense, parseStatus } from '../../../../devices/adapters/puloon/lcdm-responses';
import { JsonFileCountsStore } from '../../../../devices/adapters/puloon/counts-store';
import type { CashUnit } from '../../../../devices/dispenser/types';

describe('LCDM framing', () => {
  it('builds EOT id STX cmd data ETX BCC with BCC = XOR through ETX', () => {
    const f = encodeCommand(0x50, 0x45, twoDigits(12));
    expect([...f]).toEqual([0x04, 0x50, 0x02, 0x45, 0x31, 0x32, 0x03, 0x04 ^ 0x50 ^ 0x02 ^ 0x45 ^ 0x31 ^ 0x32 ^ 0x03]);
    expect(bcc(f)).toBe(0);
  });
  it('scans frames after noise, waits for more bytes, flags bad BCC / unknown commands', () => {
    const r = encodeResponse(0x50, 0x44, [0x30]);
    expect(scanFrame(Buffer.concat([Buffer.from([0xaa]), r]), SOH, RESPONSE_DATA_LENGTH)).toMatchObject({ kind: 'frame', frame: { cmd: 0x44 }, consumed: 8 });
    expect(scanFrame(r.subarray(0, 5), SOH, RESPONSE_DATA_LENGTH)).toEqual({ kind: 'need-more' });
    const bad = Buffer.from(r);
    bad[6] = bad[6]! ^ 1;
    expect(scanFrame(bad, SOH, RESPONSE_DATA_LENGTH)).toMatchObject({ kind: 'bad', cmd: 0x44, length: 7 });
    expect(scanFrame(Buffer.from([EOT, 0x50, 0x02, 0x99, 0x03, 0x00]), EOT, COMMAND_DATA_LENGTH)).toMatchObject({ kind: 'bad', cmd: 0x99 });
  });
  it('parses two-digit counts, dispense and status data', () => {
    expect(readTwoDigits(Buffer.from('42'), 0)).toBe(42);
    expect(readTwoDigits(Buffer.from('4x'), 0)).toBeNull();
    expect(parseDispense(Buffer.from([0x30, 0x35, 0x30, 0x34, 0x30, 0x30, 0x30, 0x31]))).toEqual({ checked: 5, exited: 4, rejected: 1, error: 0x30 });
    expect(parseDispense(Buffer.from('zz04' + '00' + '01'))).toBeNull();
    expect(parseStatus(Buffer.from([0x30, 0x30, 0x20 | 0x01, 0x02])).sensors).toMatchObject({ exitBlocked: true, pathBlocked: true, upperMissing: true, lowerMissing: false });
  });
  it('classifies error bytes', () => {
    expect(describeLcdmError(0x30).kind).toBe('ok');
    expect(describeLcdmError(0x33).kind).toBe('jam');
    expect(describeLcdmError(0x38).kind).toBe('cashUnit');
    expect(describeLcdmError(0x32).kind).toBe('incomplete');
    expect(describeLcdmError(0x41).kind).toBe('hardware');
    expect(describeLcdmError(0x99)).toEqual({ text: 'unknown error 0x99', kind: 'hardware' });
  });
});

describe('JSON-file counts store', () => {
  it('round-trips units atomically and rejects corrupt files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lcdm-counts-'));
    const path = join(dir, 'sub', 'counts.json');
    const store = new JsonFileCountsStore(path);
    expect(store.load()).toBeNull();
    const unit: CashUnit = { id: 'U', type: 'dispense', currency: 'EUR', denomination: 2000, initial: 5, count: 5, dispensed: 0, presented: 0, rejected: 0, retracted: 0, lowThreshold: 1, capacity: 10, state: 'ok' };
    store.save([unit]);
    expect(store.load()).toEqual([unit]);
    writeFileSync(path, '{"units":[{"id":3}]}');
    expect(store.load()).toBeNull();
    writeFileSync(path, 'not json');
    expect(store.load()).toBeNull();
  });
});
