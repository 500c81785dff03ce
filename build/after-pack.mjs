// electron-builder afterPack hook: flips the Electron fuses of the packaged binary with @electron/fuses, before
// electron-builder signs it. RunAsNode, NODE_OPTIONS and --inspect are off (the packaged kiosk cannot be turned
// into a Node interpreter or debugged into), cookies are encrypted, and the app only loads from its asar, whose
// embedded integrity is validated (macOS, Windows).
import { join } from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/** The fuse settings (also read by test/build/electron-builder-config.test.ts). */
export const FUSES = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: false,
  resetAdHocDarwinSignature: true,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
};

/** Path of the Electron executable electron-builder produced (same rule as its own addElectronFuses). */
export function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      return join(appOutDir, packager.executableName);
  }
}

export default async function afterPack(context) {
  const binary = electronBinaryPath(context);
  const fuses = { ...FUSES, resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === 3 /* arm64 */ };
  await flipFuses(binary, fuses);
  console.log(`  • electron fuses flipped  binary=${binary}`);
}
