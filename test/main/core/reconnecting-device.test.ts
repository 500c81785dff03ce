/**
 * reconnectingDevice: one stable service over adapters that come and go. Fakes stand for the port and the
 * adapter only (the real serial path is in hardware-profile.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { ok, TypedEmitter, type CommonStatus, type Completion } from '../../../devices/common/types';
import { reconnectingDevice } from '../../../main/core/reconnecting-device';

interface FakeStatus extends CommonStatus {
  paper: 'full' | 'low';
}
interface FakeService {
  events: TypedEmitter<{ statusChanged: FakeStatus; taken: { id: number } }>;
  status(): FakeStatus;
  units(): number[];
  print(text: string): Promise<Completion<{ text: string }>>;
}

class FakePort extends EventEmitter {
  closed = false;
  close() {
    this.closed = true;
  }
}

function fakeAdapter(_port: FakePort, units: number[]): FakeService {
  const events = new TypedEmitter<{ statusChanged: FakeStatus; taken: { id: number } }>();
  return {
    events,
    status: () => ({ device: 'online', paper: 'full' }),
    units: () => units,
    print: async (text) => ok({ text }),
  };
}

const waitFor = async (pred: () => boolean) => {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(pred()).toBe(true);
};

describe('reconnectingDevice', () => {
  it('answers deviceNotReady and the fallbacks while away, forwards events while online, survives make() failures', async () => {
    let available = false;
    let failInit = 1;
    const ports: FakePort[] = [];
    const adapters: FakeService[] = [];
    const changes: Array<[boolean, string]> = [];
    const dev = reconnectingDevice<FakeService, FakeStatus, FakePort>({
      name: 'printer',
      open: async () => {
        if (!available) throw new Error('cannot open /dev/ttyUSB9: ENOENT');
        const p = new FakePort();
        ports.push(p);
        return p;
      },
      close: (p) => p.close(),
      watch: (p, lost) => {
        const fn = () => lost(new Error('serial port closed'));
        p.on('close-event', fn);
        return () => p.off('close-event', fn);
      },
      make: async (p) => {
        if (failInit-- > 0) throw new Error('no answer to status request');
        const a = fakeAdapter(p, [7, 8]);
        adapters.push(a);
        return a;
      },
      events: ['statusChanged', 'taken'],
      initialStatus: { device: 'starting', paper: 'full' },
      offline: { units: (last) => last?.units() ?? [] },
      backoff: { initialMs: 5, maxMs: 10 },
      onChange: (online, detail) => changes.push([online, detail]),
    });
    const svc = dev.service;
    try {
      await waitFor(() => changes.length > 0);
      expect(svc.status()).toEqual({ device: 'offline', paper: 'full', detail: 'printer: cannot open /dev/ttyUSB9: ENOENT' });
      expect(await svc.print('x')).toMatchObject({ completionCode: 'deviceNotReady', errorDescription: 'printer offline: cannot open /dev/ttyUSB9: ENOENT' });
      expect(svc.units()).toEqual([]);

      const statuses: string[] = [];
      svc.events.on('statusChanged', (s) => statuses.push(s.device));
      available = true;
      expect(await dev.waitOnline(2000)).toBe(true);
      // The first port was opened but its initialisation failed: closed and retried.
      expect(ports.length).toBe(2);
      expect(ports[0]!.closed).toBe(true);
      expect(svc.status().device).toBe('online');
      expect(await svc.print('hello')).toEqual({ completionCode: 'success', payload: { text: 'hello' } });
      const taken: number[] = [];
      svc.events.on('taken', (e) => taken.push(e.id));
      adapters[0]!.events.emit('taken', { id: 42 });
      expect(taken).toEqual([42]);

      ports[1]!.emit('close-event'); // unplugged
      expect(svc.status().device).toBe('offline');
      expect(svc.status().detail).toBe('printer: serial port closed');
      expect(svc.units()).toEqual([7, 8]); // last known answer
      adapters[0]!.events.emit('taken', { id: 43 }); // the dead adapter is no longer heard
      expect(taken).toEqual([42]);
      expect(await dev.waitOnline(2000)).toBe(true);
      expect(statuses).toEqual(['online', 'offline', 'online']);
      expect(changes.map(([o]) => o)).toEqual([false, true, false, true]);
    } finally {
      await dev.stop();
    }
    expect(ports.at(-1)!.closed).toBe(true);
    expect(changes.length).toBe(4); // stopping is not reported as a fault
  });
});
