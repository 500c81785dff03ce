// Bundles the kiosk for running: renderer (browser IIFE), core launcher (Node ESM), Electron main and
// sandboxed preload (CommonJS, self-contained). Type checking is `npm run typecheck`; this only emits.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const out = 'dist';
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/renderer`, { recursive: true });

const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'es2022' };

await Promise.all([
  build({ ...common, entryPoints: ['renderer/app.ts'], outfile: `${out}/renderer/app.js`, platform: 'browser', format: 'iife' }),
  build({ ...common, entryPoints: ['main/launch.ts'], outfile: `${out}/main/launch.js`, platform: 'node', format: 'esm', packages: 'external' }),
  build({ ...common, entryPoints: ['main/electron/main.ts'], outfile: `${out}/main/electron/main.js`, platform: 'node', format: 'esm', packages: 'external' }),
  // Sandboxed preloads cannot require npm modules: bundle everything except electron itself.
  build({ ...common, entryPoints: ['main/electron/preload.ts'], outfile: `${out}/main/electron/preload.cjs`, platform: 'node', format: 'cjs', external: ['electron'] }),
]);
cpSync('renderer/index.html', `${out}/renderer/index.html`);
cpSync('renderer/style.css', `${out}/renderer/style.css`);
// The remote monitoring page (static, served by main/monitoring/server.ts from dist/monitoring/page).
cpSync('main/monitoring/page', `${out}/monitoring/page`, { recursive: true });
console.log('built dist/');
