import { describe, expect, it } from 'vitest';
import { CommandQueue, queued } from '../../../devices/common/command-queue';
import { fail, ok, type Completion } from '../../../devices/common/types';
import { CardReaderSimulator } from '../../../devices/simulators/card-reader-sim';
import { TEST_CARDS } from '../../../devices/card-reader/test-cards';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const never = () => new Promise<Completion<string>>(() => undefined);
/** A device command that honours its abort signal. */
const abortable = (ms: number, value: string) => (signal: AbortSignal) =>
  new Promise<Completion<string>>((resolve) => {
    const t = setTimeout(() => resolve(ok(value)), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve(fail('canceled', 'aborted'));
    });
  });

describe('CommandQueue', () => {
  it('runs commands strictly one at a time in arrival order', async () => {
    const q = new CommandQueue();
    const log: string[] = [];
    let active = 0;
    const cmd = (name: string, ms: number) => async () => {
      active++;
      expect(active).toBe(1);
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      active--;
      return ok(name);
    };
    const results = await Promise.all([q.run(cmd('a', 15)), q.run(cmd('b', 1)), q.run(cmd('c', 5))]);
    expect(results.map((r) => r.completionCode)).toEqual(['success', 'success', 'success']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('times a command out with timeOut (from the start of execution) and moves on', async () => {
    const q = new CommandQueue({ graceMs: 20 });
    const slow = q.run(abortable(1000, 'slow'), { timeoutMs: 10 });
    const next = q.run(abortable(1, 'next'), { timeoutMs: 50 });
    expect(await slow).toMatchObject({ completionCode: 'timeOut' });
    expect(await next).toEqual(ok('next'));
  });

  it('abandons a device that never answers after a timeout (no hang)', async () => {
    const q = new CommandQueue({ graceMs: 10 });
    const hung = q.run(never, { timeoutMs: 5 });
    const next = q.run(async () => ok('next'));
    expect(await hung).toMatchObject({ completionCode: 'timeOut' });
    expect(await next).toEqual(ok('next'));
  });

  it('cancels queued and running commands by request id', async () => {
    const q = new CommandQueue({ graceMs: 50 });
    let hookCalls = 0;
    const running = q.run(abortable(1000, 'r'), { requestId: 1, onCancel: () => hookCalls++ });
    const queuedCmd = q.run(abortable(1, 'q'), { requestId: 2 });
    const other = q.run(abortable(1, 'o'), { requestId: 3 });
    await sleep(1);
    expect(q.has(2)).toBe(true);
    expect(q.cancel([2, 1, 99])).toBe(2);
    expect(await queuedCmd).toMatchObject({ completionCode: 'canceled' });
    expect(await running).toMatchObject({ completionCode: 'canceled' });
    expect(hookCalls).toBe(1);
    expect(await other).toEqual(ok('o'));
    expect(q.cancel([1])).toBe(0);
  });

  it('a running command the device will not cancel completes with the device answer', async () => {
    const q = new CommandQueue({ graceMs: 200 });
    const moving = q.run(async () => {
      await sleep(20);
      return ok('notes picked');
    }, { requestId: 7 });
    await sleep(1);
    q.cancel([7]);
    expect(await moving).toEqual(ok('notes picked'));
  });

  it('completes a device failure with hardwareError and a lost transport with deviceNotReady', async () => {
    const q = new CommandQueue();
    expect(await q.run(async () => Promise.reject(new Error('track 4761739001010010')))).toEqual({
      completionCode: 'hardwareError',
      errorDescription: 'device failed (Error)',
    });
    expect(await q.run(() => {
      throw new TypeError('sync');
    })).toMatchObject({ completionCode: 'hardwareError' });
    const hung = q.run(never);
    const waiting = q.run(async () => ok('later'));
    await sleep(1);
    q.failAll('deviceNotReady', 'connection closed');
    expect(await hung).toMatchObject({ completionCode: 'deviceNotReady' });
    expect(await waiting).toMatchObject({ completionCode: 'deviceNotReady' });
    expect(q.pending).toBe(0);
    expect(await q.run(async () => ok('after'))).toEqual(ok('after'));
  });

  it('refuses commands beyond maxPending', async () => {
    const q = new CommandQueue({ maxPending: 1 });
    const a = q.run(abortable(5, 'a'));
    expect(await q.run(abortable(1, 'b'))).toMatchObject({ completionCode: 'deviceNotReady' });
    expect(await a).toEqual(ok('a'));
  });
});

describe('queued(service)', () => {
  const make = () => new CardReaderSimulator({ timeScale: 0, statePath: null, retainBinCapacity: 10 });

  it('serialises commands and turns a caller abort into a cancel', async () => {
    const sim = make();
    const reader = queued(sim, { commands: ['readRawData', 'move', 'reset', 'chipIO', 'chipPower'], signalArg: { readRawData: 1 }, onCancel: () => sim.cancel() });
    const ac = new AbortController();
    const read = reader.readRawData({ tracks: ['track2'] }, ac.signal);
    const move = reader.move({ to: 'exit' });
    await sleep(5);
    expect(reader.queue.pending).toBe(2);
    ac.abort();
    expect(await read).toMatchObject({ completionCode: 'canceled' });
    expect(await move).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMedia' });
    expect(reader.status().media).toBe('notPresent');
  });

  it('applies per-method timeouts', async () => {
    const sim = make();
    const reader = queued(sim, { commands: ['readRawData'], signalArg: { readRawData: 1 }, timeouts: { readRawData: 10 }, onCancel: () => sim.cancel() });
    expect(await reader.readRawData({ tracks: ['track2'] })).toMatchObject({ completionCode: 'timeOut' });
    const read = reader.readRawData({ tracks: ['track2'] });
    sim.insertCard(TEST_CARDS[0]!);
    expect((await read).completionCode).toBe('success');
  });
});
