/**
 * The host simulator's side of message MACs and working-key exchange. Requests of classes 01/02/04 must carry a
 * valid MAC (message-mac.ts rules) over the bytes received; their responses are MACed. On a key exchange the
 * host generates a new working MAC key, wraps it as a TR-31 block under the KBPK it shares with the ATM
 * (version B for a TDES KBPK, D for AES), and switches to it; requests still MACed under the previous key are
 * accepted until the first one verifies under the new key (the 0810 may have been lost), and each response is
 * MACed under the key its request verified with, so an ATM that missed the new key still reads its answers.
 */
import { randomBytes } from 'node:crypto';
import type { KeyStore } from '../crypto/key-store';
import { fixOddParity } from '../crypto/parity';
import { wrapTr31 } from '../crypto/tr31';
import { checkMessageMac, signMessage, type MacCheck, type MessageMacAlg } from '../host/message-mac';
import type { IsoMessage, Packager } from '../host/iso8583';

export interface HostMacOptions {
  alg: MessageMacAlg;
  keyName: string;
  /** The host's key store (clear import must be allowed: the simulator generates keys). */
  keyStore: KeyStore;
  /** A request with a bad or missing MAC: answered with 63 security violation (MACed), or dropped. Default 'respond'. */
  onBadMac?: 'respond' | 'drop';
  /** KBPK shared with the ATM for key exchange. */
  kbpk?: { alg: 'tdes' | 'aes'; key: Uint8Array };
  random?: (n: number) => Uint8Array;
}

export const isMacedClass = (mti: string): boolean => /^0[124]/.test(mti);

export class HostMac {
  private active: string;
  private previous: string | null = null;
  private generation = 0;

  constructor(private readonly o: HostMacOptions) {
    this.active = o.keyName;
  }

  get onBadMac(): 'respond' | 'drop' {
    return this.o.onBadMac ?? 'respond';
  }

  private key(name: string) {
    return { alg: this.o.alg, keyName: name, keyStore: this.o.keyStore };
  }

  /** Checks a request's MAC over the bytes received; `keyName` is the key it verified under (sign the answer with it). */
  verify(msg: IsoMessage, packager: Packager, raw: Buffer): { check: MacCheck; keyName: string } {
    const active = this.active;
    const now = checkMessageMac(msg, packager, this.key(active), raw);
    if (now === 'ok') {
      if (this.previous) {
        if (this.previous !== this.o.keyName) this.o.keyStore.delete(this.previous);
        this.previous = null;
      }
      return { check: now, keyName: active };
    }
    const previous = this.previous;
    if (now === 'bad' && previous && checkMessageMac(msg, packager, this.key(previous), raw) === 'ok') return { check: 'ok', keyName: previous };
    return { check: now, keyName: active };
  }

  /** MACs a response under `keyName` (the request's key), by default the active key. */
  sign(msg: IsoMessage, packager: Packager, keyName = this.active): IsoMessage {
    return signMessage(msg, packager, this.key(keyName));
  }

  /** Name of the key currently used for new requests (tests read its check value). */
  get activeKeyName(): string {
    return this.active;
  }

  /** A new working key as a TR-31 block under the KBPK (null without a KBPK); the host switches to it. */
  rotate(): string | null {
    const kbpk = this.o.kbpk;
    if (!kbpk) return null;
    const random = this.o.random ?? ((n: number) => randomBytes(n));
    const tdes = this.o.alg === 'x919';
    const key = Buffer.from(random(16));
    if (tdes) fixOddParity(key).copy(key);
    const usage = tdes ? 'M3' : 'M6';
    const block = wrapTr31(kbpk.key, { versionId: kbpk.alg === 'tdes' ? 'B' : 'D', keyUsage: usage, algorithm: tdes ? 'T' : 'A', modeOfUse: 'C', keyVersionNumber: '00', exportability: 'N' }, key, { random });
    const name = `${this.o.keyName}.g${++this.generation}`;
    this.o.keyStore.importClear(name, { usage, algorithm: tdes ? 'tdes' : 'aes', key });
    key.fill(0);
    if (this.previous && this.previous !== this.o.keyName) this.o.keyStore.delete(this.previous);
    this.previous = this.active;
    this.active = name;
    return block;
  }
}
