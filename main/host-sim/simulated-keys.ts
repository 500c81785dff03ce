/**
 * The key ceremony of a demo bank, for the embedded host with message MACs: a fresh working MAC key (X9.19: double
 * TDES, usage M3; AES-CMAC: AES-128, usage M6) and a TDES key-block protection key (K0) for key exchange, loaded
 * into the ATM's PIN pad key store and into the simulated host's own key store. Clear keys exist only here, for the
 * simulator; a real host's keys reach the PIN pad by dual-control components and TR-31 blocks.
 */
import { randomBytes } from 'node:crypto';
import { KeyStore } from '../crypto/key-store';
import { fixOddParity } from '../crypto/parity';
import type { MessageMacAlg } from '../host/message-mac';
import type { HostMacOptions } from './host-mac';

export function shareSimulatedMacKeys(
  eppKeys: KeyStore,
  alg: MessageMacAlg,
  names: { macKey: string; kbpk: string },
  random: (n: number) => Buffer = randomBytes,
): HostMacOptions {
  const tdes = alg === 'x919';
  const mac = tdes ? fixOddParity(random(16)) : random(16);
  const kbpk = fixOddParity(random(16));
  const hostKeys = KeyStore.open({ secret: random(32), allowClearImport: true });
  const macKey = { usage: tdes ? ('M3' as const) : ('M6' as const), algorithm: tdes ? ('tdes' as const) : ('aes' as const), key: mac };
  try {
    eppKeys.importClear(names.macKey, macKey);
    hostKeys.importClear(names.macKey, macKey);
    eppKeys.importClear(names.kbpk, { usage: 'K0', algorithm: 'tdes', key: kbpk });
  } finally {
    mac.fill(0);
  }
  return { alg, keyName: names.macKey, keyStore: hostKeys, kbpk: { alg: 'tdes', key: kbpk } };
}
