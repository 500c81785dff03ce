/**
 * Encrypted persistence for the key store: one JSON file holding salt, IV, GCM tag and ciphertext.
 * The storage key is derived from a caller-supplied secret with scrypt (N = 2^14, r = 8, p = 1);
 * the record is AES-256-GCM encrypted with a fixed AAD, so any corruption or tampering is detected.
 * Writes are atomic (temporary file + rename). wipeFile overwrites the file before unlinking it.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync, fsyncSync } from 'node:fs';
import { CryptoError } from './errors';

const AAD = Buffer.from('open-atm key store v1');

interface FileRecord {
  v: 1;
  salt: string;
  iv: string;
  tag: string;
  ct: string;
}

export function deriveStorageKey(secret: string | Uint8Array, salt: Uint8Array): Buffer {
  return scryptSync(secret, salt, 32, { N: 1 << 14, r: 8, p: 1 });
}

export function sealRecord(storageKey: Uint8Array, salt: Uint8Array, plaintext: Uint8Array): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', storageKey, iv);
  c.setAAD(AAD);
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  const rec: FileRecord = { v: 1, salt: Buffer.from(salt).toString('base64'), iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), ct: ct.toString('base64') };
  return JSON.stringify(rec);
}

/** Reads the salt of a store file (needed to derive the storage key before opening). */
export function readSalt(text: string): Buffer {
  return Buffer.from(parseRecord(text).salt, 'base64');
}

function parseRecord(text: string): FileRecord {
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch {
    throw new CryptoError('KEY_STORE_CORRUPT', 'key store file is not valid JSON');
  }
  const r = rec as Partial<FileRecord>;
  if (typeof rec !== 'object' || rec === null || r.v !== 1 || typeof r.salt !== 'string' || typeof r.iv !== 'string' || typeof r.tag !== 'string' || typeof r.ct !== 'string') {
    throw new CryptoError('KEY_STORE_CORRUPT', 'key store file has an unknown layout');
  }
  return r as FileRecord;
}

export function openRecord(storageKey: Uint8Array, text: string): Buffer {
  const r = parseRecord(text);
  try {
    const d = createDecipheriv('aes-256-gcm', storageKey, Buffer.from(r.iv, 'base64'));
    d.setAAD(AAD);
    d.setAuthTag(Buffer.from(r.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(r.ct, 'base64')), d.final()]);
  } catch {
    throw new CryptoError('KEY_STORE_CORRUPT', 'key store file failed authentication (wrong secret, corrupted or tampered)');
  }
}

export function readStoreFile(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export function writeStoreFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Overwrites the file with zeros, syncs, then unlinks it. */
export function wipeFile(path: string): void {
  if (!existsSync(path)) return;
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(size), 0, size, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
}
