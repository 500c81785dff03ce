/**
 * Hostile values through the real logger (pino + pino-roll, files on disk), then every file in logs/ is scanned for
 * PAN, track and key material. Plus the scrubber's rules on their own.
 */
import { describe, expect, it } from 'vitest';
import { lstatSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../main/ops/logger';
import { isSensitiveKey, leaksCardData, REDACTED, scrubText, scrubValue } from '../../../main/ops/scrub';
import { containsPan, containsTrackData } from '../../../journals/pan';

const PAN = '4761739001010010'; // Visa test PAN (Luhn-valid)
const PAN19 = '6250947000000000019'; // 19 digits, Luhn-valid
const PAN_SPACED = '4111 1111 1111 1111';
const PAN_DASHED = '5555-5555-5555-4444';
const TRACK2 = `${PAN}=25122011234567890`;
const TRACK2_SENTINELS = `;${PAN}D2512201000000?`;
const TRACK1 = `%B${PAN}^CARDHOLDER/JOHN^2512201000000000000000?`;
const PIN_BLOCK = '041274EDCBA9876F';
const KEY = '0123456789ABCDEFFEDCBA9876543210';
const KEK = 'C0FFEE00112233445566778899AABBCC';

/** Everything that must never be in a log file. */
const SECRETS = [PAN, PAN19, PAN_SPACED, PAN_DASHED, PAN_SPACED.replace(/ /g, ''), PAN_DASHED.replace(/-/g, ''), TRACK2, '25122011234567890', TRACK1, 'CARDHOLDER/JOHN', PIN_BLOCK, KEY, KEK, '1234567', '987'];

function readLogs(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log') && lstatSync(join(dir, f)).isFile())
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
}

describe('logger', () => {
  it('writes JSON lines to rotated files under <dataDir>/logs with no card or key material', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'atm-log-'));
    const { logger, dir, close } = await createLogger({ dataDir, stdout: false, level: 'trace', base: { terminal: 'ATM00001' } });
    expect(dir).toBe(join(dataDir, 'logs'));
    logger.info(`card read ${PAN} track2 ${TRACK2}`);
    logger.info('interpolated %s and %o and %j', TRACK1, { track2: TRACK2 }, { note: `pan ${PAN19}` });
    logger.warn({ pan: PAN, card: { number: PAN_SPACED, holder: TRACK1 }, list: [PAN_DASHED, { deeper: { deepest: [TRACK2_SENTINELS] } }] }, 'nested');
    logger.info({ pinBlock: PIN_BLOCK, pin: '1234567', cvv: '987', key: KEY, kek: KEK, zpk: KEY, track: TRACK2, keys: { 'PIN.ZPK': KEY }, clearKey: KEY }, 'fields');
    logger.info({ keyName: 'PIN.ZPK', keyCount: 2, pinLength: 4, maskedPan: '476173******0010', amount: 2000 }, 'safe fields stay');
    logger.error({ err: Object.assign(new Error(`host refused ${PAN} pin=1234567`), { code: 'E_HOST', track2: TRACK2 }) }, 'errors');
    logger.error(new Error(`decline for ${TRACK2}`));
    logger.info(`operator typed key=${KEY} and pin block: ${PIN_BLOCK}`);
    const child = logger.child({ session: { pan: PAN, track: TRACK1 } });
    child.info({ pinblock: PIN_BLOCK }, 'child');
    const circular: Record<string, unknown> = { pan: PAN };
    circular.self = circular;
    logger.info({ circular, buf: Buffer.from(KEY, 'hex'), n: Number(PAN) }, 'odd values');
    await close();

    const text = readLogs(dir);
    const lines = text.trim().split('\n');
    expect(lines.length).toBe(10);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    for (const s of SECRETS) expect(text, `leaked ${s}`).not.toContain(s);
    expect(containsPan(text)).toBe(false);
    expect(containsTrackData(text)).toBe(false);
    // Useful information survives.
    expect(text).toContain('476173******0010');
    expect(text).toContain('411111******1111');
    expect(text).toContain('[TRACK2 REDACTED]');
    expect(text).toContain('[TRACK1 REDACTED]');
    const safe = JSON.parse(lines[4]!) as Record<string, unknown>;
    expect(safe).toMatchObject({ msg: 'safe fields stay', keyName: 'PIN.ZPK', keyCount: 2, pinLength: 4, maskedPan: '476173******0010', amount: 2000, terminal: 'ATM00001', level: 30 });
    const fields = JSON.parse(lines[3]!) as Record<string, unknown>;
    expect(fields).toMatchObject({ pinBlock: REDACTED, pin: REDACTED, cvv: REDACTED, key: REDACTED, kek: REDACTED, zpk: REDACTED, track: REDACTED, keys: REDACTED, clearKey: REDACTED });
    const err = JSON.parse(lines[5]!) as { err: { type: string; message: string; code: string; track2: string; stack: string } };
    expect(err.err).toMatchObject({ type: 'Error', code: 'E_HOST', track2: REDACTED });
    expect(err.err.message).toBe('host refused 476173******0010 pin=[REDACTED]');
    expect(typeof JSON.parse(lines[0]!).time).toBe('string');
  });

  it('rotates by size and keeps a bounded number of files', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'atm-log-'));
    const { logger, dir, close } = await createLogger({ dataDir, stdout: false, maxSizeMb: 1, keepFiles: 2 });
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < 3500; i++) logger.info({ i, filler, pan: PAN }, `line ${i} ${TRACK2}`);
    await new Promise((r) => setTimeout(r, 500)); // pino-roll rolls once the buffered writes drained
    await close();
    const files = readdirSync(dir).filter((f) => /^kiosk\.\d+\.log$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files.length).toBeLessThanOrEqual(3);
    const text = readLogs(dir);
    expect(leaksCardData(text)).toBe(false);
  });
});

describe('scrubber', () => {
  it('masks PANs in text (first 6 / last 4) and leaves other numbers alone', () => {
    expect(scrubText(`pan ${PAN} end`)).toBe('pan 476173******0010 end');
    expect(scrubText(PAN_SPACED)).toBe('411111******1111');
    expect(scrubText('order 4761739001010011 (not Luhn), stan 000123, time 2025-01-01T10:00:00.000Z')).toBe('order 4761739001010011 (not Luhn), stan 000123, time 2025-01-01T10:00:00.000Z');
    expect(scrubText(scrubText(`x ${PAN}`))).toBe(scrubText(`x ${PAN}`));
  });

  it('removes track data', () => {
    expect(scrubText(`t2=${TRACK2}`)).toBe('t2=[TRACK2 REDACTED]');
    expect(scrubText(TRACK2_SENTINELS)).toBe('[TRACK2 REDACTED]');
    expect(scrubText(`read ${TRACK1} ok`)).toBe('read [TRACK1 REDACTED] ok');
  });

  it('redacts secrets named in text', () => {
    const once = scrubText('pin=1234 kek: ABCD zpk="00FF" password is hunter2');
    expect(once).toBe('pin=[REDACTED] kek: [REDACTED] zpk="[REDACTED]" password is [REDACTED]');
    expect(scrubText(once)).toBe(once);
  });

  it('classifies field names', () => {
    for (const k of ['pin', 'PIN', 'pinBlock', 'pin_block', 'encryptedPinBlock', 'key', 'kek', 'zpk', 'ZMK', 'tmk', 'bdk', 'ipek', 'track', 'track2', 'track1Data', 'cvv', 'cvv2', 'cvc', 'password', 'clearKey', 'keyBlock', 'keyComponents', 'pan', 'PAN']) expect(isSensitiveKey(k), k).toBe(true);
    for (const k of ['keyName', 'keyCount', 'pinLength', 'maskedPan', 'pinpad', 'amount', 'terminal', 'stan', 'kcv', 'keyKcv', 'monkey', 'pinTries']) expect(isSensitiveKey(k), k).toBe(false);
  });

  it('deep-scrubs values without mutating them', () => {
    const input = { a: { b: [{ pan: PAN }, `x ${PAN}`] }, at: 1718000000000 };
    const out = scrubValue(input) as { a: { b: [{ pan: string }, string] }; at: number };
    expect(out.a.b[0].pan).toBe(REDACTED);
    expect(out.a.b[1]).toBe('x 476173******0010');
    expect(out.at).toBe(1718000000000);
    expect(input.a.b[0]).toEqual({ pan: PAN });
  });
});
