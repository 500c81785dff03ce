/**
 * Message MACs on both sides (ANSI X9.19 and AES-CMAC, field 64/128, keys in key stores) and the working-key
 * exchange (0800/161 -> 0810 with a TR-31 block imported into the ATM's PIN pad key store), end to end between the
 * real HostLink and the real host simulator over loopback TCP. A tampering proxy on loopback changes responses on
 * the wire: the ATM rejects them, and the money is put right by the reversal.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame } from '../../../main/host/channel';
import { HostMacError, HostUnavailableError } from '../../../main/host/host-link';
import { ISO87A, packIso, unpackIso, type IsoMessage } from '../../../main/host/iso8583';
import { checkMessageMac, type MessageMacAlg } from '../../../main/host/message-mac';
import { DEFAULT_PROFILE, RC } from '../../../main/host/profile';
import { cleanup, cleanupLater, card, keyStoreWith, pinBlock, startAtm, startSim, withdraw } from '../host-sim/sim-fixture';

afterEach(cleanup);

const visa = card('visa-debit');
const PC = DEFAULT_PROFILE.processingCodes;

const MAC_KEY = { x919: Buffer.from('89B07B35A1B3F47E89B07B35A1B3F47E', 'hex'), 'aes-cmac': Buffer.from('2B7E151628AED2A6ABF7158809CF4F3C', 'hex') };
const OTHER_KEY = { x919: Buffer.from('0123456789ABCDEF0123456789ABCDEF', 'hex'), 'aes-cmac': Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex') };
const KBPK = { x919: { alg: 'tdes' as const, key: Buffer.from('DD7515F2BFC17F85CE48F3CA25CB21F6', 'hex') }, 'aes-cmac': { alg: 'aes' as const, key: Buffer.from('88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6', 'hex') } };

function macKey(alg: MessageMacAlg, key: Buffer) {
  return { name: 'mac', usage: alg === 'x919' ? ('M3' as const) : ('M6' as const), algorithm: alg === 'x919' ? ('tdes' as const) : ('aes' as const), key };
}

/** Host key store and options: the MAC key, and the KBPK for key exchange. */
function hostMac(alg: MessageMacAlg, key = MAC_KEY[alg]) {
  return { alg, keyName: 'mac', keyStore: keyStoreWith([macKey(alg, key)]), kbpk: KBPK[alg] };
}

/** The ATM's PIN pad key store: the same MAC key (or another) and the KBPK. */
function atmStore(alg: MessageMacAlg, key = MAC_KEY[alg]) {
  return keyStoreWith([macKey(alg, key), { name: 'kbpk', usage: 'K0', algorithm: KBPK[alg].alg, key: KBPK[alg].key }]);
}

describe.each(['x919', 'aes-cmac'] as const)('message MAC, %s', (alg) => {
  it('requests carry a MAC the host verifies; responses carry a MAC the ATM verifies', async () => {
    const sim = await startSim({ mac: hostMac(alg) });
    const seen: IsoMessage[] = [];
    sim.on('request', (m) => seen.push(m));
    const store = atmStore(alg);
    const atm = await startAtm(sim.port, { mac: { alg, keyName: 'mac', keyStore: store } });
    const r = await withdraw(atm, visa, 4000);
    expect(r.responseCode).toBe('00');
    const request = seen.find((m) => m.mti === '0200')!;
    expect(request.fields[64]).toBeInstanceOf(Buffer);
    expect(checkMessageMac(request, ISO87A, { alg, keyName: 'mac', keyStore: store })).toBe('ok');
    expect(seen.filter((m) => m.mti === '0800').every((m) => m.fields[64] === undefined)).toBe(true);
    const reply = { mti: '0210', fields: r.fields };
    expect(reply.fields[64]).toBeInstanceOf(Buffer);
    expect(checkMessageMac(reply, ISO87A, { alg, keyName: 'mac', keyStore: store })).toBe('ok');
    expect(sim.statistics().macFailures).toBe(0);
    // A reversal advice (field 90, 95: secondary bitmap) is MACed in field 128 and acknowledged.
    const ack = atm.nextEntry('reversal.acknowledged');
    atm.link.queueReversal(1, { stan: r.stan, transmissionDateTime: r.transmissionDateTime, mti: '0200', processingCode: PC.withdrawal, amount: 4000 }, 1000, '32');
    expect((await ack).data).toMatchObject({ responseCode: '00' });
    expect(seen.at(-1)!.fields[128]).toBeInstanceOf(Buffer);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 1000);
  });

  it('a request MACed under another key is declined 63 and never processed; the ATM rejects the answer too', async () => {
    const sim = await startSim({ mac: hostMac(alg) });
    const atm = await startAtm(sim.port, { mac: { alg, keyName: 'mac', keyStore: atmStore(alg, OTHER_KEY[alg]) } });
    const err = await withdraw(atm, visa, 4000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostMacError);
    expect((err as HostMacError).macFailure).toBe('bad');
    expect((err as HostMacError).request?.stan).toMatch(/^\d{6}$/);
    expect(atm.journal.query({ kind: 'host.macRejected' })[0]!.data).toMatchObject({ mti: '0210', failure: 'bad', responseCode: RC.securityViolation });
    expect(sim.statistics().macFailures).toBe(1);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
  });

  it('a host configured to drop bad-MAC requests stays silent: the ATM times out, nothing debited', async () => {
    const sim = await startSim({ mac: { ...hostMac(alg), onBadMac: 'drop' } });
    const atm = await startAtm(sim.port, { requestTimeoutMs: 300, mac: { alg, keyName: 'mac', keyStore: atmStore(alg, OTHER_KEY[alg]) } });
    const err = await withdraw(atm, visa, 4000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnavailableError);
    expect((err as HostUnavailableError).reason).toBe('timeout');
    expect(sim.statistics().macFailures).toBe(1);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
  });

  it('a request without a MAC is declined 63 (MACed by the host), nothing debited', async () => {
    const sim = await startSim({ mac: hostMac(alg) });
    const atm = await startAtm(sim.port);
    const r = await withdraw(atm, visa, 4000);
    expect(r.responseCode).toBe('63');
    expect(r.fields[64]).toBeInstanceOf(Buffer);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
  });

  it('a response without a MAC is rejected as missing (a host that does not MAC)', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port, { mac: { alg, keyName: 'mac', keyStore: atmStore(alg) } });
    const err = await withdraw(atm, visa, 4000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostMacError);
    expect((err as HostMacError).macFailure).toBe('missing');
  });

  it('a response changed on the wire fails its MAC: rejected, and the reversal puts the debit right', async () => {
    const sim = await startSim({ mac: hostMac(alg) });
    const proxy = await tamperingProxy(sim.port, (m) => (m.mti === '0210' ? { ...m, fields: { ...m.fields, 38: '999999' } } : m));
    const atm = await startAtm(proxy.port, { mac: { alg, keyName: 'mac', keyStore: atmStore(alg) } });
    const err = await withdraw(atm, visa, 4000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostMacError);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 4000); // the host did approve and debit
    // What SessionServices does with an unanswered withdrawal: reverse in full with the request's STAN and field 7.
    const sent = (err as HostMacError).request!;
    const ack = atm.nextEntry('reversal.acknowledged');
    atm.link.queueReversal(1, { ...sent, mti: '0200', processingCode: PC.withdrawal, amount: 4000 }, 0, DEFAULT_PROFILE.reversalReason.timeout);
    await ack;
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
    expect(proxy.tampered).toBe(1);
  });
});

describe('reversal advices and MACs', () => {
  it('an advice changed on the way is refused by the host (63, not processed) and repeated until taken; credited once', async () => {
    const sim = await startSim({ mac: hostMac('aes-cmac') });
    let first = true;
    const proxy = await tamperingProxy(sim.port, (m) => m, (m) => {
      if (!m.mti.startsWith('042') || !first) return m;
      first = false;
      return { ...m, fields: { ...m.fields, 4: '000000999999' } };
    });
    const atm = await startAtm(proxy.port, { mac: { alg: 'aes-cmac', keyName: 'mac', keyStore: atmStore('aes-cmac') } });
    const r = await withdraw(atm, visa, 6000);
    const ack = atm.nextEntry('reversal.acknowledged');
    atm.link.queueReversal(1, { stan: r.stan, transmissionDateTime: r.transmissionDateTime, mti: '0200', processingCode: PC.withdrawal, amount: 6000 }, 0, '22');
    expect((await ack).data).toMatchObject({ mti: '0421', responseCode: '00' });
    expect(proxy.tampered).toBe(1);
    expect(sim.statistics().macFailures).toBe(1);
    expect(atm.reversals.list('done')[0]).toMatchObject({ attempts: 2, lastError: 'response 00' });
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance);
  });
});

describe.each(['x919', 'aes-cmac'] as const)('key exchange, %s', (alg) => {
  it('0800/161 -> 0810 with a TR-31 block: the ATM imports it into its key store and MACs with it from then on', async () => {
    const host = hostMac(alg);
    const sim = await startSim({ mac: host });
    const store = atmStore(alg);
    const atm = await startAtm(sim.port, { mac: { alg, keyName: 'mac', keyStore: store }, keyExchange: { kbpkName: 'kbpk' } });
    const before = store.kcv('mac');
    const seen: IsoMessage[] = [];
    sim.on('request', (m) => seen.push(m));
    const result = await atm.link.keyExchange();
    expect(result).toMatchObject({ ok: true, keyName: 'mac', usage: alg === 'x919' ? 'M3' : 'M6' });
    expect(seen[0]).toMatchObject({ mti: '0800', fields: { 70: '161' } });
    const kcv = store.kcv('mac');
    expect(kcv).not.toBe(before);
    expect(result.ok && result.kcv).toBe(kcv);
    expect(host.keyStore.list().map((k) => k.kcv)).toContain(kcv);
    expect(store.has('mac.next')).toBe(false);
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
    // An ATM still on the old key is refused once the new key has been used.
    const old = await startAtm(sim.port, { mac: { alg, keyName: 'mac', keyStore: atmStore(alg) } });
    await expect(withdraw(old, visa, 2000)).rejects.toBeInstanceOf(HostMacError);
    expect(sim.bank.balanceOfPan(visa.pan)).toBe(visa.balance - 2000);
    expect(atm.journal.query({ kind: 'host.keyExchange' })[0]!.data).toEqual({ keyName: 'mac', usage: result.ok ? result.usage : '', kcv });
  });

  it('a lost 0810: the host keeps accepting the old key (and answers under it) until the new one is used', async () => {
    const sim = await startSim({ mac: hostMac(alg), faultDelayMs: 1000 });
    const store = atmStore(alg);
    const atm = await startAtm(sim.port, { mac: { alg, keyName: 'mac', keyStore: store }, keyExchange: { kbpkName: 'kbpk' }, requestTimeoutMs: 150 });
    const before = store.kcv('mac');
    sim.setFault('delay');
    expect(await atm.link.keyExchange()).toEqual({ ok: false, reason: 'timeout' });
    sim.setFault('none');
    expect(store.kcv('mac')).toBe(before);
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
    expect((await atm.link.keyExchange()).ok).toBe(true);
    expect((await withdraw(atm, visa, 2000)).responseCode).toBe('00');
  });
});

describe('PCI on the ATM side', () => {
  it('journal and reversal rows hold no PAN, track, PIN block, MAC key, KBPK or key block after MACed traffic and a key exchange', async () => {
    const sim = await startSim({ mac: hostMac('x919') });
    const store = atmStore('x919');
    const atm = await startAtm(sim.port, { mac: { alg: 'x919', keyName: 'mac', keyStore: store }, keyExchange: { kbpkName: 'kbpk' } });
    expect((await atm.link.keyExchange()).ok).toBe(true);
    const r = await withdraw(atm, visa, 4000);
    const ack = atm.nextEntry('reversal.acknowledged');
    atm.link.queueReversal(1, { stan: r.stan, transmissionDateTime: r.transmissionDateTime, mti: '0200', processingCode: PC.withdrawal, amount: 4000 }, 0, '22');
    await ack;
    const old = await startAtm(sim.port, { mac: { alg: 'x919', keyName: 'mac', keyStore: atmStore('x919', OTHER_KEY.x919) } });
    await expect(withdraw(old, visa, 2000)).rejects.toBeInstanceOf(HostMacError);
    for (const a of [atm, old]) {
      const text = JSON.stringify([a.db.prepare('SELECT * FROM journal').all(), a.db.prepare('SELECT * FROM reversal_queue').all()]).toUpperCase();
      expect(text).not.toContain(visa.pan);
      expect(text).not.toContain(`${visa.pan}=`);
      expect(text).not.toContain(pinBlock(visa).toString('hex').toUpperCase());
      for (const k of [MAC_KEY.x919, OTHER_KEY.x919, KBPK.x919.key]) expect(text).not.toContain(k.toString('hex').toUpperCase());
      expect(text).not.toMatch(/[BD]\d{4}M[356]/); // a TR-31 header
    }
  });
});

describe('key exchange refusals', () => {
  it('a host without a KBPK declines (12); the ATM key is unchanged', async () => {
    const sim = await startSim({ mac: { alg: 'x919', keyName: 'mac', keyStore: keyStoreWith([macKey('x919', MAC_KEY.x919)]) } });
    const store = atmStore('x919');
    const atm = await startAtm(sim.port, { mac: { alg: 'x919', keyName: 'mac', keyStore: store }, keyExchange: { kbpkName: 'kbpk' } });
    const kcv = store.kcv('mac');
    expect(await atm.link.keyExchange()).toEqual({ ok: false, reason: 'declined', responseCode: '12' });
    expect(store.kcv('mac')).toBe(kcv);
  });

  it('a block for another usage (an AES-CMAC key for an X9.19 ATM) is refused as wrongUsage; a block under another KBPK as rejected', async () => {
    const sim = await startSim({ mac: { ...hostMac('aes-cmac'), kbpk: KBPK.x919 } });
    const store = atmStore('x919');
    const atm = await startAtm(sim.port, { mac: { alg: 'x919', keyName: 'mac', keyStore: store }, keyExchange: { kbpkName: 'kbpk' } });
    const kcv = store.kcv('mac');
    expect(await atm.link.keyExchange()).toEqual({ ok: false, reason: 'wrongUsage', responseCode: '00' });
    expect(store.kcv('mac')).toBe(kcv);
    const other = keyStoreWith([macKey('x919', MAC_KEY.x919), { name: 'kbpk', usage: 'K0', algorithm: 'tdes', key: OTHER_KEY.x919 }]);
    expect(await atm.link.keyExchange({ keyStore: other })).toMatchObject({ ok: false, reason: 'rejected' });
    expect(other.kcv('mac')).toBe(store.kcv('mac'));
  });
});

interface Proxy {
  port: number;
  tampered: number;
}

type Rewrite = (m: IsoMessage) => IsoMessage;

/**
 * A loopback proxy (binary2 framing, ISO87A) that rewrites host->ATM messages with `toAtm` (and ATM->host ones
 * with `toHost`), keeping their MAC field as it was.
 */
async function tamperingProxy(hostPort: number, toAtm: Rewrite, toHost: Rewrite = (m) => m): Promise<Proxy> {
  const framing = { length: 'binary2' as const };
  const sockets = new Set<Socket>();
  const proxy: Proxy = { port: 0, tampered: 0 };
  const relay = (from: Socket, to: Socket, rewrite: Rewrite) => {
    const dec = new FrameDecoder(framing);
    from.on('data', (d) => {
      for (const frame of dec.push(d)) {
        const msg = unpackIso(frame, ISO87A);
        const out = rewrite(msg);
        if (out !== msg) proxy.tampered++;
        to.write(encodeFrame(packIso(out, ISO87A), framing));
      }
    });
  };
  const server: Server = createServer((atmSide) => {
    const hostSide = connect(hostPort, '127.0.0.1');
    sockets.add(atmSide).add(hostSide);
    relay(hostSide, atmSide, toAtm);
    relay(atmSide, hostSide, toHost);
    for (const s of [atmSide, hostSide]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        atmSide.destroy();
        hostSide.destroy();
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  proxy.port = typeof addr === 'object' && addr ? addr.port : 0;
  cleanupLater(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return proxy;
}
