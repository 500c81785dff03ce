/**
 * Bearer tokens for the monitoring API. A token is a random secret handed to the monitoring agent once; only its
 * SHA-256, name, scopes and expiry are stored: in the config's `monitoring.tokens` and/or in a token file in the
 * data directory (written by `atm-tools monitoring token create|revoke`, re-read by the kiosk when it changes).
 * Lookup hashes the presented value and compares it with every stored hash in constant time (no early exit).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { tokenSchema, type MonitoringToken, type Scope } from './config';

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new token secret (256 bits, base64url: usable in headers and WebSocket subprotocols) and its hash. */
export function generateToken(random: (n: number) => Buffer = randomBytes): { token: string; sha256: string } {
  const token = `atm_${random(32).toString('base64url')}`;
  return { token, sha256: hashToken(token) };
}

export type AuthResult = { ok: true; name: string; scopes: readonly Scope[]; expiresAt: string } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

const tokenFileSchema = z.strictObject({
  tokens: z.array(tokenSchema.extend({ createdAt: z.iso.datetime({ offset: true }).optional() })),
});
export type StoredToken = z.infer<typeof tokenFileSchema>['tokens'][number];

export function tokenFilePath(dataDir: string, file: string): string {
  return isAbsolute(file) ? file : join(dataDir, file);
}

/** Reads a token file; a missing file is an empty list, a malformed one an error naming the file. */
export function readTokenFile(path: string): StoredToken[] {
  if (!existsSync(path)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const r = tokenFileSchema.safeParse(raw);
  if (!r.success) throw new Error(`${path}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data.tokens;
}

/** Writes the file atomically (temp file + rename), readable by the owner only. */
export function writeTokenFile(path: string, tokens: StoredToken[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ tokens }, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

interface Entry {
  token: MonitoringToken;
  hash: Buffer;
  expires: number;
}

export class TokenVerifier {
  private fileEntries: Entry[] = [];
  private fileStamp = '';
  private readonly configEntries: Entry[];

  constructor(
    tokens: readonly MonitoringToken[],
    private readonly opts: { file?: string; now?: () => number; onFileError?: (e: Error) => void } = {},
  ) {
    this.configEntries = tokens.map(entry);
    this.reloadFile();
  }

  /** Re-reads the token file when its size or mtime changed. A broken file keeps the last good list. */
  private reloadFile(): void {
    const file = this.opts.file;
    if (!file) return;
    let stamp = 'absent';
    try {
      const st = statSync(file);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      // no file: no file tokens
    }
    if (stamp === this.fileStamp) return;
    try {
      this.fileEntries = readTokenFile(file).map(entry);
      this.fileStamp = stamp;
    } catch (e) {
      this.fileStamp = stamp;
      this.opts.onFileError?.(e as Error);
    }
  }

  verify(secret: string | undefined | null): AuthResult {
    if (!secret) return { ok: false, reason: 'missing' };
    if (secret.length > 512) return { ok: false, reason: 'invalid' };
    this.reloadFile();
    const presented = createHash('sha256').update(secret, 'utf8').digest();
    let found: Entry | undefined;
    for (const e of [...this.configEntries, ...this.fileEntries]) {
      if (timingSafeEqual(presented, e.hash) && !found) found = e;
    }
    if (!found) return { ok: false, reason: 'invalid' };
    if (!((this.opts.now ?? Date.now)() < found.expires)) return { ok: false, reason: 'expired' };
    return { ok: true, name: found.token.name, scopes: found.token.scopes, expiresAt: found.token.expiresAt };
  }
}

function entry(t: MonitoringToken): Entry {
  return { token: t, hash: Buffer.from(t.sha256, 'hex'), expires: Date.parse(t.expiresAt) };
}

/** The token from `Authorization: Bearer <t>`. */
export function bearerFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  return m?.[1];
}

/**
 * The token from `Sec-WebSocket-Protocol: bearer, <t>` (browsers cannot set headers on a WebSocket) or the
 * `bearer.<t>` form.
 */
export function bearerFromProtocols(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const parts = header
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const i = parts.indexOf('bearer');
  if (i >= 0 && parts[i + 1]) return parts[i + 1];
  const dotted = parts.find((p) => p.startsWith('bearer.'));
  return dotted?.slice('bearer.'.length) || undefined;
}

/** `90d`, `12h`, `30m` or an ISO date-time -> ISO expiry. */
export function parseExpiry(v: string, now = Date.now()): string {
  const m = /^(\d+)([dhm])$/.exec(v);
  if (m) {
    const n = Number(m[1]);
    if (n <= 0) throw new Error(`--expires ${v}: must be more than 0`);
    const ms = n * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
    return new Date(now + ms).toISOString();
  }
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) throw new Error(`--expires ${v}: use a duration like 90d, 12h, 30m or an ISO date-time`);
  if (t <= now) throw new Error(`--expires ${v}: is in the past`);
  return new Date(t).toISOString();
}
