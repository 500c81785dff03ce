import type { FuseV1Config } from '@electron/fuses';
export interface AfterPackContextLike {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { executableName: string; appInfo: { productFilename: string } };
}
export declare const FUSES: FuseV1Config;
export declare function electronBinaryPath(context: AfterPackContextLike): string;
declare function afterPack(context: AfterPackContextLike): Promise<void>;
export default afterPack;
