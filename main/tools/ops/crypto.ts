/**
 * atm-tools batch ops for payment cryptography (hex answers upper-case):
 *  pinblock.encode, pinblock.decode, dukpt.tdes, dukpt.aes, mac, tr31.unwrap, tr31.wrap, kcv.
 */
import { type BatchOp, type JsonObject, ToolError, hexArg, hexOut, optStr, str } from '../op-registry';
import { decodePinBlock, encodePinBlock, panField128, type PinBlockFormat } from '../../crypto/pin-block';
import { decryptToClearPinBlock, encryptClearPinBlock, type PinBlockCipher } from '../../crypto/pin-block-crypto';
import { tdesDukptIpek, tdesDukptKeys, tdesKsnCounter } from '../../crypto/dukpt-tdes';
import { aesDukptKeys, isAesDukptKeyType } from '../../crypto/dukpt-aes';
import { isoMacAlg1, isoMacAlg3, type IsoPadding } from '../../crypto/mac-iso9797';
import { cmac } from '../../crypto/cmac';
import { unwrapTr31, wrapTr31, type Tr31HeaderInput } from '../../crypto/tr31';
import { kcv as computeKcv } from '../../crypto/kcv';

function formatArg(req: JsonObject): PinBlockFormat {
  const f = req.format;
  if (f === 0 || f === 1 || f === 3 || f === 4) return f;
  throw new ToolError('"format" must be 0, 1, 3 or 4');
}

function cipherArg(req: JsonObject, format: PinBlockFormat): PinBlockCipher {
  const a = optStr(req, 'alg') ?? (format === 4 ? 'aes' : 'tdes');
  if (a === 'tdes' || a === 'aes' || a === 'sm4') return a;
  throw new ToolError('"alg" must be tdes, aes or sm4');
}

function intArg(req: JsonObject, name: string, allowed: readonly number[], dflt: number): number {
  const v = req[name] ?? dflt;
  if (typeof v !== 'number' || !allowed.includes(v)) throw new ToolError(`"${name}" must be one of ${allowed.join(', ')}`);
  return v;
}

/** `{"op":"pinblock.encode","format":0,"pin":"1234","pan":"4012345678909"[,"key","alg","fill"]}` */
export const pinblockEncode: BatchOp = (req) => {
  const format = formatArg(req);
  const pan = optStr(req, 'pan');
  const clear = encodePinBlock({ format, pin: str(req, 'pin'), pan, fill: optStr(req, 'fill') });
  const out: JsonObject = { clear: hexOut(clear) };
  if (format === 4 && pan !== undefined) out.panField = hexOut(panField128(pan));
  if (req.key !== undefined) out.encrypted = hexOut(encryptClearPinBlock(format, clear, { alg: cipherArg(req, format), key: hexArg(req, 'key') }, pan));
  clear.fill(0);
  return out;
};

/** `{"op":"pinblock.decode","format":0,"pan":"...","clear":"<hex>"}` or `...,"encrypted":"<hex>","key":"<hex>"}` */
export const pinblockDecode: BatchOp = (req) => {
  const format = formatArg(req);
  const pan = optStr(req, 'pan');
  let clear: Buffer;
  if (req.encrypted !== undefined) {
    clear = decryptToClearPinBlock(format, hexArg(req, 'encrypted'), { alg: cipherArg(req, format), key: hexArg(req, 'key') }, pan);
  } else clear = hexArg(req, 'clear');
  const pin = decodePinBlock(format === 4 ? { format, block: clear } : { format, block: clear, pan });
  const out: JsonObject = { pin };
  if (req.encrypted !== undefined) out.clear = hexOut(clear);
  return out;
};

/** `{"op":"dukpt.tdes","bdk":"<hex>","ksn":"<20 hex>"}` -> ipek, transactionKey, pinKey, macKey, dataKey. */
export const dukptTdes: BatchOp = (req) => {
  const bdk = hexArg(req, 'bdk');
  const ksn = hexArg(req, 'ksn');
  const ipek = tdesDukptIpek(bdk, ksn);
  if (tdesKsnCounter(ksn) === 0) return { ipek: hexOut(ipek), note: 'KSN counter is 0 (initial KSN): no transaction key' };
  const k = tdesDukptKeys(bdk, ksn);
  return { ipek: hexOut(k.ipek), transactionKey: hexOut(k.transactionKey), pinKey: hexOut(k.pinKey), macKey: hexOut(k.macKey), dataKey: hexOut(k.dataKey) };
};

/** `{"op":"dukpt.aes","bdk":"<hex>","ksn":"<24 hex>","keyType":"AES128"}` */
export const dukptAes: BatchOp = (req) => {
  const keyType = optStr(req, 'keyType') ?? 'AES128';
  if (!isAesDukptKeyType(keyType)) throw new ToolError('"keyType" must be TDES2, TDES3, AES128, AES192 or AES256');
  const k = aesDukptKeys(hexArg(req, 'bdk'), hexArg(req, 'ksn'), keyType);
  return {
    initialKey: hexOut(k.initialKey),
    transactionKey: hexOut(k.transactionKey),
    pinKey: hexOut(k.pinKey),
    macKey: hexOut(k.macKey),
    dataKey: hexOut(k.dataKey),
  };
};

/** `{"op":"mac","alg":"x919"|"iso9797-1-alg1"|"aes-cmac"|"tdes-cmac","key","data"[,"padding":1|2|3,"length":8]}` */
export const macOp: BatchOp = (req) => {
  const alg = str(req, 'alg');
  const key = hexArg(req, 'key');
  const data = hexArg(req, 'data');
  const padding = intArg(req, 'padding', [1, 2, 3], 1) as IsoPadding;
  const maxLen = alg === 'aes-cmac' ? 16 : 8;
  const length = intArg(req, 'length', Array.from({ length: maxLen - 3 }, (_, i) => i + 4), 8);
  switch (alg) {
    case 'x919':
    case 'iso9797-1-alg3':
      return { mac: hexOut(isoMacAlg3(key, data, padding, length)) };
    case 'iso9797-1-alg1':
      return { mac: hexOut(isoMacAlg1(key, data, padding, length)) };
    case 'aes-cmac':
      return { mac: hexOut(cmac('aes', key, data, length)) };
    case 'tdes-cmac':
      return { mac: hexOut(cmac('tdes', key, data, length)) };
    default:
      throw new ToolError('"alg" must be x919, iso9797-1-alg1, aes-cmac or tdes-cmac');
  }
};

/** `{"op":"tr31.unwrap","kbpk":"<hex>","block":"..."}` -> header fields and the key. */
export const tr31Unwrap: BatchOp = (req) => {
  const { header, key } = unwrapTr31(hexArg(req, 'kbpk'), str(req, 'block'));
  const alg = header.algorithm === 'A' ? 'aes' : header.algorithm === 'T' ? 'tdes' : undefined;
  const out: JsonObject = { header: { ...header }, key: hexOut(key) };
  if (alg) out.kcv = hexOut(computeKcv(key, alg));
  return out;
};

/** `{"op":"tr31.wrap","kbpk":"<hex>","key":"<hex>","header":"B0000P0TE00N0000"|{versionId,...}}` -> block. */
export const tr31Wrap: BatchOp = (req) => {
  const h = req.header;
  let header: Tr31HeaderInput;
  if (typeof h === 'string') {
    if (h.length < 16) throw new ToolError('"header" string must have at least 16 characters');
    header = { versionId: h[0]!, keyUsage: h.slice(5, 7), algorithm: h[7]!, modeOfUse: h[8]!, keyVersionNumber: h.slice(9, 11), exportability: h[11]!, reserved: h.slice(14, 16) };
  } else if (typeof h === 'object' && h !== null && !Array.isArray(h)) {
    const o = h as JsonObject;
    header = {
      versionId: str(o, 'versionId'),
      keyUsage: str(o, 'keyUsage'),
      algorithm: str(o, 'algorithm'),
      modeOfUse: str(o, 'modeOfUse'),
      keyVersionNumber: optStr(o, 'keyVersionNumber') ?? '00',
      exportability: optStr(o, 'exportability') ?? 'N',
    };
  } else throw new ToolError('"header" must be a header string or an object');
  return { block: wrapTr31(hexArg(req, 'kbpk'), header, hexArg(req, 'key')) };
};

/** `{"op":"kcv","key":"<hex>","alg":"tdes"|"aes"}` -> 3-byte KCV (AES: CMAC-based, X9.24). */
export const kcvOp: BatchOp = (req) => {
  const alg = optStr(req, 'alg') ?? 'tdes';
  if (alg !== 'tdes' && alg !== 'aes' && alg !== 'aes-ecb' && alg !== 'sm4') throw new ToolError('"alg" must be tdes, aes, aes-ecb or sm4');
  return { kcv: hexOut(computeKcv(hexArg(req, 'key'), alg)) };
};

export const cryptoBatchOps: Record<string, BatchOp> = {
  'pinblock.encode': pinblockEncode,
  'pinblock.decode': pinblockDecode,
  'dukpt.tdes': dukptTdes,
  'dukpt.aes': dukptAes,
  mac: macOp,
  'tr31.unwrap': tr31Unwrap,
  'tr31.wrap': tr31Wrap,
  kcv: kcvOp,
};
