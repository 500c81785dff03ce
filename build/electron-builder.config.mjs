// electron-builder configuration: `npm run package` (Linux AppImage + deb, Windows NSIS; `npm run package:dir` for
// an unpacked directory). Native modules (better-sqlite3, serialport, node-hid, smartcard) are rebuilt for Electron's ABI
// and unpacked from the asar (a .node file cannot be dlopen()ed from inside an archive). Fuses are flipped in
// build/after-pack.mjs. See build/README.md.
import { readFileSync } from 'node:fs';
import afterPack from './after-pack.mjs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** Production dependencies with native addons, rebuilt for Electron and kept outside the asar. */
export const NATIVE_MODULES = ['better-sqlite3', 'serialport', '@serialport/bindings-cpp', 'node-hid', 'smartcard'];

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'org.openatm.kiosk',
  productName: 'Open ATM Kiosk',
  executableName: 'open-atm-kiosk',
  copyright: 'Open ATM kiosk controller contributors',
  directories: { output: 'release', buildResources: 'build' },
  // The esbuild bundle (npm run build) and the production node_modules electron-builder adds itself.
  files: ['dist/**/*', '!dist/**/*.map', 'package.json'],
  // The bundle emits an ES module main (package.json "type": "module").
  extraMetadata: { main: 'dist/main/electron/main.js' },
  extraFiles: [{ from: 'build/linux', to: 'linux', filter: ['*.service', '*.desktop', '*.json', 'README.md'] }],
  asar: true,
  asarUnpack: ['**/*.node', ...NATIVE_MODULES.map((m) => `node_modules/${m}/**`)],
  // Rebuild native addons against the Electron headers (electron-builder install-app-deps / @electron/rebuild).
  npmRebuild: true,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  electronVersion: JSON.parse(readFileSync(new URL('../node_modules/electron/package.json', import.meta.url), 'utf8')).version,
  afterPack,
  linux: {
    target: ['AppImage', 'deb'],
    icon: 'build/icons',
    category: 'Utility',
    synopsis: 'ATM / self-service kiosk controller',
    description: pkg.description,
    maintainer: 'Open ATM <ops@open-atm.example>',
    desktop: { entry: { StartupWMClass: 'open-atm-kiosk', Terminal: 'false' } },
  },
  deb: {
    depends: ['libnss3', 'libgtk-3-0', 'libxss1', 'libasound2 | libasound2t64', 'libudev1', 'libusb-1.0-0'],
    afterInstall: 'build/linux/after-install.sh',
    afterRemove: 'build/linux/after-remove.sh',
  },
  appImage: { artifactName: '${productName}-${version}-${arch}.${ext}' },
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: 'build/icons/512x512.png',
  },
  nsis: {
    oneClick: false,
    perMachine: true,
    allowToChangeInstallationDirectory: false,
    createDesktopShortcut: false,
    createStartMenuShortcut: true,
    runAfterFinish: true,
    artifactName: '${productName}-Setup-${version}.${ext}',
  },
  publish: null,
};

export default config;
