import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteLink } from '../../../../devices/adapters/serial/byte-link';
import { CommandQueue } from '../../../../devices/adapters/serial/command-queue';
import { LinkError } from '../../../../devices/adapters/serial/link-errors';

describe('ByteLink', () => {
  it('buffers bytes across chunks and hands them to readers', async () => {
    const s = new PassThrough();
    const link = new ByteLink(s);
    const p = link.readBytes(3, 200, 'three bytes');
    s.write(Buffer.from([1]));
    s.write(Buffer.from([2, 3, 4]));
    expect([...(await p)]).toEqual([1, 2, 3]);
    expect([...(await link.readBytes(1, 200, 'one'))]).toEqual([4]);
  });
  it('times out with a LinkError naming what was awaited', async () => {
    const link = new ByteLink(new PassThrough());
    await expect(link.readBytes(1, 20, 'ACK')).rejects.toMatchObject({ kind: 'timeout', message: 'no ACK within 20 ms' });
  });
  it('rejects pending and later reads and writes when the stream closes or errors', async () => {
    const s = new PassThrough();
    const link = new ByteLink(s);
    let closed = 0;
    link.onClosed(() => closed++);
    const p = link.readBytes(1, 5000, 'reply');
    s.destroy(new Error('EIO'));
    await expect(p).rejects.toBeInstanceOf(LinkError);
    await expect(p).rejects.toMatchObject({ kind: 'closed' });
    await expect(link.write(Uint8Array.of(1))).rejects.toMatchObject({ kind: 'closed' });
    expect(link.closed).toBe(true);
    expect(closed).toBe(1);
  });
  it('refuses concurrent reads', async () => {
    const link = new ByteLink(new PassThrough());
    const p = link.readBytes(1, 30, 'a').catch(() => 'timeout');
    await expect(link.readBytes(1, 30, 'b')).rejects.toThrow(/concurrent/);
    expect(await p).toBe('timeout');
  });
});

describe('CommandQueue', () => {
  it('runs one at a time, in order, and survives failures', async () => {
    const q = new CommandQueue();
    const log: string[] = [];
    const a = q.run(async () => {
      log.push('a+');
      await new Promise((r) => setTimeout(r, 10));
      log.push('a-');
      throw new Error('a failed');
    });
    const b = q.run(async () => {
      log.push('b');
      return 2;
    });
    await expect(a).rejects.toThrow('a failed');
    expect(await b).toBe(2);
    expect(log).toEqual(['a+', 'a-', 'b']);
  });
});
