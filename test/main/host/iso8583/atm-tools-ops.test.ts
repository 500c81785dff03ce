/** atm-tools iso8583.decode / iso8583.encode ops, through the batch runner and through a real child process. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { main, runBatchLine } from '../../../../main/tools/atm-tools';

const run = (req: object) => runBatchLine(JSON.stringify(req));
// ISO87A 0800 from the jPOS-users fixture (see codec.test.ts)
const echoA = '080082200000800000000400000000000000070700020500020506600002301';
const echoAHex = Buffer.from(echoA, 'latin1').toString('hex');

describe('iso8583.decode', () => {
  it('decodes ISO87A, keys ascending as decimal strings', async () => {
    const out = await run({ op: 'iso8583.decode', packager: 'iso87a', hex: echoAHex });
    expect(out).toEqual({ mti: '0800', fields: { 7: '0707000205', 11: '000205', 33: '600002', 70: '301' } });
    expect(JSON.stringify(out)).toBe('{"mti":"0800","fields":{"7":"0707000205","11":"000205","33":"600002","70":"301"}}');
  });

  it('decodes ISO87B with binary fields as upper-case hex', async () => {
    const hex = '0200' + '4000000000001000' + '16' + '4761739001010119' + '0123456789abcdef';
    expect(await run({ op: 'iso8583.decode', packager: 'ISO87B', hex })).toEqual({ mti: '0200', fields: { 2: '4761739001010119', 52: '0123456789ABCDEF' } });
  });

  it('answers errors with field and offset in the message', async () => {
    expect(await run({ op: 'iso8583.decode', packager: 'iso87b', hex: '0200 2000000000000000 0100' })).toEqual({ error: 'field 3 at offset 10: truncated: needs 3 bytes, 2 left' });
    expect(await run({ op: 'iso8583.decode', packager: 'iso87c', hex: '00' })).toEqual({ error: 'unknown packager "iso87c"; known: iso87a, iso87b' });
    expect(await run({ op: 'iso8583.decode', packager: 'iso87a', hex: 'abc' })).toEqual({ error: '"hex" must be an even-length hex string' });
    expect(await run({ op: 'iso8583.decode', hex: '00' })).toEqual({ error: '"packager" must be a string' });
  });
});

describe('iso8583.encode', () => {
  it('encodes ISO87B to upper-case hex (binary fields given as hex)', async () => {
    const out = await run({ op: 'iso8583.encode', packager: 'iso87b', mti: '0200', fields: { 4: '100', 2: '4761739001010119', 52: '0123456789abcdef' } });
    expect(out).toEqual({ hex: '0200' + '5000000000001000' + '16' + '4761739001010119' + '000000000100' + '0123456789ABCDEF' });
  });

  it('round-trips with decode in both packagers', async () => {
    const fields = { 3: '010000', 11: '000042', 35: '4761739001010119=2212', 41: 'ATM00001', 55: '9F0206000000010000', 70: '301', 128: '0011223344556677' };
    for (const packager of ['iso87a', 'iso87b']) {
      const { hex } = (await run({ op: 'iso8583.encode', packager, mti: '0200', fields })) as { hex: string };
      expect(hex).toMatch(/^[0-9A-F]+$/);
      expect(await run({ op: 'iso8583.decode', packager, hex })).toEqual({ mti: '0200', fields });
    }
  });

  it('answers bad input with an error', async () => {
    const enc = (extra: object) => run({ op: 'iso8583.encode', packager: 'iso87a', mti: '0200', fields: {}, ...extra });
    expect(await enc({ fields: { 3: 'abc' } })).toEqual({ error: 'field 3 at offset 20: only digits allowed' });
    expect(await enc({ fields: { 52: 'xyz' } })).toEqual({ error: 'field 52 is binary: give an even-length hex string' });
    expect(await enc({ fields: { 3: 12 } })).toEqual({ error: 'field 3 must be a string' });
    expect(await enc({ fields: { x: '1' } })).toEqual({ error: 'field key "x" is not a field number' });
    expect(await enc({ fields: [] })).toEqual({ error: '"fields" must be an object' });
    expect(await enc({ mti: 200 })).toEqual({ error: '"mti" must be a string' });
    expect(await enc({ mti: '02000' })).toEqual({ error: 'MTI at offset 0: MTI must be 4 digits' });
  });
});

describe('atm-tools iso8583 subcommand', () => {
  it('decode and encode print JSON / hex; bad usage fails', async () => {
    const lines: string[] = [];
    const orig = console.log;
    console.log = (s: unknown) => void lines.push(String(s));
    const origErr = console.error;
    console.error = () => undefined;
    try {
      expect(await main(['iso8583', 'decode', '--packager', 'iso87a', echoAHex])).toBe(0);
      expect(await main(['iso8583', 'encode', '--packager=iso87b', '{"mti":"0800","fields":{"70":"301"}}'])).toBe(0);
      expect(await main(['iso8583', 'decode', echoAHex])).toBe(1);
      expect(await main(['iso8583', 'frob', '--packager', 'iso87a', '00'])).toBe(1);
    } finally {
      console.log = orig;
      console.error = origErr;
    }
    expect(JSON.parse(lines[0]!)).toEqual({ mti: '0800', fields: { 7: '0707000205', 11: '000205', 33: '600002', 70: '301' } });
    expect(lines[1]).toBe('0800' + '8000000000000000' + '0400000000000000' + '0301');
  });
});

describe('atm-tools batch (child process)', () => {
  it('answers one JSON line per request line, in order', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main/tools/atm-tools.ts', 'batch'], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stdin.write(JSON.stringify({ op: 'iso8583.encode', packager: 'iso87a', mti: '0800', fields: { 70: '301', 11: '7' } }) + '\n');
    child.stdin.write(JSON.stringify({ op: 'iso8583.decode', packager: 'iso87a', hex: echoAHex }) + '\n');
    child.stdin.write(JSON.stringify({ op: 'iso8583.decode', packager: 'iso87b', hex: 'FF' }) + '\n');
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const answers = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(answers).toHaveLength(3);
    expect(answers[0]).toEqual({ hex: Buffer.from('0800' + '8020000000000000' + '0400000000000000' + '000007' + '301', 'latin1').toString('hex').toUpperCase() });
    expect(answers[1]).toEqual({ mti: '0800', fields: { 7: '0707000205', 11: '000205', 33: '600002', 70: '301' } });
    expect(answers[2]).toEqual({ error: 'MTI at offset 0: truncated: MTI needs 2 bytes, 1 given' });
  }, 60_000);
});
