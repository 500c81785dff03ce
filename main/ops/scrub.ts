/**
 * PCI scrubbing for logs: no PAN, track data, PIN block, key or CVV ever reaches a log file.
 *   - text: track 1 (`%B<pan>^NAME^...`) and track 2 (`<pan>=<expiry+service code...>`) are removed, PANs (13-19
 *     digits passing Luhn, also with spaces or dashes) are masked to first 6 / last 4, `pin=...`, `key: ...`
 *     style pairs lose their value;
 *   - objects (deep, cycles and depth bounded): values of sensitive fields (pin, pinBlock, key, kek, zpk, track2,
 *     cvv, ... by name) are replaced by [REDACTED]; every string and number is text-scrubbed; Errors become
 *     { type, message, stack } scrubbed.
 * Uses the journal's own PAN rules (journals/pan.ts).
 */
import { containsPan, containsTrackData, maskPan } from '../../journals/pan';

export const REDACTED = '[REDACTED]';

/** Words that make a field sensitive (field names are split on camelCase, '_', '-', '.'). */
const SENSITIVE_WORDS = new Set([
  'pin', 'pins', 'pinblock', 'epb', 'pvv', 'offset',
  'track', 'track1', 'track2', 'track3', 'trackdata', 'tracks', 'magstripe', 'stripe',
  'cvv', 'cvv2', 'cvc', 'cvc2', 'cid', 'icvv', 'cav', 'cvn',
  'key', 'keys', 'keyblock', 'kek', 'zpk', 'zmk', 'tmk', 'tpk', 'tak', 'pek', 'bdk', 'ipek', 'kbpk', 'pvk', 'cvk', 'mk', 'component', 'components',
  'secret', 'password', 'passwd', 'passphrase', 'token', 'otp', 'cryptogram', 'arqc', 'pan',
]);
/** ... unless the name ends in one of these (metadata about the secret, not the secret). */
const SAFE_SUFFIXES = new Set(['name', 'names', 'id', 'ids', 'count', 'length', 'len', 'kcv', 'type', 'usage', 'status', 'state', 'index', 'slot', 'version', 'alg', 'algorithm', 'format', 'entered', 'tries', 'attempts', 'masked', 'last4', 'pad', 'event', 'events', 'mode']);
/** Whole names that are safe although a word matches. */
const SAFE_NAMES = new Set(['maskedpan', 'panmasked', 'pinpad', 'keyevent', 'pinentry', 'key_event']);

export function isSensitiveKey(name: string): boolean {
  const lower = name.toLowerCase();
  if (SAFE_NAMES.has(lower)) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter(Boolean);
  if (words.length === 0) return false;
  if (SENSITIVE_WORDS.has(lower)) return true;
  if (words.length > 1 && SAFE_SUFFIXES.has(words[words.length - 1]!)) return false;
  return words.some((w) => SENSITIVE_WORDS.has(w));
}

function luhn(d: string): boolean {
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

const TRACK1 = /%?B\d{12,19}\^[^^\n]{0,60}\^[^?\s"]*\??/g;
const TRACK1_LOOSE = /%?B\d{12,19}\^[^\s"]*/g;
const TRACK2 = /;?\d{12,19}[=D]\d{4,}[^?\s"]*\??/g;
const PAN_SPACED = /(?<![\d*])\d(?:[ -]?\d){12,18}(?![\d*])/g;
const SECRET_PAIR = /\b(pin(?:[ _-]?block)?|pvv|cvv2?|cvc2?|track[ _-]?[123]?(?:[ _-]?data)?|kek|zpk|zmk|tmk|tpk|bdk|ipek|clear[ _-]?key|key[ _-]?block|key|password|secret)(\s*[:=]\s*|\s+is\s+)(?!["']?\[REDACTED\])("[^"\\]*"|'[^'\\]*'|[^\s,;)}\]"'\\]+)/gi;

/** Masks or removes card and key material in free text. Idempotent. */
export function scrubText(text: string): string {
  if (!text) return text;
  let out = text;
  if (/[=^D]/.test(out)) {
    out = out.replace(TRACK1, '[TRACK1 REDACTED]').replace(TRACK1_LOOSE, '[TRACK1 REDACTED]').replace(TRACK2, '[TRACK2 REDACTED]');
  }
  if (/\d{4}/.test(out)) {
    out = out.replace(PAN_SPACED, (m) => {
      const digits = m.replace(/[ -]/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhn(digits) ? maskPan(digits) : m;
    });
  }
  out = out.replace(SECRET_PAIR, (_m, name: string, sep: string, v: string) => {
    const q = v[0] === '"' || v[0] === "'" ? v[0] : '';
    return `${name}${sep}${q}${REDACTED}${q}`;
  });
  return out;
}

/** True when the text still holds a PAN or track data (the journal's own test). */
export function leaksCardData(text: string): boolean {
  return containsPan(text) || containsTrackData(text);
}

const TIMEY = /(^|[a-z])(at|time|ts|timestamp|ms|date|epoch|seq|id)$/i;

/** Deep copy with sensitive fields redacted and all text scrubbed. */
export function scrubValue(value: unknown, key?: string, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (key !== undefined && isSensitiveKey(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  if (typeof value === 'string') return scrubText(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (key !== undefined && TIMEY.test(key) && typeof value === 'number') return value;
    const s = String(value);
    return s.length >= 13 && leaksCardData(s) ? scrubText(s) : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[DEPTH]';
  if (seen.has(value)) return '[CIRCULAR]';
  seen.add(value);
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.constructor.name} ${(value as ArrayBufferView).byteLength} bytes]`;
  if (value instanceof Error) {
    const e: Record<string, unknown> = { type: value.name, message: scrubText(value.message) };
    if (value.stack) e.stack = scrubText(value.stack);
    for (const [k, v] of Object.entries(value)) e[k] = scrubValue(v, k, depth + 1, seen);
    if (value.cause !== undefined) e.cause = scrubValue(value.cause, 'cause', depth + 1, seen);
    return e;
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, key, depth + 1, seen));
  if (value instanceof Map) return scrubValue(Object.fromEntries(value), key, depth, seen);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, k, depth + 1, seen);
  return out;
}
