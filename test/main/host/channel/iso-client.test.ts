import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DuplicateRequestError,
  FramingError,
  HostOfflineError,
  HostTimeoutError,
  IsoClient,
  UnmatchedResponseError,
  type Framing,
  type IsoClientOptions,
  type Timers,
} from '../../../../main/host/channel';
import { ISO87A, ISO87B, Iso8583Error, type IsoMessage, type Packager } from '../../../../main/host/iso8583';
import { TestHost, answer } from './test-host';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const withdrawal = (stan: string, tid = 'ATM00001'): IsoMessage => ({
  mti: '0200',
  fields: { 2: '4761739001010119', 3: '010000', 4: '000000010000', 11: stan, 41: tid, 52: Buffer.from('0123456789ABCDEF', 'hex') },
});

async function setup(opts: { packager?: Packager; framing?: Framing; client?: Partial<IsoClientOptions> } = {}) {
  const packager = opts.packager ?? ISO87A;
  const framing = opts.framing ?? { length: 'binary2' };
  const host = new TestHost(packager, framing);
  await host.listen();
  const client = new IsoClient({
    host: '127.0.0.1',
    port: host.port,
    packager,
    framing,
    requestTimeoutMs: 300,
    reconnect: { initialMs: 20, maxMs: 100 },
    ...opts.client,
  });
  const errors: Error[] = [];
  client.on('protocolError', (e) => errors.push(e));
  cleanups.push(() => host.close(), () => client.stop());
  const online = once(client, 'online');
  client.start();
  await online;
  return { host, client, errors };
}

describe('IsoClient over every framing', () => {
  const framings: Array<[Packager, Framing]> = [
    [ISO87A, { length: 'binary2' }],
    [ISO87B, { length: 'binary4' }],
    [ISO87A, { length: 'ascii4' }],
    [ISO87B, { length: 'bcd2' }],
    [ISO87B, { length: 'binary2', tpdu: '6000010002' }],
    [ISO87A, { length: 'ascii4', tpdu: '6000030004' }],
    [ISO87A, { length: 'none' }],
  ];
  it.each(framings)('%s / %o: request, response, TPDU swapped back', async (packager, framing) => {
    const { host, client } = await setup({ packager, framing });
    host.onRequest = (r) => host.reply(r, answer(r.msg, { 38: 'A1B2C3' }));
    for (const stan of ['000001', '000002']) {
      const resp = await client.request(withdrawal(stan));
      expect(resp.mti).toBe('0210');
      expect(resp.fields[11]).toBe(stan);
      expect(resp.fields[38]).toBe('A1B2C3');
    }
    expect(host.received[0]!.msg.fields[52]).toEqual(Buffer.from('0123456789ABCDEF', 'hex'));
    expect(host.received[0]!.tpdu).toBe(framing.tpdu ?? null);
  });
});

describe('IsoClient matching', () => {
  it('out-of-order responses reach the right callers (MTI + field 41 + field 11)', async () => {
    const { host, client, errors } = await setup();
    host.onRequest = () => undefined;
    const reqs = [withdrawal('000011'), withdrawal('000012'), withdrawal('000011', 'ATM00002'), { mti: '0800', fields: { 11: '000011', 41: 'ATM00001', 70: '301' } }];
    const results = reqs.map((r) => client.request(r));
    await host.waitForRequests(reqs.length);
    for (const [i, r] of [...host.received.entries()].reverse()) host.reply(r, answer(r.msg, { 38: `AUTH0${i}` }));
    const out = await Promise.all(results);
    expect(out.map((m) => [m.mti, m.fields[11], m.fields[41], m.fields[38]])).toEqual([
      ['0210', '000011', 'ATM00001', 'AUTH00'],
      ['0210', '000012', 'ATM00001', 'AUTH01'],
      ['0210', '000011', 'ATM00002', 'AUTH02'],
      ['0810', '000011', 'ATM00001', 'AUTH03'],
    ]);
    expect(errors).toEqual([]);
  });

  it('0421 (repeat) is answered by 0430; short STAN and terminal id are matched after normalisation', async () => {
    const { host, client } = await setup();
    host.onRequest = (r) => host.reply(r, { mti: '0430', fields: { 11: r.msg.fields[11]!, 41: r.msg.fields[41]!, 39: '00' } });
    const resp = await client.request({ mti: '0421', fields: { 11: '7', 41: 'ATM1', 90: '0'.repeat(42) } });
    expect(resp.mti).toBe('0430');
    expect(resp.fields[11]).toBe('000007');
  });

  it('a second request with the same key while the first is in flight is refused', async () => {
    const { host, client } = await setup();
    host.onRequest = () => undefined;
    const first = client.request(withdrawal('000020'));
    await expect(client.request(withdrawal('000020'))).rejects.toBeInstanceOf(DuplicateRequestError);
    await host.waitForRequests(1);
    host.reply(host.received[0]!, answer(host.received[0]!.msg));
    await expect(first).resolves.toMatchObject({ mti: '0210' });
  });

  it('an unpackable request is refused with Iso8583Error before anything is sent', async () => {
    const { host, client } = await setup();
    await expect(client.request({ mti: '0200', fields: { 4: 'ten' } })).rejects.toBeInstanceOf(Iso8583Error);
    expect(host.received).toHaveLength(0);
  });

  it('an unmatched response is a protocolError, not a crash', async () => {
    const { host, client, errors } = await setup();
    host.onRequest = (r) => {
      host.reply(r, answer({ ...r.msg, fields: { ...r.msg.fields, 11: '999999' } }));
      host.reply(r, answer(r.msg));
    };
    await expect(client.request(withdrawal('000030'))).resolves.toMatchObject({ mti: '0210' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UnmatchedResponseError);
  });
});

describe('IsoClient failures', () => {
  it('timeout rejects with HostTimeoutError; the response arriving later is a lateResponse', async () => {
    const { host, client, errors } = await setup();
    host.onRequest = () => undefined;
    const late: IsoMessage[] = [];
    client.on('lateResponse', (m) => late.push(m));
    const err = await client.request(withdrawal('000040'), { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostTimeoutError);
    expect((err as HostTimeoutError).name).toBe('HostTimeoutError');
    const lateSeen = once(client, 'lateResponse');
    host.reply(host.received[0]!, answer(host.received[0]!.msg, { 38: 'LATE01' }));
    await lateSeen;
    expect(late.map((m) => [m.mti, m.fields[11], m.fields[38]])).toEqual([['0210', '000040', 'LATE01']]);
    expect(errors).toEqual([]);
    expect(client.isOnline()).toBe(true);
  });

  it('disconnect mid-request rejects with HostOfflineError, emits offline, then reconnects', async () => {
    const { host, client } = await setup();
    host.onRequest = (r) => r.sock.destroy();
    const offline = once(client, 'offline');
    const err = await client.request(withdrawal('000050')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostOfflineError);
    expect((err as HostOfflineError).reason).toBe('disconnected');
    await offline;
    await once(client, 'online');
    host.onRequest = (r) => host.reply(r, answer(r.msg));
    await expect(client.request(withdrawal('000051'))).resolves.toMatchObject({ mti: '0210' });
  });

  it('request while not connected fails at once with HostOfflineError', async () => {
    const { host, client } = await setup();
    const offline = once(client, 'offline');
    await host.close();
    await offline;
    const err = await client.request(withdrawal('000060')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostOfflineError);
    expect((err as HostOfflineError).reason).toBe('notConnected');
  });

  it('a garbled frame is a protocolError (Iso8583Error); the link keeps working', async () => {
    const { host, client, errors } = await setup();
    host.onRequest = (r) => {
      host.writeRaw(r.sock, Buffer.from('0210XYZ-not-a-bitmap', 'latin1'));
      host.reply(r, answer(r.msg));
    };
    await expect(client.request(withdrawal('000070'))).resolves.toMatchObject({ mti: '0210' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Iso8583Error);
    expect((errors[0] as Iso8583Error).field).toBe(1);
  });

  it('a broken length header drops the connection (FramingError) and the client reconnects', async () => {
    const { host, client, errors } = await setup({ client: { maxFrame: 1000 } });
    host.onRequest = (r) => r.sock.write(Buffer.from([0xff, 0xff, 1, 2, 3]));
    const err = await client.request(withdrawal('000080')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostOfflineError);
    expect(errors[0]).toBeInstanceOf(FramingError);
    await once(client, 'online');
  });

  it('a host spewing random frames causes protocolErrors only; requests still complete', async () => {
    const { host, client, errors } = await setup();
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    host.onRequest = (r) => {
      for (let i = 0; i < 50; i++) host.writeRaw(r.sock, Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => Math.floor(rnd() * 256))));
      host.reply(r, answer(r.msg));
    };
    await expect(client.request(withdrawal('000085'))).resolves.toMatchObject({ mti: '0210' });
    expect(errors.length).toBe(50);
    expect(errors.every((e) => e instanceof Iso8583Error)).toBe(true);
  });

  it('reconnects after the server restarts on the same port', async () => {
    const { host, client } = await setup();
    const offline = once(client, 'offline');
    await host.close();
    await offline;
    await new Promise((r) => setTimeout(r, 150)); // a few refused attempts
    const online = once(client, 'online');
    await host.listen(host.port);
    await online;
    await expect(client.request(withdrawal('000090'))).resolves.toMatchObject({ mti: '0210' });
  });

  it('N consecutive timeouts take the link offline and it reconnects', async () => {
    const { host, client } = await setup({ client: { maxConsecutiveFailures: 2 } });
    host.onRequest = () => undefined;
    const events: string[] = [];
    client.on('offline', () => events.push('offline'));
    client.on('online', () => events.push('online'));
    await expect(client.request(withdrawal('000100'), { timeoutMs: 30 })).rejects.toBeInstanceOf(HostTimeoutError);
    expect(events).toEqual([]);
    await expect(client.request(withdrawal('000101'), { timeoutMs: 30 })).rejects.toBeInstanceOf(HostTimeoutError);
    await once(client, 'online');
    expect(events).toEqual(['offline', 'online']);
  });

  it('a bad TPDU in the configuration throws at construction', () => {
    expect(() => new IsoClient({ host: '127.0.0.1', port: 1, packager: ISO87A, framing: { length: 'binary2', tpdu: '60' }, requestTimeoutMs: 1, reconnect: { initialMs: 1, maxMs: 1 } })).toThrow(FramingError);
  });

  it('stop() rejects pending requests with HostOfflineError("stopped")', async () => {
    const { host, client } = await setup();
    host.onRequest = () => undefined;
    const p = client.request(withdrawal('000110'));
    await host.waitForRequests(1);
    client.stop();
    await expect(p).rejects.toMatchObject({ name: 'HostOfflineError', reason: 'stopped' });
    expect(client.isOnline()).toBe(false);
  });
});

describe('IsoClient echo', () => {
  const echo = (n: { v: number }) => ({ intervalMs: 40, build: (): IsoMessage => ({ mti: '0800', fields: { 11: String(++n.v), 41: 'ATM00001', 70: '301' } }) });

  it('sends 0800/301 while idle and keeps the link up when answered', async () => {
    const { host, client } = await setup({ client: { echo: echo({ v: 0 }) } });
    await host.waitForRequests(3);
    expect(host.received.slice(0, 3).map((r) => [r.msg.mti, r.msg.fields[70]])).toEqual([
      ['0800', '301'],
      ['0800', '301'],
      ['0800', '301'],
    ]);
    expect(client.isOnline()).toBe(true);
  });

  it('unanswered echoes take the link offline (and late echo answers are not lateResponses)', async () => {
    const { host, client } = await setup({ client: { echo: echo({ v: 0 }), requestTimeoutMs: 40, maxConsecutiveFailures: 2 } });
    const late: IsoMessage[] = [];
    client.on('lateResponse', (m) => late.push(m));
    host.onRequest = (r) => setTimeout(() => host.reply(r, answer(r.msg)), 60);
    await once(client, 'offline');
    expect(host.received.length).toBeGreaterThanOrEqual(2);
    expect(late).toEqual([]);
  });
});

describe('IsoClient reconnect back-off (fake timers, injected random)', () => {
  it('waits initialMs * 2^n with equal jitter, capped at maxMs', async () => {
    const scheduled: Array<{ fn: () => void; ms: number }> = [];
    const timers: Timers = {
      now: () => 0,
      setTimeout: (fn, ms) => {
        const t = { fn, ms };
        scheduled.push(t);
        return t;
      },
      clearTimeout: (h) => {
        const i = scheduled.indexOf(h as { fn: () => void; ms: number });
        if (i >= 0) scheduled.splice(i, 1);
      },
    };
    const host = new TestHost(ISO87A, { length: 'binary2' });
    const port = await host.listen();
    await host.close(); // nothing listens on `port` now
    const client = new IsoClient({ host: '127.0.0.1', port, packager: ISO87A, framing: { length: 'binary2' }, requestTimeoutMs: 100, reconnect: { initialMs: 100, maxMs: 1000 }, timers, random: () => 0.5, connectTimeoutMs: 5000 });
    cleanups.push(() => client.stop());
    const delays: number[] = [];
    const offline = once(client, 'offline');
    client.start();
    await offline;
    for (let i = 0; i < 6; i++) {
      // wait until the refused connection has scheduled its reconnect (the only timer besides connect)
      const until = Date.now() + 2000;
      while (!scheduled.some((t) => t.ms !== 5000) && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      const t = scheduled.find((s) => s.ms !== 5000)!;
      delays.push(t.ms);
      scheduled.length = 0;
      t.fn();
    }
    // 0.75 of min(1000, 100 * 2^n)
    expect(delays).toEqual([75, 150, 300, 600, 750, 750]);
  });
});
