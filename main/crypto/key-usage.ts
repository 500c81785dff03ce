/**
 * TR-31 / X9.143 key usage codes known to the PIN pad key store, and the rules for what each may do.
 * A key's usage decides which operations the key store lets it perform (KeyUsageError otherwise).
 */
import { KeyUsageError } from './errors';

export const KEY_USAGES = {
  B0: 'BDK base derivation key',
  B1: 'initial DUKPT key',
  D0: 'data encryption',
  K0: 'key encryption / wrapping',
  K1: 'TR-31 key block protection key',
  M0: 'ISO 16609 MAC algorithm 1 (TDES)',
  M1: 'ISO 9797-1 MAC algorithm 1',
  M3: 'ISO 9797-1 MAC algorithm 3 (X9.19 retail MAC)',
  M5: 'ISO 9797-1 MAC algorithm 5 (CMAC)',
  M6: 'ISO 9797-1:2011 MAC algorithm 5 / CMAC',
  P0: 'PIN encryption',
  V1: 'PIN verification, IBM 3624',
  V2: 'PIN verification, Visa PVV',
} as const;
export type KeyUsageCode = keyof typeof KEY_USAGES;
export const isKeyUsageCode = (s: string): s is KeyUsageCode => Object.prototype.hasOwnProperty.call(KEY_USAGES, s);

export type KeyAlgorithm = 'tdes' | 'aes' | 'sm4';
export type MacAlgorithm = 'x919' | 'iso9797-1-alg1' | 'aes-cmac' | 'tdes-cmac';
export const MAC_ALGORITHMS: readonly MacAlgorithm[] = ['x919', 'iso9797-1-alg1', 'aes-cmac', 'tdes-cmac'];

/** Which MAC usages and key algorithms each MAC algorithm needs. */
const MAC_RULES: Record<MacAlgorithm, { usages: KeyUsageCode[]; alg: KeyAlgorithm }> = {
  x919: { usages: ['M3'], alg: 'tdes' },
  'iso9797-1-alg1': { usages: ['M0', 'M1'], alg: 'tdes' },
  'aes-cmac': { usages: ['M5', 'M6'], alg: 'aes' },
  'tdes-cmac': { usages: ['M5', 'M6'], alg: 'tdes' },
};

export interface KeyAttributes {
  name: string;
  usage: KeyUsageCode;
  algorithm: KeyAlgorithm;
  /** TR-31 mode of use: B both, E encrypt, D decrypt, C generate+verify, G generate, V verify, X derive, N none. */
  modeOfUse: string;
}

export function requirePinEncryption(k: KeyAttributes): void {
  if (k.usage !== 'P0') throw new KeyUsageError(`key "${k.name}" has usage ${k.usage}, PIN encryption needs P0`);
  if (!['B', 'E'].includes(k.modeOfUse)) throw new KeyUsageError(`key "${k.name}" mode of use ${k.modeOfUse} does not allow encryption`);
}

export function requireMac(k: KeyAttributes, alg: MacAlgorithm, op: 'generate' | 'verify'): void {
  const rule = MAC_RULES[alg];
  if (!rule) throw new KeyUsageError(`unknown MAC algorithm`);
  if (!rule.usages.includes(k.usage)) {
    throw new KeyUsageError(`key "${k.name}" has usage ${k.usage}, ${alg} needs ${rule.usages.join(' or ')}`);
  }
  if (k.algorithm !== rule.alg) throw new KeyUsageError(`key "${k.name}" is ${k.algorithm}, ${alg} needs a ${rule.alg} key`);
  const modes = op === 'generate' ? ['C', 'G'] : ['C', 'V'];
  if (!modes.includes(k.modeOfUse)) throw new KeyUsageError(`key "${k.name}" mode of use ${k.modeOfUse} does not allow MAC ${op}`);
}

export function requireKeyBlockProtection(k: KeyAttributes): void {
  if (k.usage !== 'K0' && k.usage !== 'K1') throw new KeyUsageError(`key "${k.name}" has usage ${k.usage}, unwrapping needs K0 or K1`);
  if (!['B', 'D', 'X'].includes(k.modeOfUse)) throw new KeyUsageError(`key "${k.name}" mode of use ${k.modeOfUse} does not allow unwrapping`);
}

export function defaultModeOfUse(usage: KeyUsageCode): string {
  if (usage.startsWith('M')) return 'C';
  if (usage === 'P0') return 'E';
  if (usage === 'B0' || usage === 'B1') return 'X';
  if (usage === 'V1' || usage === 'V2') return 'C';
  return 'B';
}

/** Checks that a key length fits its algorithm. */
export function keyLengthFits(alg: KeyAlgorithm, len: number): boolean {
  if (alg === 'tdes') return len === 16 || len === 24;
  if (alg === 'aes') return len === 16 || len === 24 || len === 32;
  return len === 16;
}
