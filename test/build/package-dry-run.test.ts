/**
 * Packaging dry run: the real electron-builder (`build/package.mjs --dir`) with the real configuration, without
 * rebuilding native modules (that would replace the Node builds in node_modules that the other tests load).
 *   - Electron binary installed: it is the electronDist (no download); the fuses of the real binary are checked.
 *   - Not installed (it cannot be downloaded on every machine): a stand-in Electron distribution (a file that
 *     carries Electron's fuse wire) is packaged instead, so the asar, the unpack rules, the extra files and the
 *     afterPack fuse hook still run for real; only the real-binary check is skipped, with a message.
 * Skips entirely where dist/ has not been built (npm run build) or off Linux (output layout).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { listPackage } from '@electron/asar';
import { findElectronBinary } from '../../main/electron/electron-binary';

const binary = findElectronBinary();
const built = existsSync('dist/main/electron/main.js');
const linux = process.platform === 'linux';
if (!built) console.warn('SKIP packaging dry run: dist/ is missing (npm run build)');
else if (!linux) console.warn('SKIP packaging dry run: written for the Linux output layout');
else if (!binary) console.warn('SKIP packaging dry run with the real Electron binary: it is not installed (it cannot be downloaded on this machine); packaging a stand-in Electron distribution instead');

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

/** An "Electron distribution" whose executable carries the fuse wire in Electron's default state. */
function standInElectronDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'atm-electron-dist-'));
  tmp.push(dir);
  writeFileSync(join(dir, 'electron'), Buffer.concat([Buffer.from('\x7fELF stand-in '), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, 8]), Buffer.from('10110000 end')]));
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'version'), JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version);
  mkdirSync(join(dir, 'resources'));
  return dir;
}

function packageDir(electronDist: string): string {
  const out = mkdtempSync(join(tmpdir(), 'atm-package-'));
  tmp.push(out);
  const r = spawnSync(process.execPath, ['build/package.mjs', '--dir', '--linux', '-c.npmRebuild=false', `-c.electronDist=${electronDist}`, `-c.directories.output=${out}`], { encoding: 'utf8', timeout: 280_000 });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).toContain('electron fuses flipped');
  return join(out, 'linux-unpacked');
}

async function expectFlipped(exe: string): Promise<void> {
  const fuses = await getCurrentFuseWire(exe);
  const state = (o: FuseV1Options) => String.fromCharCode(fuses[o] as number);
  expect(state(FuseV1Options.RunAsNode)).toBe('0');
  expect(state(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe('0');
  expect(state(FuseV1Options.EnableNodeCliInspectArguments)).toBe('0');
  expect(state(FuseV1Options.EnableCookieEncryption)).toBe('1');
  expect(state(FuseV1Options.OnlyLoadAppFromAsar)).toBe('1');
  expect(state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe('1');
}

describe.skipIf(!built || !linux)('electron-builder --dir (dry run)', () => {
  it('packages the app: asar with the bundle, native addons unpacked, service files, fuses flipped', { timeout: 300_000 }, async () => {
    const appDir = packageDir(binary ? dirname(binary) : standInElectronDist());
    const asar = join(appDir, 'resources', 'app.asar');
    const entries = listPackage(asar, { isPack: false });
    expect(entries).toContain('/dist/main/electron/main.js');
    expect(entries).toContain('/dist/main/electron/preload.cjs');
    expect(entries).toContain('/dist/renderer/index.html');
    const topLevel = new Set(entries.map((e) => e.split('/')[1]));
    expect([...topLevel].sort()).toEqual(['dist', 'node_modules', 'package.json']);
    expect(entries.filter((e) => e.startsWith('/dist/') && e.endsWith('.map'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(appDir, 'resources', 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).name).toBe('better-sqlite3');
    const unpacked = join(appDir, 'resources', 'app.asar.unpacked', 'node_modules');
    expect(existsSync(join(unpacked, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))).toBe(true);
    expect(readdirSync(unpacked)).toEqual(expect.arrayContaining(['better-sqlite3', 'node-hid', '@serialport']));
    expect(readdirSync(join(appDir, 'linux'))).toEqual(expect.arrayContaining(['atm-kiosk.desktop', 'atm-kiosk-ui.service', 'atm-kiosk.service']));
    await expectFlipped(join(appDir, 'open-atm-kiosk'));
  });
});
