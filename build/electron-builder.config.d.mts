import type { Configuration } from 'electron-builder';
export declare const NATIVE_MODULES: string[];
declare const config: Configuration;
export default config;
