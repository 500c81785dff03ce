/**
 * TR-31 key blocks, key derivation binding methods (ANSI X9.143 / TR-31:2018):
 *  - version B: TDES KBPK; KBEK/KBAK derived with TDES-CMAC; 8-byte MAC.
 *  - version D: AES KBPK; KBEK/KBAK derived with AES-CMAC; 16-byte MAC.
 *  Derivation data (8 bytes): counter | usage 0000 (encryption) / 0001 (MAC) | 00 |
 *    algorithm (0000 2TDEA, 0001 3TDEA, 0002 AES-128, 0003 AES-192, 0004 AES-256) | length in bits.
 *  Payload = key length in bits (2 bytes) | key | random padding; MAC = CMAC(KBAK, header || payload);
 *  encrypted payload = CBC(KBEK, IV = MAC, payload). Block = header || hex(enc payload) || hex(MAC).
 * Versions A and C (variant binding) are deprecated and refused.
 */
import { type CipherAlg, cbcDecrypt, cbcEncrypt, defaultRandom } from './block-cipher';
import { type RandomSource, equalBytes } from './bytes';
import { cmac } from './cmac';
import { CryptoError } from './errors';
import { formatTr31Header, parseTr31Header, type Tr31Header, type Tr31HeaderInput } from './tr31-header';

export type { Tr31Header, Tr31HeaderInput, Tr31OptionalBlock } from './tr31-header';

interface Scheme {
  alg: Extract<CipherAlg, 'tdes' | 'aes'>;
  bs: number;
  macLen: number;
}

function scheme(versionId: string, kbpk: Uint8Array): Scheme {
  if (versionId === 'B') {
    if (kbpk.length !== 16 && kbpk.length !== 24) throw new CryptoError('BAD_KEY_LENGTH', 'version B needs a 16- or 24-byte TDES KBPK');
    return { alg: 'tdes', bs: 8, macLen: 8 };
  }
  if (versionId === 'D') {
    if (![16, 24, 32].includes(kbpk.length)) throw new CryptoError('BAD_KEY_LENGTH', 'version D needs a 16-, 24- or 32-byte AES KBPK');
    return { alg: 'aes', bs: 16, macLen: 16 };
  }
  throw new CryptoError('UNSUPPORTED', `TR-31 version "${versionId}" is not supported (only B and D)`);
}

function deriveKeys(s: Scheme, kbpk: Uint8Array): { kbek: Buffer; kbak: Buffer } {
  const algId = s.alg === 'tdes' ? (kbpk.length === 16 ? 0 : 1) : kbpk.length === 16 ? 2 : kbpk.length === 24 ? 3 : 4;
  const derive = (usage: number): Buffer => {
    const parts: Buffer[] = [];
    for (let counter = 1; parts.length * s.bs < kbpk.length; counter++) {
      const d = Buffer.alloc(8);
      d[0] = counter;
      d.writeUInt16BE(usage, 1);
      d.writeUInt16BE(algId, 4);
      d.writeUInt16BE(kbpk.length * 8, 6);
      parts.push(cmac(s.alg, kbpk, d));
    }
    return Buffer.concat(parts).subarray(0, kbpk.length);
  };
  return { kbek: derive(0x0000), kbak: derive(0x0001) };
}

export interface Tr31Unwrapped {
  header: Tr31Header;
  key: Buffer;
}

export function unwrapTr31(kbpk: Uint8Array, block: string): Tr31Unwrapped {
  const { header, length: headerLen } = parseTr31Header(block.trim());
  const s = scheme(header.versionId, kbpk);
  const body = block.trim().slice(headerLen);
  const macHexLen = s.macLen * 2;
  if (body.length <= macHexLen || !/^[0-9A-Fa-f]+$/.test(body)) throw new CryptoError('KEY_BLOCK', 'TR-31 payload and MAC must be hex');
  const enc = Buffer.from(body.slice(0, -macHexLen), 'hex');
  const mac = Buffer.from(body.slice(-macHexLen), 'hex');
  if (enc.length === 0 || enc.length % s.bs !== 0) throw new CryptoError('KEY_BLOCK', `TR-31 encrypted payload must be a multiple of ${s.bs} bytes`);
  const { kbek, kbak } = deriveKeys(s, kbpk);
  const payload = cbcDecrypt(s.alg, kbek, enc, mac);
  try {
    const expected = cmac(s.alg, kbak, Buffer.concat([Buffer.from(block.trim().slice(0, headerLen), 'latin1'), payload]));
    if (!equalBytes(expected, mac)) throw new CryptoError('MAC_MISMATCH', 'TR-31 key block MAC verification failed (wrong KBPK or tampered block)');
    const bits = payload.readUInt16BE(0);
    if (bits % 8 !== 0 || bits === 0 || bits / 8 > payload.length - 2) throw new CryptoError('KEY_BLOCK', 'TR-31 key length field is invalid');
    return { header, key: Buffer.from(payload.subarray(2, 2 + bits / 8)) };
  } finally {
    payload.fill(0);
    kbek.fill(0);
    kbak.fill(0);
  }
}

export interface WrapOptions {
  random?: RandomSource;
  /** Pad the key field as if the key had this many bytes (hides the key length), e.g. 24 for TDES. */
  maskedKeyLength?: number;
}

export function wrapTr31(kbpk: Uint8Array, header: Tr31HeaderInput, key: Uint8Array, opts: WrapOptions = {}): string {
  const s = scheme(header.versionId, kbpk);
  const masked = Math.max(key.length, opts.maskedKeyLength ?? 0);
  const clearLen = 2 + masked;
  const payloadLen = Math.ceil(clearLen / s.bs) * s.bs;
  const payload = Buffer.alloc(payloadLen);
  payload.writeUInt16BE(key.length * 8, 0);
  Buffer.from(key).copy(payload, 2);
  Buffer.from((opts.random ?? defaultRandom)(payloadLen - 2 - key.length)).copy(payload, 2 + key.length);
  const headerLen = formatTr31Header(header, 0, s.bs).length;
  const total = headerLen + payloadLen * 2 + s.macLen * 2;
  const head = formatTr31Header(header, total, s.bs);
  const { kbek, kbak } = deriveKeys(s, kbpk);
  try {
    const mac = cmac(s.alg, kbak, Buffer.concat([Buffer.from(head, 'latin1'), payload]));
    const enc = cbcEncrypt(s.alg, kbek, payload, mac);
    return head + enc.toString('hex').toUpperCase() + mac.toString('hex').toUpperCase();
  } finally {
    payload.fill(0);
    kbek.fill(0);
    kbak.fill(0);
  }
}
