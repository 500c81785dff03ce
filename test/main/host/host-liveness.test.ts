/**
 * Host liveness against the real simulator: N consecutive unanswered requests take the link offline (the kiosk
 * maps 'offline' to HOST_OFFLINE: out of service), echoes (0800/301) are sent while offline, and the first
 * answered echo brings it back online (HOST_ONLINE: the machine signs on again). A dropped connection is offline
 * at once; with confirmOnConnect a fresh connection counts only once an echo is answered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HostUnavailableError } from '../../../main/host/host-link';
import { HostLiveness } from '../../../main/host/host-liveness';
import { DEFAULT_PROFILE } from '../../../main/host/profile';
import { cleanup, card, inquire, requestLog, startAtm, startSim } from '../host-sim/sim-fixture';

afterEach(cleanup);

const visa = card('visa-debit');
const isEcho = (m: { mti: string; fields: Record<number, unknown> }) => m.mti === '0800' && m.fields[70] === '301';

function events(link: NodeJS.EventEmitter) {
  const seen: string[] = [];
  const next = (name: 'online' | 'offline') => new Promise<void>((r) => link.once(name, () => r()));
  link.on('online', () => seen.push('online'));
  link.on('offline', () => seen.push('offline'));
  return { seen, next };
}

describe('host liveness with the real simulator', () => {
  it('offline after N timeouts, echoes while offline, back online on the first answered echo', async () => {
    const sim = await startSim();
    const log = requestLog(sim);
    const atm = await startAtm(sim.port, { requestTimeoutMs: 300, liveness: { offlineAfterTimeouts: 2, echoIntervalMs: 40 } });
    const ev = events(atm.link);
    sim.setFault('drop');
    await expect(inquire(atm, visa, DEFAULT_PROFILE.processingCodes.balance)).rejects.toBeInstanceOf(HostUnavailableError);
    expect(atm.link.isOnline()).toBe(true);
    const offline = ev.next('offline');
    await expect(inquire(atm, visa, DEFAULT_PROFILE.processingCodes.balance)).rejects.toBeInstanceOf(HostUnavailableError);
    await offline;
    expect(atm.link.isOnline()).toBe(false);
    expect(atm.journal.query({ kind: 'host.offline' }).at(-1)!.data).toEqual({ cause: 'timeouts' });
    // Probes go out while offline and stay unanswered: still offline.
    await log.until(2, isEcho);
    expect(atm.link.isOnline()).toBe(false);
    const online = ev.next('online');
    sim.setFault('none');
    await online;
    expect(atm.journal.query({ kind: 'host.online' }).at(-1)!.data).toEqual({ cause: 'answered' });
    expect(ev.seen).toEqual(['offline', 'online']);
    expect((await inquire(atm, visa, DEFAULT_PROFILE.processingCodes.balance)).responseCode).toBe('00');
  });

  it('a dropped connection is offline at once; the reconnect brings it back', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port);
    const ev = events(atm.link);
    const offline = ev.next('offline');
    const back = offline.then(() => ev.next('online'));
    sim.setFault('disconnect');
    const err = (await inquire(atm, visa, DEFAULT_PROFILE.processingCodes.balance).catch((e: unknown) => e)) as HostUnavailableError;
    expect(err.reason).toBe('offline');
    await offline;
    expect(atm.journal.query({ kind: 'host.offline' }).at(-1)!.data).toEqual({ cause: 'disconnected' });
    sim.setFault('none');
    await back;
    // Back online once the fresh connection has answered an echo (confirmOnConnect, the default).
    expect(atm.journal.query({ kind: 'host.online' }).at(-1)!.data).toEqual({ cause: 'answered' });
    expect(atm.link.isOnline()).toBe(true);
    expect((await inquire(atm, visa, DEFAULT_PROFILE.processingCodes.balance)).responseCode).toBe('00');
  });

  it('confirmOnConnect: a connection to a host that answers nothing is not online; the first answered echo is', async () => {
    const sim = await startSim();
    const log = requestLog(sim);
    sim.setFault('drop');
    const atm = await startAtm(sim.port, { requestTimeoutMs: 200, liveness: { confirmOnConnect: true, echoIntervalMs: 30 }, noWaitOnline: true });
    await log.until(2, isEcho);
    expect(atm.link.isOnline()).toBe(false);
    const online = new Promise<void>((r) => atm.link.once('online', () => r()));
    sim.setFault('none');
    await online;
    expect(atm.link.isOnline()).toBe(true);
  });

  it('the reversal queue is kicked when the host comes back', async () => {
    const sim = await startSim();
    const atm = await startAtm(sim.port, { requestTimeoutMs: 300, liveness: { offlineAfterTimeouts: 1, echoIntervalMs: 40 }, retry: { initialMs: 60_000, maxMs: 60_000 } });
    sim.setFault('drop');
    const offline = new Promise<void>((r) => atm.link.once('offline', () => r()));
    atm.link.queueReversal(1, { stan: '000777', transmissionDateTime: '0101120000', mti: '0200', processingCode: '010000', amount: 2000 }, 0, '68');
    await offline; // the advice timed out; its retry is a minute away
    const ack = atm.nextEntry('reversal.acknowledged');
    sim.setFault('none');
    expect((await ack).data).toMatchObject({ mti: '0421', responseCode: '00' });
  });
});

describe('HostLiveness unit rules', () => {
  it('by default a fresh connection is online only once a probe is answered', async () => {
    const changes: string[] = [];
    let answer = false;
    let probes = 0;
    const l = new HostLiveness({ echoIntervalMs: 1 }, async () => {
      probes++;
      if (!answer) throw new Error('unanswered');
      l.answered();
    }, (online, cause) => changes.push(`${online ? 'on' : 'off'}:${cause}`));
    l.onConnected();
    while (probes < 3) await new Promise<void>((r) => setImmediate(r));
    expect(changes).toEqual([]);
    answer = true;
    while (changes.length === 0) await new Promise<void>((r) => setImmediate(r));
    expect(changes).toEqual(['on:answered']);
    l.stop();
  });

  it('timeouts while disconnected do not flap; answered resets the count; stop() cancels probes', async () => {
    const changes: string[] = [];
    let probes = 0;
    const l = new HostLiveness({ offlineAfterTimeouts: 2, echoIntervalMs: 5, confirmOnConnect: false }, async () => {
      probes++;
      throw new Error('unanswered');
    }, (online, cause) => changes.push(`${online ? 'on' : 'off'}:${cause}`));
    l.timedOut();
    l.timedOut();
    expect(changes).toEqual([]);
    l.onConnected();
    l.timedOut();
    l.answered();
    l.timedOut();
    expect(changes).toEqual(['on:connected']);
    l.timedOut();
    expect(changes).toEqual(['on:connected', 'off:timeouts']);
    while (probes < 2) await new Promise<void>((r) => setImmediate(r));
    l.stop();
    const after = probes;
    await new Promise<void>((r) => setTimeout(r, 30));
    expect(probes).toBe(after);
    l.onDisconnected();
    expect(changes.at(-1)).toBe('off:timeouts');
  });
});
