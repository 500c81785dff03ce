/**
 * ISO 8583 pack/unpack per second for a typical ATM 0200 (withdrawal, chip: track 2, PIN block, field 55
 * with the usual ARQC tags), this repo's codec (main/host/iso8583) against the most used npm ISO 8583
 * package (iso_8583), in the same process, interleaved trials. Each side is checked to round-trip first.
 */
import { createRequire } from 'node:module';
import { ISO87A, ISO87B, packIso, unpackIso, type IsoMessage } from '../../main/host/iso8583';
import { buildFinancialRequest } from '../../main/host/messages';
import { DEFAULT_PROFILE } from '../../main/host/profile';
import { metricOf, pick, type SectionRun } from '../lib/types';

/** The part of iso_8583's API used here (the package ships no types). */
interface PeerIso {
  validateMessage(): true | { error: string };
  getRawMessage(): Buffer | { error: string };
  getIsoJSON(b: Buffer, config: { lenHeader: boolean }): Record<string, string> & { error?: string };
}
type PeerCtor = new (data?: Record<string, string>) => PeerIso;
const requireCjs = createRequire(import.meta.url);

/** A typical ARQC field 55 (tag, value) as an ATM sends it with a chip withdrawal (23 tags, 160 bytes). */
export const FIELD55_TAGS: Array<[string, string]> = [
  ['9F26', '7A3C8E2D91F04B65'], // application cryptogram
  ['9F27', '80'], // cryptogram information data (ARQC)
  ['9F10', '06010A03A0A000'], // issuer application data
  ['9F37', '5D2C91E7'], // unpredictable number
  ['9F36', '0042'], // ATC
  ['95', '0000008000'], // TVR
  ['9A', '261125'], // transaction date
  ['9C', '01'], // transaction type (cash)
  ['9F02', '000000006000'], // amount authorised
  ['9F03', '000000000000'], // amount other
  ['5F2A', '0840'], // transaction currency
  ['82', '3900'], // AIP
  ['9F1A', '0840'], // terminal country
  ['9F34', '410302'], // CVM results (online PIN)
  ['9F33', 'E0B8C8'], // terminal capabilities
  ['9F35', '14'], // terminal type (ATM, unattended)
  ['9F1E', '4154304D30303031'], // IFD serial
  ['84', 'A0000000031010'], // DF name (Visa credit/debit)
  ['9F09', '008C'], // application version
  ['9F41', '00000123'], // transaction sequence counter
  ['9F53', '52'], // transaction category code
  ['5F34', '01'], // PAN sequence number
  ['9F6E', '2070000000000000000000000000000000'], // form factor / third-party data
];

export function field55(): Buffer {
  const parts: Buffer[] = [];
  for (const [tag, value] of FIELD55_TAGS) {
    const v = Buffer.from(value, 'hex');
    parts.push(Buffer.from(tag, 'hex'), Buffer.from([v.length]), v);
  }
  return Buffer.concat(parts);
}

export function typical0200(): IsoMessage {
  const pan = '4761739001010010';
  return buildFinancialRequest(
    {
      mti: '0200',
      processingCode: DEFAULT_PROFILE.processingCodes.withdrawal,
      amount: 6000,
      card: { pan, expiry: '3012', track2: `${pan}=30122010000000000000` },
      pinBlock: Buffer.from('7434F67813BAE545', 'hex'),
      stan: '000123',
      now: new Date('2026-11-25T09:04:02Z'),
      posEntryMode: DEFAULT_PROFILE.posEntryChip,
      icc: field55(),
    },
    { terminalId: 'ATM00001', acceptorId: 'BANK00000000001', location: 'MAIN STREET 1 BRANCH ANYTOWN US', acquirerId: '123456', currencyNumeric: '840' },
    DEFAULT_PROFILE,
  );
}

/** The same message in iso_8583's input format: every value a string, binary fields as hex, track 2 with 'D'. */
function peerData(m: IsoMessage): Record<string, string> {
  const out: Record<string, string> = { 0: m.mti };
  for (const [k, v] of Object.entries(m.fields)) out[k] = Buffer.isBuffer(v) ? v.toString('hex').toUpperCase() : String(v);
  if (out[35]) out[35] = out[35].replace('=', 'D');
  return out;
}

/** Runs fn in batches until ms elapse; ops per second. */
function rate(fn: () => void, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

export const run: SectionRun = async (scale) => {
  const trials = pick(scale, { full: 7, quick: 3, tiny: 1 });
  const ms = pick(scale, { full: 1000, quick: 300, tiny: 50 });
  const Peer = requireCjs('iso_8583') as PeerCtor;
  const peerVersion = (requireCjs('iso_8583/package.json') as { version: string }).version;
  const msg = typical0200();
  const bytesA = packIso(msg, ISO87A);
  const bytesB = packIso(msg, ISO87B);
  const data = peerData(msg);

  // Correctness first: both sides round-trip the message.
  const backA = unpackIso(bytesA, ISO87A);
  if (!Buffer.from(backA.fields[55] as Buffer).equals(field55()) || backA.fields[2] !== msg.fields[2]) throw new Error('ISO87A round trip failed');
  const backB = unpackIso(bytesB, ISO87B);
  if (!Buffer.from(backB.fields[55] as Buffer).equals(field55())) throw new Error('ISO87B round trip failed');
  const peerMsg = new Peer(data);
  const valid = peerMsg.validateMessage();
  if (valid !== true) throw new Error(`iso_8583 rejects the message: ${JSON.stringify(valid)}`);
  const peerBytes = peerMsg.getRawMessage();
  if (!Buffer.isBuffer(peerBytes)) throw new Error(`iso_8583 pack failed: ${peerBytes.error}`);
  const peerBack = new Peer().getIsoJSON(peerBytes, { lenHeader: false });
  if (peerBack.error || peerBack[55]?.toUpperCase() !== data[55] || peerBack[2] !== data[2]) throw new Error('iso_8583 round trip failed');

  const cases: Record<string, () => void> = {
    oursPackA: () => packIso(msg, ISO87A),
    oursUnpackA: () => unpackIso(bytesA, ISO87A),
    oursPackB: () => packIso(msg, ISO87B),
    oursUnpackB: () => unpackIso(bytesB, ISO87B),
    peerPack: () => {
      const b = new Peer(data).getRawMessage();
      if (!Buffer.isBuffer(b)) throw new Error('pack failed');
    },
    peerUnpack: () => {
      const j = new Peer().getIsoJSON(peerBytes, { lenHeader: false });
      if (j.error) throw new Error('unpack failed');
    },
  };
  const results: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const fn of Object.values(cases)) rate(fn, Math.min(ms, 300)); // warm-up (JIT)
  for (let i = 0; i < trials; i++) for (const [k, fn] of Object.entries(cases)) results[k]!.push(rate(fn, ms));
  const ratio = (a: number[], b: number[]) => a.map((x, i) => x / b[i]!);
  return {
    title: 'ISO 8583 0200 with field 55: pack/unpack per second, ours vs iso_8583',
    params: {
      trialMs: ms,
      trials,
      fields: Object.keys(msg.fields).map(Number).sort((a, b) => a - b),
      field55Bytes: field55().length,
      bytes: { ours87A: bytesA.length, ours87B: bytesB.length, peer: peerBytes.length },
      peer: `iso_8583@${peerVersion}`,
    },
    metrics: {
      oursPackA: metricOf(results.oursPackA!, 'msg/s', 'ISO87A (ASCII, hex bitmap)'),
      oursUnpackA: metricOf(results.oursUnpackA!, 'msg/s', 'ISO87A'),
      oursPackB: metricOf(results.oursPackB!, 'msg/s', 'ISO87B (BCD, binary bitmap)'),
      oursUnpackB: metricOf(results.oursUnpackB!, 'msg/s', 'ISO87B'),
      peerPack: metricOf(results.peerPack!, 'msg/s', `iso_8583@${peerVersion} new Main(data).getRawMessage() (ASCII, binary bitmap; validates)`),
      peerUnpack: metricOf(results.peerUnpack!, 'msg/s', `iso_8583@${peerVersion} getIsoJSON(buf)`),
      packSpeedup: metricOf(ratio(results.oursPackA!, results.peerPack!), 'x peer', 'ours ISO87A pack / iso_8583 pack, per trial'),
      unpackSpeedup: metricOf(ratio(results.oursUnpackA!, results.peerUnpack!), 'x peer', 'ours ISO87A unpack / iso_8583 unpack, per trial'),
    },
    notes: [
      'Both codecs get the same field values; iso_8583 takes binary fields as hex text and track 2 with D as separator.',
      'iso_8583 defines field 55 as ans LLLVAR (hex text), ours as b LLLVAR (hex text in ISO87A, raw bytes in ISO87B).',
    ],
  };
};
