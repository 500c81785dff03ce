/**
 * Test fixture: the real embedded host simulator on loopback TCP and the real ATM side (IsoClient + HostLink over
 * SQLite: journal, STAN sequence, reversal queue). No mocks: every request goes through the codec, the framing,
 * the socket, the simulator's issuer and its bank database. Waits are on events (journal entries, client events).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { openDatabase, type Db } from '../../../journals/database';
import { Journal, type JournalEntry } from '../../../journals/journal';
import { ReversalQueue } from '../../../journals/reversal-queue';
import { encryptPin } from '../../../main/crypto/pin-block-crypto';
import { KeyStore } from '../../../main/crypto/key-store';
import { IsoClient, type Framing } from '../../../main/host/channel';
import { HostLink, type AuthorizationResult, type HostLinkOptions } from '../../../main/host/host-link';
import { ISO87A, ISO87B, type IsoMessage } from '../../../main/host/iso8583';
import { buildNetworkRequest, type TerminalIdentity } from '../../../main/host/messages';
import { DEFAULT_PROFILE } from '../../../main/host/profile';
import { HostSimulator, type HostSimulatorOptions } from '../../../main/host-sim/host-simulator';
import type { IssuerKeys } from '../../../main/host-sim/pin-check';
import { TEST_CARDS, track2Of, type TestCard } from '../../../devices/card-reader/test-cards';

/** The zone PIN key the ATM's PIN pad shares with the host (the kiosk's default test key). */
export const ZPK = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
export const KEYS: IssuerKeys = { zpk: ZPK, pvk: Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex'), decimalizationTable: '0123456789012345' };
export const IDENTITY: TerminalIdentity = { terminalId: 'ATM00042', acceptorId: 'OPENATM000042', location: 'TEST BRANCH', acquirerId: '123456', currencyNumeric: '840' };

const cleanups: Array<() => unknown> = [];
/** Call from afterEach: closes everything the fixture started, newest first. */
export async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!();
}

/** Registers something for cleanup() (closed before what was started earlier). */
export function cleanupLater(fn: () => unknown): void {
  cleanups.push(fn);
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'atm-host-'));
  cleanups.unshift(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function card(id: string): TestCard {
  const c = TEST_CARDS.find((x) => x.id === id);
  if (!c) throw new Error(`no test card ${id}`);
  return c;
}

export function pinBlock(c: TestCard, pin = c.pin): Buffer {
  return encryptPin({ format: 0, pin, pan: c.pan, key: { alg: 'tdes', key: ZPK } });
}

export type SimOptions = Partial<Omit<HostSimulatorOptions, 'keys' | 'cardSecret'>> & { dir?: string };

export type Sim = HostSimulator & { port: number };

export async function startSim(o: SimOptions = {}): Promise<Sim> {
  const dir = o.dir ?? tempDir();
  const sim = new HostSimulator({
    dbPath: join(dir, 'host-sim.db'),
    packager: 'iso87a',
    framing: { length: 'binary2' },
    latencyMs: 0,
    currencyNumeric: '840',
    ...o,
    keys: KEYS,
    cardSecret: Buffer.from('host-sim test secret'),
  });
  const port = await sim.listen();
  cleanups.push(() => sim.close());
  return Object.assign(sim, { port });
}

export interface Atm {
  client: IsoClient;
  link: HostLink;
  db: Db;
  journal: Journal;
  reversals: ReversalQueue;
  protocolErrors: Error[];
  /** Resolves with the next journal entry of `kind` (matching `pred`), or rejects after timeoutMs. */
  nextEntry(kind: string, pred?: (e: JournalEntry) => boolean, timeoutMs?: number): Promise<JournalEntry>;
  stop(): Promise<void>;
}

export interface AtmOptions extends Partial<Omit<HostLinkOptions, 'requester' | 'db' | 'journal' | 'reversals' | 'identity' | 'profile'>> {
  packager?: 'iso87a' | 'iso87b';
  framing?: Framing;
  /** The ATM's SQLite file (reuse it to simulate a restart). */
  dbPath?: string;
  /** Consecutive timeouts after which the client drops and re-makes the connection. Default: never in tests. */
  maxConsecutiveFailures?: number;
  /** Do not start HostLink's sender/liveness (tests that start it themselves). */
  noStart?: boolean;
  /** Resolve without waiting for the link to come online. */
  noWaitOnline?: boolean;
}

export async function startAtm(port: number, o: AtmOptions = {}): Promise<Atm> {
  const db = openDatabase(o.dbPath ?? join(tempDir(), 'kiosk.db'));
  const journal = new Journal(db, IDENTITY.terminalId);
  const reversals = new ReversalQueue(db, o.now ? () => o.now!().getTime() : undefined);
  let echoStan = 0;
  const client = new IsoClient({
    host: '127.0.0.1',
    port,
    packager: o.packager === 'iso87b' ? ISO87B : ISO87A,
    framing: o.framing ?? { length: 'binary2' },
    requestTimeoutMs: o.requestTimeoutMs ?? 2000,
    reconnect: { initialMs: 10, maxMs: 50 },
    maxConsecutiveFailures: o.maxConsecutiveFailures ?? 1_000_000,
    lateResponseWindowMs: 60_000,
    echo: { intervalMs: 3_600_000, build: () => buildNetworkRequest('301', String(900000 + echoStan++), new Date(), IDENTITY) },
  });
  const protocolErrors: Error[] = [];
  client.on('protocolError', (e) => protocolErrors.push(e));
  const { packager: _p, framing: _f, dbPath: _d, maxConsecutiveFailures: _m, noStart, noWaitOnline, ...linkOpts } = o;
  const link = new HostLink({
    requestTimeoutMs: 2000,
    retry: { initialMs: 10, maxMs: 50 },
    ...linkOpts,
    requester: client,
    db,
    journal,
    reversals,
    identity: IDENTITY,
    profile: DEFAULT_PROFILE,
  });
  const online = once(link, 'online');
  client.start();
  if (!noStart) link.start();
  if (!noWaitOnline) await online;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    link.stop();
    client.stop();
    db.close();
  };
  cleanups.push(stop);
  const nextEntry = (kind: string, pred: (e: JournalEntry) => boolean = () => true, timeoutMs = 5000) =>
    new Promise<JournalEntry>((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new Error(`no journal entry ${kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = journal.onAppend((e) => {
        if (e.kind === kind && pred(e)) {
          clearTimeout(t);
          off();
          resolve(e);
        }
      });
    });
  return { client, link, db, journal, reversals, protocolErrors, nextEntry, stop };
}

/** A 0200 withdrawal (magstripe, PIN) through the real link; a card with an empty expiry is cardless (PAN only). */
export function withdraw(atm: Atm, c: TestCard, amount: number, opts: { pin?: string; noPin?: boolean; extra?: Record<number, string>; txn?: number } = {}): Promise<AuthorizationResult> {
  return atm.link.authorize({
    mti: '0200',
    processingCode: DEFAULT_PROFILE.processingCodes.withdrawal,
    amount,
    card: c.expiry ? { pan: c.pan, expiry: c.expiry, track2: track2Of(c) } : { pan: c.pan },
    ...(opts.noPin ? {} : { pinBlock: pinBlock(c, opts.pin) }),
    posEntryMode: DEFAULT_PROFILE.posEntryMagstripe,
    ...(opts.extra ? { extraFields: opts.extra } : {}),
    ...(opts.txn !== undefined ? { txn: opts.txn } : {}),
  });
}

/** A 0100 inquiry (balance, statement, PIN change) with the card's PIN. */
export function inquire(atm: Atm, c: TestCard, processingCode: string, opts: { pin?: string; extra?: Record<number, string> } = {}): Promise<AuthorizationResult> {
  return atm.link.authorize({
    mti: '0100',
    processingCode,
    amount: 0,
    card: { pan: c.pan, expiry: c.expiry, track2: track2Of(c) },
    pinBlock: pinBlock(c, opts.pin),
    posEntryMode: DEFAULT_PROFILE.posEntryMagstripe,
    ...(opts.extra ? { extraFields: opts.extra } : {}),
  });
}

/** A key store holding `name` as a clear test key (ATM PIN pad or host HSM stand-in). */
export function keyStoreWith(keys: Array<{ name: string; usage: 'M3' | 'M6' | 'K0' | 'K1'; algorithm: 'tdes' | 'aes'; key: Buffer }>): KeyStore {
  const store = KeyStore.open({ secret: 'test', allowClearImport: true });
  for (const k of keys) store.importClear(k.name, { usage: k.usage, algorithm: k.algorithm, key: k.key, requireParity: false });
  return store;
}

/** Collects the requests the simulator decodes; `until(n, pred)` resolves once n of them match (event-driven). */
export function requestLog(sim: HostSimulator) {
  const seen: IsoMessage[] = [];
  let waiters: Array<() => void> = [];
  sim.on('request', (m) => {
    seen.push(m);
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  });
  const count = (pred: (m: IsoMessage) => boolean) => seen.filter(pred).length;
  return {
    seen,
    count,
    async until(n: number, pred: (m: IsoMessage) => boolean = () => true, timeoutMs = 5000): Promise<IsoMessage[]> {
      const deadline = Date.now() + timeoutMs;
      while (count(pred) < n) {
        if (Date.now() > deadline) throw new Error(`only ${count(pred)} of ${n} matching requests reached the simulator`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return seen.filter(pred);
    },
  };
}

/** Field 90's original STAN (positions 5-10). */
export const originalStanOf = (m: IsoMessage): string => String(m.fields[90] ?? '').slice(4, 10);
