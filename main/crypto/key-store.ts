/**
 * The encrypting PIN pad's key store. Keys are held by name with a TR-31 usage, algorithm, mode of use
 * and KCV; clear key bytes never leave this module (no getter): callers ask for operations.
 * Persistence: one file, AES-256-GCM under a storage key derived from a caller-supplied secret.
 * Loading: TR-31 key block under a stored KBPK (K0/K1), dual-control components (2-3, each with KCV),
 * or clear keys (simulator/test only, opt-in). zeroize() wipes memory and the file (tamper response).
 */
import { randomBytes } from 'node:crypto';
import { type RandomSource, equalBytes, toHex } from './bytes';
import { cmac } from './cmac';
import { type AesDukptKeyType, aesKsnCounter } from './dukpt-aes';
import { tdesKsnCounter } from './dukpt-tdes';
import { type DukptPinRequest, type DukptScheme, type DukptState, dukptEncryptPinAt, nextDukptKsn } from './dukpt-pin-pad';
import { CryptoError, KeyUsageError } from './errors';
import { type KeyComponent, combineComponents } from './key-components';
import {
  type KeyAlgorithm,
  type KeyAttributes,
  type KeyUsageCode,
  type MacAlgorithm,
  defaultModeOfUse,
  isKeyUsageCode,
  keyLengthFits,
  requireKeyBlockProtection,
  requireMac,
  requirePinEncryption,
} from './key-usage';
import { deriveStorageKey, openRecord, readSalt, readStoreFile, sealRecord, wipeFile, writeStoreFileAtomic } from './key-store-file';
import { kcv as computeKcv } from './kcv';
import { type IsoPadding, isoMacAlg1, isoMacAlg3 } from './mac-iso9797';
import { hasOddParity } from './parity';
import { encryptClearPinBlock, encryptPin } from './pin-block-crypto';
import type { PinBlockFormat } from './pin-block';
import { unwrapTr31 } from './tr31';

export interface KeyInfo {
  name: string;
  usage: KeyUsageCode;
  algorithm: KeyAlgorithm;
  modeOfUse: string;
  kcv: string;
  /** DUKPT keys: scheme and the last KSN used. */
  dukpt?: { scheme: DukptScheme; ksn: string };
}

interface Entry extends KeyAttributes {
  key: Buffer;
  kcv: string;
  dukpt?: DukptState;
}

interface StoredEntry extends KeyAttributes {
  key: string;
  kcv: string;
  dukpt?: DukptState;
}

export interface KeyStoreOptions {
  /** File to persist to; omit for an in-memory store. */
  path?: string;
  /** Secret from which the storage key is derived (scrypt). */
  secret: string | Uint8Array;
  /** Allow importClear/loadDukpt with clear keys (simulator and tests only). Default false. */
  allowClearImport?: boolean;
  random?: RandomSource;
}

export interface ClearKeyImport {
  usage: KeyUsageCode;
  algorithm: KeyAlgorithm;
  key: Uint8Array;
  modeOfUse?: string;
  /** Refuse TDES keys without odd parity (default true). */
  requireParity?: boolean;
}

export interface ComponentsImport {
  usage: KeyUsageCode;
  algorithm: KeyAlgorithm;
  components: KeyComponent[];
  expectedKcv?: Uint8Array;
  modeOfUse?: string;
}

export interface MacOptions {
  /** ISO 9797-1 padding method for x919 / iso9797-1-alg1 (default 1). */
  padding?: IsoPadding;
  /** MAC length in bytes (default 8). */
  length?: number;
}

const kcvAlg = (a: KeyAlgorithm) => (a === 'tdes' ? 'tdes' : a === 'aes' ? 'aes' : 'sm4') as 'tdes' | 'aes' | 'sm4';
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export class KeyStore {
  readonly #keys = new Map<string, Entry>();
  readonly #path: string | undefined;
  readonly #allowClear: boolean;
  readonly #random: RandomSource;
  #storageKey: Buffer;
  #salt: Buffer;
  #zeroized = false;

  private constructor(opts: KeyStoreOptions, salt: Buffer) {
    this.#path = opts.path;
    this.#allowClear = opts.allowClearImport ?? false;
    this.#random = opts.random ?? ((n) => randomBytes(n));
    this.#salt = salt;
    this.#storageKey = deriveStorageKey(opts.secret, salt);
  }

  /** Opens (or creates) a store. Throws KEY_STORE_CORRUPT if the file fails authentication. */
  static open(opts: KeyStoreOptions): KeyStore {
    const text = opts.path ? readStoreFile(opts.path) : undefined;
    const store = new KeyStore(opts, text ? readSalt(text) : randomBytes(16));
    if (text) store.#load(openRecord(store.#storageKey, text));
    return store;
  }

  #load(plain: Buffer): void {
    let items: unknown;
    try {
      items = JSON.parse(plain.toString('utf8'));
    } catch {
      throw new CryptoError('KEY_STORE_CORRUPT', 'key store content is not valid');
    } finally {
      plain.fill(0);
    }
    if (!Array.isArray(items)) throw new CryptoError('KEY_STORE_CORRUPT', 'key store content is not valid');
    for (const raw of items as StoredEntry[]) {
      if (typeof raw?.name !== 'string' || !isKeyUsageCode(raw.usage) || typeof raw.key !== 'string') {
        throw new CryptoError('KEY_STORE_CORRUPT', 'key store entry is not valid');
      }
      const key = Buffer.from(raw.key, 'hex');
      if (!keyLengthFits(raw.algorithm, key.length)) throw new CryptoError('KEY_STORE_CORRUPT', `key store entry "${raw.name}" is not valid`);
      this.#keys.set(raw.name, { name: raw.name, usage: raw.usage, algorithm: raw.algorithm, modeOfUse: raw.modeOfUse, key, kcv: raw.kcv, dukpt: raw.dukpt });
    }
  }

  #persist(): void {
    if (!this.#path) return;
    const items: StoredEntry[] = [...this.#keys.values()].map((e) => ({
      name: e.name,
      usage: e.usage,
      algorithm: e.algorithm,
      modeOfUse: e.modeOfUse,
      kcv: e.kcv,
      key: e.key.toString('hex'),
      ...(e.dukpt ? { dukpt: e.dukpt } : {}),
    }));
    const plain = Buffer.from(JSON.stringify(items), 'utf8');
    try {
      writeStoreFileAtomic(this.#path, sealRecord(this.#storageKey, this.#salt, plain));
    } finally {
      plain.fill(0);
    }
  }

  #alive(): void {
    if (this.#zeroized) throw new CryptoError('KEY_NOT_FOUND', 'key store has been zeroized');
  }

  #get(name: string): Entry {
    this.#alive();
    const e = this.#keys.get(name);
    if (!e) throw new CryptoError('KEY_NOT_FOUND', `no key named "${name}"`);
    return e;
  }

  #put(name: string, attrs: Omit<Entry, 'name' | 'kcv'>): KeyInfo {
    this.#alive();
    if (!NAME.test(name)) throw new CryptoError('BAD_INPUT', 'key names are 1-64 characters of A-Z a-z 0-9 . _ -');
    if (!keyLengthFits(attrs.algorithm, attrs.key.length)) {
      throw new CryptoError('BAD_KEY_LENGTH', `a ${attrs.algorithm} key cannot be ${attrs.key.length} bytes`);
    }
    const old = this.#keys.get(name);
    const entry: Entry = { ...attrs, name, kcv: toHex(computeKcv(attrs.key, kcvAlg(attrs.algorithm))) };
    this.#keys.set(name, entry);
    this.#persist();
    old?.key.fill(0);
    return this.#info(entry);
  }

  #info(e: Entry): KeyInfo {
    return {
      name: e.name,
      usage: e.usage,
      algorithm: e.algorithm,
      modeOfUse: e.modeOfUse,
      kcv: e.kcv,
      ...(e.dukpt ? { dukpt: { scheme: e.dukpt.scheme, ksn: e.dukpt.ksn } } : {}),
    };
  }

  get zeroized(): boolean {
    return this.#zeroized;
  }

  /** Name, usage, algorithm, mode of use and KCV of every key: never key material. */
  list(): KeyInfo[] {
    this.#alive();
    return [...this.#keys.values()].map((e) => this.#info(e));
  }

  has(name: string): boolean {
    return !this.#zeroized && this.#keys.has(name);
  }

  kcv(name: string): string {
    return this.#get(name).kcv;
  }

  delete(name: string): void {
    const e = this.#get(name);
    this.#keys.delete(name);
    this.#persist();
    e.key.fill(0);
  }

  /** Simulator/test only: imports a clear key (refused unless allowClearImport). */
  importClear(name: string, k: ClearKeyImport): KeyInfo {
    if (!this.#allowClear) throw new CryptoError('UNSUPPORTED', 'clear key import is disabled (simulator/test only)');
    if (k.algorithm === 'tdes' && (k.requireParity ?? true) && !hasOddParity(k.key)) {
      throw new CryptoError('BAD_PARITY', 'TDES key does not have odd parity');
    }
    return this.#put(name, { usage: k.usage, algorithm: k.algorithm, modeOfUse: k.modeOfUse ?? defaultModeOfUse(k.usage), key: Buffer.from(k.key) });
  }

  /** Dual control: the key is the XOR of 2-3 components, each checked against its KCV. */
  importComponents(name: string, c: ComponentsImport): KeyInfo {
    const key = combineComponents(c.components, { alg: kcvAlg(c.algorithm), expectedKcv: c.expectedKcv });
    try {
      return this.#put(name, { usage: c.usage, algorithm: c.algorithm, modeOfUse: c.modeOfUse ?? defaultModeOfUse(c.usage), key: Buffer.from(key) });
    } finally {
      key.fill(0);
    }
  }

  /** Imports a TR-31 key block (versions B/D) protected by the stored KBPK `kbpkName` (usage K0/K1). */
  importTr31(name: string, kbpkName: string, block: string): KeyInfo {
    const kbpk = this.#get(kbpkName);
    requireKeyBlockProtection(kbpk);
    const { header, key } = unwrapTr31(kbpk.key, block);
    try {
      if (!isKeyUsageCode(header.keyUsage)) throw new CryptoError('UNSUPPORTED', `key usage ${header.keyUsage} is not supported by the PIN pad`);
      const algorithm: KeyAlgorithm | undefined = header.algorithm === 'T' ? 'tdes' : header.algorithm === 'A' ? 'aes' : undefined;
      if (!algorithm) throw new CryptoError('UNSUPPORTED', `key algorithm ${header.algorithm} is not supported by the PIN pad`);
      return this.#put(name, { usage: header.keyUsage, algorithm, modeOfUse: header.modeOfUse, key: Buffer.from(key) });
    } finally {
      key.fill(0);
    }
  }

  /** Encrypts a clear PIN block (formats 0/1/3, 8 bytes, TDES) or a format 4 PIN field (AES/SM4, needs the PAN). */
  encryptPinBlock(keyName: string, clearBlock: Uint8Array, pan?: string): Buffer {
    const k = this.#get(keyName);
    requirePinEncryption(k);
    const format: PinBlockFormat = clearBlock.length === 16 ? 4 : ((clearBlock[0] ?? 0) >> 4) as PinBlockFormat;
    if (clearBlock.length !== 8 && clearBlock.length !== 16) throw new CryptoError('BAD_PIN_BLOCK', 'PIN block must be 8 or 16 bytes');
    return encryptClearPinBlock(format, clearBlock, { alg: k.algorithm, key: k.key }, pan);
  }

  /** Encodes and encrypts a PIN in one step (the clear block never leaves the store). */
  encryptPin(keyName: string, req: { format: PinBlockFormat; pin: string; pan?: string; fill?: string }): Buffer {
    const k = this.#get(keyName);
    requirePinEncryption(k);
    return encryptPin({ ...req, random: this.#random, key: { alg: k.algorithm, key: k.key } });
  }

  #mac(k: Entry, data: Uint8Array, alg: MacAlgorithm, opts: MacOptions): Buffer {
    const len = opts.length ?? 8;
    switch (alg) {
      case 'x919':
        return isoMacAlg3(k.key, data, opts.padding ?? 1, len);
      case 'iso9797-1-alg1':
        return isoMacAlg1(k.key, data, opts.padding ?? 1, len);
      case 'aes-cmac':
        return cmac('aes', k.key, data, len);
      case 'tdes-cmac':
        return cmac('tdes', k.key, data, len);
      default:
        throw new KeyUsageError('unknown MAC algorithm');
    }
  }

  generateMac(keyName: string, data: Uint8Array, alg: MacAlgorithm, opts: MacOptions = {}): Buffer {
    const k = this.#get(keyName);
    requireMac(k, alg, 'generate');
    return this.#mac(k, data, alg, opts);
  }

  verifyMac(keyName: string, data: Uint8Array, mac: Uint8Array, alg: MacAlgorithm, opts: MacOptions = {}): boolean {
    const k = this.#get(keyName);
    requireMac(k, alg, 'verify');
    return equalBytes(this.#mac(k, data, alg, { ...opts, length: mac.length }), mac);
  }

  /** Simulator/test only: loads a DUKPT initial key (IPEK / AES initial key) with its initial KSN. */
  loadDukpt(name: string, d: { scheme: DukptScheme; initialKey: Uint8Array; ksn: Uint8Array; workingKeyType?: AesDukptKeyType }): KeyInfo {
    if (!this.#allowClear) throw new CryptoError('UNSUPPORTED', 'clear key import is disabled (simulator/test only)');
    if (d.scheme === 'tdes') tdesKsnCounter(d.ksn);
    else aesKsnCounter(d.ksn);
    const algorithm: KeyAlgorithm = d.scheme === 'tdes' ? 'tdes' : 'aes';
    const dukpt: DukptState = { scheme: d.scheme, ksn: toHex(d.ksn), ...(d.workingKeyType ? { workingKeyType: d.workingKeyType } : {}) };
    return this.#put(name, { usage: 'B1', algorithm, modeOfUse: 'X', key: Buffer.from(d.initialKey), dukpt });
  }

  /** Advances and persists the KSN, then encrypts the PIN under that KSN's PIN key. */
  dukptEncryptPin(name: string, req: DukptPinRequest): { ksn: string; pinBlock: Buffer } {
    const k = this.#get(name);
    if (k.usage !== 'B1' || !k.dukpt) throw new KeyUsageError(`key "${name}" is not a DUKPT initial key (B1)`);
    const ksn = nextDukptKsn(k.dukpt);
    k.dukpt = { ...k.dukpt, ksn };
    this.#persist();
    return { ksn, pinBlock: dukptEncryptPinAt(k.dukpt, k.key, ksn, { ...req, random: req.random ?? this.#random }) };
  }

  /** Tamper response: wipes every key in memory and the store file; the store is unusable afterwards. */
  zeroize(): void {
    for (const e of this.#keys.values()) e.key.fill(0);
    this.#keys.clear();
    this.#storageKey.fill(0);
    this.#salt = Buffer.alloc(0);
    this.#zeroized = true;
    if (this.#path) wipeFile(this.#path);
  }
}
