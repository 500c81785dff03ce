/** Test helpers: a simulated card + kernel + issuer wired together. */
import { SimChipCard } from '../../../devices/card-reader/chip/sim-chip-card';
import type { ChipCardProfile } from '../../../devices/card-reader/chip/chip-card-profile';
import { TEST_ISSUER_KEYS } from '../../../devices/card-reader/chip/test-chip-cards';
import { EmvTransaction, type EmvKernelDeps } from '../../../main/emv/kernel';
import { terminalConfig } from '../../../main/emv/terminal-config';
import { fromHex } from '../../../main/emv/tdes';

export const issuerKeys = { ac: fromHex(TEST_ISSUER_KEYS.ac), smi: fromHex(TEST_ISSUER_KEYS.smi), smc: fromHex(TEST_ISSUER_KEYS.smc) };

export function clone<T>(v: T): T {
  return structuredClone(v);
}

export function setup(profile: ChipCardProfile, deps: Partial<EmvKernelDeps> = {}): { card: SimChipCard; txn: EmvTransaction; log: string[] } {
  const log: string[] = [];
  const card = new SimChipCard(profile, { onExchange: (c, r) => log.push(`${Buffer.from(c.subarray(0, 2)).toString('hex')}:${Buffer.from(r.subarray(r.length - 2)).toString('hex')}`) });
  const txn = new EmvTransaction({
    transport: card.transport,
    config: terminalConfig(),
    now: () => new Date('2026-03-15T10:20:30Z'),
    randomBytes: (n) => new Uint8Array(n).fill(0x5a),
    ...deps,
  });
  return { card, txn, log };
}
