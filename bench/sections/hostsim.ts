/**
 * Host simulator capacity: the embedded ISO 8583 host (main/host-sim) in its own process, driven over loopback
 * TCP by C concurrent ATM connections (one terminal id each, binary2 framing, ISO87A), each sending 0200 cash
 * withdrawals with an encrypted PIN block one after another (closed loop: the next request when the answer is
 * in). Throughput is answers per second over a time-boxed trial; latency is request written to answer decoded,
 * p99 over all answers of a trial. Server and load generator get one core each (2-core machine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ISO87A, packIso, unpackIso } from '../../main/host/iso8583';
import { FrameDecoder, encodeFrame, type Framing } from '../../main/host/channel/framing';
import { buildFinancialRequest, stan6 } from '../../main/host/messages';
import { DEFAULT_PROFILE } from '../../main/host/profile';
import { encryptPin } from '../../main/crypto/pin-block-crypto';
import { TEST_CARDS, track2Of } from '../../devices/card-reader/test-cards';
import { percentile } from '../lib/stats';
import { withTempDir } from '../lib/tempdir';
import { metricOf, pick, type Metric, type SectionRun } from '../lib/types';

const here = dirname(fileURLToPath(import.meta.url));
const FRAMING: Framing = { length: 'binary2' };
const ZPK = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const cards = TEST_CARDS.filter((c) => c.id === 'visa-debit' || c.id === 'mc-debit' || c.id === 'unionpay-debit');
const pinBlocks = new Map(cards.map((c) => [c.id, encryptPin({ format: 0, pin: c.pin, pan: c.pan, key: { alg: 'tdes', key: ZPK } })]));

function startServer(dir: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, '..', 'lib', 'host-sim-server.ts'), dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`host simulator exited (${code}) before listening`)));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.stdin!.end();
  });
}

interface Conn {
  sock: Socket;
  decoder: FrameDecoder;
  terminal: string;
  stan: number;
  waiting: ((b: Buffer) => void) | null;
}

function openConn(port: number, i: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1' }, () => resolve(conn));
    sock.setNoDelay(true);
    const conn: Conn = { sock, decoder: new FrameDecoder(FRAMING), terminal: `BT${String(i).padStart(6, '0')}`, stan: 1, waiting: null };
    sock.on('data', (chunk) => {
      for (const f of conn.decoder.push(chunk)) {
        const w = conn.waiting;
        conn.waiting = null;
        w?.(f);
      }
    });
    sock.once('error', reject);
  });
}

function request(c: Conn, i: number): Buffer {
  const card = cards[i % cards.length]!;
  const msg = buildFinancialRequest(
    {
      mti: '0200',
      processingCode: DEFAULT_PROFILE.processingCodes.withdrawal,
      amount: 2000,
      card: { pan: card.pan, expiry: card.expiry, track2: track2Of(card) },
      pinBlock: pinBlocks.get(card.id)!,
      stan: stan6(c.stan++),
      now: new Date(),
      posEntryMode: DEFAULT_PROFILE.posEntryMagstripe,
    },
    { terminalId: c.terminal, acceptorId: 'BENCH0000000001', location: 'LOOPBACK', acquirerId: '123456', currencyNumeric: '840' },
    DEFAULT_PROFILE,
  );
  return encodeFrame(packIso(msg, ISO87A), FRAMING);
}

/** Every connection sends requests back to back until the deadline; returns per-answer latencies and errors. */
async function trial(conns: Conn[], ms: number): Promise<{ latencies: number[]; seconds: number; declined: number }> {
  const latencies: number[] = [];
  let declined = 0;
  const t0 = performance.now();
  const deadline = t0 + ms;
  await Promise.all(
    conns.map(async (c, ci) => {
      let i = ci;
      while (performance.now() < deadline) {
        const frame = request(c, i++);
        const sent = performance.now();
        const answer = await new Promise<Buffer>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no answer in 30 s on ${c.terminal}`)), 30_000);
          c.waiting = (b) => {
            clearTimeout(timer);
            resolve(b);
          };
          c.sock.write(frame);
        });
        const reply = unpackIso(answer, ISO87A);
        latencies.push(performance.now() - sent);
        if (reply.fields[39] !== '00') declined++;
      }
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000, declined };
}

export const run: SectionRun = async (scale) => {
  const levels = pick(scale, { full: [1, 10, 50, 200, 500], quick: [1, 50], tiny: [1, 4] });
  const trials = pick(scale, { full: 5, quick: 3, tiny: 1 });
  const ms = pick(scale, { full: 3000, quick: 1000, tiny: 200 });
  return withTempDir('atm-bench-hostsim-', async (dir) => {
    const { child, port } = await startServer(dir);
    const metrics: Record<string, Metric> = {};
    const answersPerLevel: Record<number, number> = {};
    const pools = new Map<number, Conn[]>();
    try {
      for (const c of levels) pools.set(c, await Promise.all(Array.from({ length: c }, (_, i) => openConn(port, i + c * 1000))));
      for (const c of levels) await trial(pools.get(c)!, Math.min(ms, 1000)); // warm-up
      // Trials outer, levels inner: a burst of other load on the machine hits every level alike.
      const tput = new Map<number, number[]>(levels.map((c) => [c, []]));
      const p50 = new Map<number, number[]>(levels.map((c) => [c, []]));
      const p99 = new Map<number, number[]>(levels.map((c) => [c, []]));
      for (let t = 0; t < trials; t++) {
        for (const c of levels) {
          const r = await trial(pools.get(c)!, ms);
          if (r.declined) throw new Error(`${r.declined} of ${r.latencies.length} withdrawals declined at ${c} connections`);
          tput.get(c)!.push(r.latencies.length / r.seconds);
          p50.get(c)!.push(percentile(r.latencies, 50));
          p99.get(c)!.push(percentile(r.latencies, 99));
          answersPerLevel[c] = (answersPerLevel[c] ?? 0) + r.latencies.length;
        }
      }
      for (const c of levels) {
        metrics[`throughputC${c}`] = metricOf(tput.get(c)!, 'answers/s', `${c} connections, closed loop`);
        metrics[`p50C${c}`] = metricOf(p50.get(c)!, 'ms', 'median over trials of the per-trial p50');
        metrics[`p99C${c}`] = metricOf(p99.get(c)!, 'ms', 'median over trials of the per-trial p99');
      }
    } finally {
      for (const pool of pools.values()) for (const k of pool) k.sock.destroy();
      await stopServer(child);
    }
    const perLevel = levels.map((c) => ({ connections: c, answers: answersPerLevel[c] ?? 0 }));
    return {
      title: 'Host simulator capacity: concurrent ATM connections over loopback',
      params: { levels, trials, trialMs: ms, message: '0200 withdrawal 20.00, PIN block, ISO87A, binary2 framing', perLevel },
      metrics,
      notes: [],
    };
  });
};
