// `npm run package [-- <electron-builder args>]`: bundles (npm run build must have run), packages with
// electron-builder (build/electron-builder.config.mjs), then rebuilds the native addons for Node again:
// electron-builder rebuilds better-sqlite3/serialport/node-hid in node_modules against Electron's ABI, which
// plain-Node runs (tests, `npm run service`) cannot load. Exit status is electron-builder's.
//   node build/package.mjs --linux AppImage deb | --win nsis | --dir
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { NATIVE_MODULES } from './electron-builder.config.mjs';

if (!existsSync('dist/main/electron/main.js')) {
  console.error('dist/ is missing: run npm run build first');
  process.exit(1);
}
const args = process.argv.slice(2);
const builder = spawnSync(process.execPath, ['node_modules/electron-builder/cli.js', '--config', 'build/electron-builder.config.mjs', '--publish', 'never', ...args], { stdio: 'inherit' });
const rebuildForNode = !args.includes('-c.npmRebuild=false');
if (rebuildForNode) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['rebuild', ...NATIVE_MODULES.filter((m) => existsSync(`node_modules/${m}/package.json`) && m !== 'serialport')], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) console.error('warning: could not rebuild the native modules for Node: run npm rebuild better-sqlite3 @serialport/bindings-cpp node-hid');
}
process.exit(builder.status ?? 1);
