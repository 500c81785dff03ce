/**
 * The packaging configuration itself (runs everywhere, no Electron download): electron-builder's own loader and
 * schema validation accept it; targets; asar with every native addon of the production dependency tree unpacked;
 * the afterPack fuse hook flips the right fuses (on a stand-in binary carrying Electron's fuse wire); auto-start
 * files; icons.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { DebugLogger } from 'builder-util/out/DebugLogger';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import config, { NATIVE_MODULES } from '../../build/electron-builder.config.mjs';
import afterPack, { FUSES } from '../../build/after-pack.mjs';
import { renderPng } from '../../build/make-icons.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };

/** Packages in the production dependency closure that carry a native addon (binding.gyp or prebuilt .node). */
function nativeProductionModules(): string[] {
  const seen = new Set<string>();
  const native = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const dir = join('node_modules', name);
    if (!existsSync(join(dir, 'package.json'))) return;
    const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; gypfile?: boolean };
    if (p.gypfile || existsSync(join(dir, 'binding.gyp'))) native.add(name);
    for (const d of Object.keys(p.dependencies ?? {})) visit(d);
  };
  for (const d of Object.keys(pkg.dependencies)) visit(d);
  return [...native].sort();
}

describe('electron-builder configuration', () => {
  it('is accepted by electron-builder (its loader and its JSON schema validation)', async () => {
    const loaded = await getConfig(process.cwd(), 'build/electron-builder.config.mjs', null);
    expect(loaded.appId).toBe('org.openatm.kiosk');
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    // ... and that validation does reject mistakes.
    await expect(validateConfiguration({ ...loaded, asarUnpak: ['**/*.node'] } as typeof loaded, new DebugLogger(false))).rejects.toThrow(/asarUnpak/);
  });

  it('targets Linux AppImage + deb and Windows NSIS', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true });
  });

  it('packs into an asar and unpacks every native addon of the production dependencies', () => {
    expect(config.asar).toBe(true);
    const unpack = config.asarUnpack as string[];
    expect(unpack).toContain('**/*.node');
    const native = nativeProductionModules();
    expect(native).toEqual(expect.arrayContaining(['better-sqlite3', '@serialport/bindings-cpp', 'node-hid']));
    for (const m of native) {
      expect(NATIVE_MODULES, `${m} has a native addon`).toContain(m);
      expect(unpack).toContain(`node_modules/${m}/**`);
    }
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
  });

  it('ships the bundle with an ES module main that the bundler emits', () => {
    expect(config.files).toContain('dist/**/*');
    expect((config.extraMetadata as { main: string }).main).toBe('dist/main/electron/main.js');
    expect(readFileSync('build/bundle.mjs', 'utf8')).toContain("outfile: `${out}/main/electron/main.js`");
  });

  it('flips the fuses in afterPack', () => {
    expect(config.afterPack).toBe(afterPack);
    expect(FUSES).toMatchObject({
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    });
  });

  it('the afterPack hook rewrites the fuse wire of the packaged binary (Linux and Windows names)', async () => {
    const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
    // Electron's defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on, integrity off, asar-only off, ...
    const wire = Buffer.concat([Buffer.from('\x7fELF...padding...'), Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from('10110000'), Buffer.from('...rest of the binary')]);
    for (const [platform, file] of [
      ['linux', 'open-atm-kiosk'],
      ['win32', 'Open ATM Kiosk.exe'],
    ] as const) {
      const appOutDir = mkdtempSync(join(tmpdir(), 'atm-fuses-'));
      writeFileSync(join(appOutDir, file), wire);
      await afterPack({ appOutDir, electronPlatformName: platform, arch: 1, packager: { executableName: 'open-atm-kiosk', appInfo: { productFilename: 'Open ATM Kiosk' } } });
      const fuses = await getCurrentFuseWire(join(appOutDir, file));
      const on = (o: FuseV1Options) => String.fromCharCode(fuses[o] as number);
      expect(on(FuseV1Options.RunAsNode)).toBe('0');
      expect(on(FuseV1Options.EnableCookieEncryption)).toBe('1');
      expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe('0');
      expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe('0');
      expect(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe('1');
      expect(on(FuseV1Options.OnlyLoadAppFromAsar)).toBe('1');
      expect(on(FuseV1Options.LoadBrowserProcessSpecificV8Snapshot)).toBe('0'); // untouched
    }
  });

  it('auto-start files start the packaged executable', () => {
    const exe = `/usr/bin/${config.executableName}`;
    const desktop = readFileSync('build/linux/atm-kiosk.desktop', 'utf8');
    expect(desktop).toMatch(/^\[Desktop Entry\]/);
    expect(desktop).toContain(`Exec=${exe}`);
    expect(readFileSync('build/linux/atm-kiosk-ui.service', 'utf8')).toMatch(new RegExp(`ExecStart=${exe} .*\\nRestart=always`));
    const system = readFileSync('build/linux/atm-kiosk.service', 'utf8');
    expect(system).toContain('ExecStart=/usr/bin/node dist/main/launch.js --headless');
    expect(system).toContain('RestartPreventExitStatus=78');
    for (const s of ['after-install.sh', 'after-remove.sh']) expect(existsSync(join('build/linux', s))).toBe(true);
    expect(config.deb?.afterInstall).toBe('build/linux/after-install.sh');
    expect(readFileSync('build/linux/after-install.sh', 'utf8')).toContain('/etc/xdg/autostart/atm-kiosk.desktop');
  });

  it('icons exist at the installer sizes and are current (node build/make-icons.mjs)', () => {
    const files = readdirSync('build/icons');
    for (const s of [16, 32, 48, 64, 128, 256, 512]) {
      const f = `${s}x${s}.png`;
      expect(files).toContain(f);
      const png = readFileSync(join('build/icons', f));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([s, s]);
    }
    expect(readFileSync('build/icons/512x512.png').equals(renderPng(512))).toBe(true);
    expect(readFileSync('build/icons/icon.svg', 'utf8')).toMatch(/^<svg /);
  });
});
