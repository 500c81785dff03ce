import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, jsonErrorOffset, loadConfig, parseConfig, resolveConfigPath } from '../../../main/config/config';

function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input, 'test.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config validation', () => {
  it('defaults run the simulator', () => {
    const c = parseConfig({});
    expect(c.profile).toBe('simulator');
    expect(c.devices.cardReader.kind).toBe('simulator');
    expect(c.host.mode).toBe('embedded');
    expect(c.ops.watchdog.heartbeatMs).toBeGreaterThan(0);
    expect(c.ops.storage.minFreeMb).toBeLessThan(c.ops.storage.warnFreeMb);
  });

  it('names the path and the rule for bad values', () => {
    const p = problemsOf({ host: { port: 70000, mode: 'cloud' }, terminal: { fastCash: [1.5] }, devices: { printer: { kind: 'escpos', port: '' } } });
    expect(p).toContain('host.port: must be <= 65535');
    expect(p).toContain('host.mode: must be one of "embedded", "remote"');
    expect(p).toContain('terminal.fastCash[0]: must be a whole number (got 1.5)');
    expect(p).toContain('devices.printer.port: must be at least 1 character long');
  });

  it('keeps messages written into the schema', () => {
    expect(problemsOf({ terminal: { id: 'TOO-LONG-ID' } })).toEqual(['terminal.id: terminal id is ans8']);
  });

  it('reports type errors and unknown device kinds', () => {
    expect(problemsOf({ ui: { openBrowser: 'yes' } })).toEqual(['ui.openBrowser: must be a boolean (got string)']);
    expect(problemsOf({ devices: { cardReader: { kind: 'ncr' } } })).toEqual(['devices.cardReader.kind: must be one of "simulator", "sankyo", "magtek", "xfs4iot"']);
    expect(problemsOf({ devices: { dispenser: { kind: 'puloon' } } })).toEqual(['devices.dispenser.upper: is required', 'devices.dispenser.lower: is required']);
  });

  it('rejects unknown keys at every level, one line each', () => {
    expect(problemsOf({ hots: {}, host: { prot: 1 }, simulator: { cassettes: [{ id: 'A', denomination: 1, count: 1, colour: 'red' }] } })).toEqual([
      'host.prot: unknown key',
      'simulator.cassettes[0].colour: unknown key',
      'hots: unknown key',
    ]);
    expect(problemsOf({ devices: { cardReader: { kind: 'sankyo', baud: 9600 } } })).toEqual(['devices.cardReader.baud: unknown key']);
  });

  it('hardware profile: real adapters by default, the dispenser must be described', () => {
    expect(problemsOf({ profile: 'hardware' })).toEqual(['devices.dispenser: the hardware profile needs a real adapter here (kind "puloon" or "xfs4iot")']);
    const c = parseConfig({
      profile: 'hardware',
      devices: { dispenser: { kind: 'puloon', upper: { denomination: 2000, initialCount: 0 }, lower: { denomination: 5000, initialCount: 0 } } },
    });
    expect(c.devices.cardReader).toEqual({ kind: 'sankyo', port: '/dev/ttyUSB0', baudRate: 38400 });
    expect(c.devices.printer).toMatchObject({ kind: 'escpos', port: '/dev/ttyUSB2' });
    expect(c.devices.dispenser).toMatchObject({ kind: 'puloon', port: '/dev/ttyUSB1' });
    expect(problemsOf({ profile: 'hardware', devices: { cardReader: { kind: 'simulator' }, dispenser: { kind: 'xfs4iot', uri: 'ws://x' } } })).toEqual([
      'devices.cardReader: the hardware profile needs a real adapter here (kind "sankyo", "magtek" or "xfs4iot")',
    ]);
  });

  it('accepts HID ids as numbers or hex strings', () => {
    const c = parseConfig({ devices: { cardReader: { kind: 'magtek', vendorId: '0x0801', productIds: ['0x0002', 17] } } });
    expect(c.devices.cardReader).toEqual({ kind: 'magtek', vendorId: 0x0801, productIds: [2, 17] });
    expect(problemsOf({ devices: { cardReader: { kind: 'magtek', vendorId: 70000 } } })[0]).toMatch(/^devices\.cardReader\.vendorId: /);
  });

  it('the example files are valid', () => {
    expect(() => loadConfig('atm.config.example.json', { mustExist: true })).not.toThrow();
    const hw = loadConfig('build/linux/atm.config.hardware.example.json', { mustExist: true });
    expect(hw.profile).toBe('hardware');
    expect(hw.devices.dispenser.kind).toBe('puloon');
  });
});

describe('config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atm-config-'));

  it('reports invalid JSON with line and column', () => {
    const f = join(dir, 'bad.json');
    writeFileSync(f, '{\n  "host": {\n    "port": 5000,\n  }\n}\n');
    expect(() => loadConfig(f)).toThrow(`${f}: not valid JSON at line 4, column 3: unexpected "}"`);
    writeFileSync(f, '{\n  "host": { "port": 5000 }');
    expect(() => loadConfig(f)).toThrow(/line 2, column 27: unexpected end of file/);
  });

  it('validating scanner agrees with JSON.parse', () => {
    const samples = ['{}', '[1, -2.5e3, "a\\u00e9\\n", true, null, {"a": [ ]}]', '{"a":1,}', '[01]', '"\\x"', '{"a" 1}', 'tru', '', ' [1] x', '-'];
    for (const s of samples) {
      let ok = true;
      try {
        JSON.parse(s);
      } catch {
        ok = false;
      }
      expect(jsonErrorOffset(s) === null, s).toBe(ok);
    }
  });

  it('reports schema errors with the file name', () => {
    const f = join(dir, 'port.json');
    writeFileSync(f, JSON.stringify({ host: { port: 99999 } }));
    expect(() => loadConfig(f)).toThrow(`${f} is invalid:\n  host.port: must be <= 65535`);
  });

  it('a file named explicitly must exist; the implicit one may not', () => {
    expect(() => loadConfig(join(dir, 'missing.json'), { mustExist: true })).toThrow(/configuration file not found/);
    expect(loadConfig(join(dir, 'missing.json')).profile).toBe('simulator');
  });

  it('--config wins over ATM_CONFIG, which wins over ./atm.config.json', () => {
    expect(resolveConfigPath(['--config', 'a.json'], { ATM_CONFIG: 'b.json' })).toEqual({ path: 'a.json', explicit: true });
    expect(resolveConfigPath(['--config=c.json'], { ATM_CONFIG: 'b.json' })).toEqual({ path: 'c.json', explicit: true });
    expect(resolveConfigPath([], { ATM_CONFIG: 'b.json' })).toEqual({ path: 'b.json', explicit: true });
    expect(resolveConfigPath([], {}, join(dir, 'none.json'))).toEqual({ path: undefined, explicit: false });
    writeFileSync(join(dir, 'atm.config.json'), '{}');
    expect(resolveConfigPath([], {}, join(dir, 'atm.config.json'))).toEqual({ path: join(dir, 'atm.config.json'), explicit: false });
    expect(() => resolveConfigPath(['--config'], {})).toThrow(/needs a file path/);
    expect(readFileSync(join(dir, 'atm.config.json'), 'utf8')).toBe('{}');
  });
});
