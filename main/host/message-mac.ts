/**
 * MAC of a whole ISO 8583 message (field 64, or 128 when a secondary bitmap is present).
 *
 * Rule (the common ISO 8583:1987 / ISO 9807 practice, as Base24-style hosts do it; jPOS leaves the choice to
 * the application): the MAC field is the last data element of the message, and the MAC input is the packed
 * message from the MTI up to, but excluding, the MAC field itself, with the MAC field's bit already set in the
 * bitmap. Equivalently: pack with the MAC field zero-filled and drop its trailing bytes. Length header and
 * TPDU are not covered. Field 64 is used when no field 65-127 is present, otherwise field 128 (64 absent).
 *
 * Algorithms: 'x919' = ISO 9797-1 MAC algorithm 3 (ANSI X9.19 retail MAC), padding method 1, double-length
 * TDES key of usage M3; 'aes-cmac' = AES-CMAC (ISO 9797-1 algorithm 5), key usage M6 or M5, the 16-byte tag
 * truncated to its leftmost 8 bytes to fit the b8 field. Keys stay in the key store (KeyStore.generateMac).
 */
import type { KeyStore } from '../crypto/key-store';
import { packIso, type IsoMessage, type Packager } from './iso8583';

export type MessageMacAlg = 'x919' | 'aes-cmac';

export interface MessageMacKey {
  alg: MessageMacAlg;
  keyName: string;
  keyStore: KeyStore;
}

export type MacCheck = 'ok' | 'missing' | 'bad';

const MAC_LENGTH = 8;

function hasSecondaryFields(msg: IsoMessage): boolean {
  return Object.keys(msg.fields).some((k) => {
    const f = Number(k);
    return f > 64 && f < 128 && msg.fields[f] !== undefined;
  });
}

/** 64, or 128 when the message has any field 65-127. */
export function macFieldOf(msg: IsoMessage): 64 | 128 {
  return hasSecondaryFields(msg) ? 128 : 64;
}

function withoutMac(msg: IsoMessage): Record<number, string | Buffer> {
  const fields = { ...msg.fields };
  delete fields[64];
  delete fields[128];
  return fields;
}

function packedMacSize(packager: Packager, field: 64 | 128): number {
  const len = packager.fields[field]?.length ?? MAC_LENGTH;
  return packager.encoding === 'ascii' ? len * 2 : len;
}

/** The MAC input of a message to send (or of a decoded message, re-encoded canonically). */
export function macInput(msg: IsoMessage, packager: Packager): Buffer {
  const field = macFieldOf(msg);
  const packed = packIso({ mti: msg.mti, fields: { ...withoutMac(msg), [field]: Buffer.alloc(MAC_LENGTH) } }, packager);
  return packed.subarray(0, packed.length - packedMacSize(packager, field));
}

/** The MAC input taken from the bytes as received; null when the MAC field is not the last element. */
export function macInputFromRaw(raw: Buffer, msg: IsoMessage, packager: Packager): Buffer | null {
  const field = macFieldOf(msg);
  if (msg.fields[field] === undefined) return null;
  if (field === 64 && msg.fields[128] !== undefined) return null;
  const size = packedMacSize(packager, field);
  return raw.length > size ? raw.subarray(0, raw.length - size) : null;
}

function computeMac(key: MessageMacKey, data: Uint8Array): Buffer {
  const tag = key.keyStore.generateMac(key.keyName, data, key.alg, key.alg === 'x919' ? { padding: 1 } : {});
  return Buffer.from(tag.subarray(0, MAC_LENGTH));
}

/** A copy of the message with its MAC in field 64 or 128. */
export function signMessage(msg: IsoMessage, packager: Packager, key: MessageMacKey): IsoMessage {
  const field = macFieldOf(msg);
  return { mti: msg.mti, fields: { ...withoutMac(msg), [field]: computeMac(key, macInput(msg, packager)) } };
}

/**
 * Verifies a received message's MAC over its raw bytes when given (else over the canonical re-encoding).
 * 'missing': no MAC field where the rule puts it; 'bad': a MAC that does not verify (or a key store error).
 */
export function checkMessageMac(msg: IsoMessage, packager: Packager, key: MessageMacKey, raw?: Buffer): MacCheck {
  const field = macFieldOf(msg);
  const mac = msg.fields[field];
  if (!(mac instanceof Buffer) || mac.length !== MAC_LENGTH) return 'missing';
  const data = raw ? macInputFromRaw(raw, msg, packager) : macInput(msg, packager);
  if (!data) return 'bad';
  try {
    return key.keyStore.verifyMac(key.keyName, data, mac, key.alg, key.alg === 'x919' ? { padding: 1 } : {}) ? 'ok' : 'bad';
  } catch {
    return 'bad';
  }
}
