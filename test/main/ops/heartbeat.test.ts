import { afterEach, describe, expect, it, vi } from 'vitest';
import { startHeartbeat, watchdogRestartInfo, type HeartbeatMessage } from '../../../main/ops/heartbeat';

afterEach(() => vi.useRealTimers());

describe('heartbeat', () => {
  it('sends { type: "heartbeat" } at once and every interval until stopped', () => {
    vi.useFakeTimers();
    const sent: HeartbeatMessage[] = [];
    const stop = startHeartbeat(1000, { send: (m) => sent.push(m), now: () => 42 });
    expect(sent).toEqual([{ type: 'heartbeat', pid: process.pid, at: 42, seq: 0 }]);
    vi.advanceTimersByTime(3500);
    expect(sent.map((m) => m.seq)).toEqual([0, 1, 2, 3]);
    stop();
    vi.advanceTimersByTime(5000);
    expect(sent).toHaveLength(4);
  });

  it('withholds heartbeats while unhealthy, and survives a closed channel', () => {
    vi.useFakeTimers();
    let healthy = true;
    let n = 0;
    const stop = startHeartbeat(100, {
      healthy: () => healthy,
      send: () => {
        n++;
        if (n === 2) throw new Error('ERR_IPC_CHANNEL_CLOSED');
      },
    });
    vi.advanceTimersByTime(200);
    healthy = false;
    vi.advanceTimersByTime(1000);
    expect(n).toBe(3);
    stop();
  });

  it('reads the restart information the watchdog passes', () => {
    expect(watchdogRestartInfo({})).toBeNull();
    expect(watchdogRestartInfo({ ATM_WATCHDOG_RESTARTS: '0' })).toBeNull();
    expect(watchdogRestartInfo({ ATM_WATCHDOG_RESTARTS: '2', ATM_WATCHDOG_LAST_EXIT: 'hang' })).toEqual({ restarts: 2, reason: 'hang' });
  });
});
