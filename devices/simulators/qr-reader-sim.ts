/**
 * Simulated barcode/QR scanner: `present()` is the customer holding a code in front of it. A read only
 * completes while the scanner is on (a read is pending); codes shown while it is off are ignored, as the
 * illumination is off.
 */
import { TypedEmitter, fail, ok, type Completion, type CommonStatus } from '../common/types';
import type { QrReaderErrorCode, QrReaderEvents, QrReaderService } from '../qr-reader/types';

export class QrReaderSimulator implements QrReaderService {
  readonly events = new TypedEmitter<QrReaderEvents>();
  private pending: ((data: string | null) => void) | null = null;
  private offline = false;

  status(): CommonStatus {
    return { device: this.offline ? 'offline' : 'online' };
  }

  setOffline(offline: boolean): void {
    this.offline = offline;
    this.events.emit('statusChanged', this.status());
  }

  /** True while the scanner is on (a read is waiting). */
  scanning(): boolean {
    return this.pending !== null;
  }

  /** The customer presents a code. Returns false when the scanner is off. */
  present(data: string): boolean {
    if (!this.pending) return false;
    this.pending(data);
    return true;
  }

  read(req: { timeoutMs?: number }, signal?: AbortSignal): Promise<Completion<{ symbology: 'qr' | 'code128'; data: string }, QrReaderErrorCode>> {
    if (this.offline) return Promise.resolve(fail('deviceNotReady', 'scanner offline'));
    if (this.pending) return Promise.resolve(fail('sequenceError', 'a read is already pending'));
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (data: string | null, why: 'ok' | 'canceled' | 'timeOut') => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending = null;
        this.events.emit('statusChanged', this.status());
        if (why === 'ok' && data !== null) {
          if (data.length === 0 || data.length > 2048) resolve(fail('commandErrorCode', 'code could not be decoded', 'readFailure'));
          else resolve(ok({ symbology: 'qr', data }));
        } else resolve(fail(why === 'canceled' ? 'canceled' : 'timeOut', why === 'canceled' ? 'read canceled' : 'no code presented'));
      };
      const onAbort = () => done(null, 'canceled');
      signal?.addEventListener('abort', onAbort, { once: true });
      if (req.timeoutMs) timer = setTimeout(() => done(null, 'timeOut'), req.timeoutMs);
      this.pending = (data) => done(data, 'ok');
      this.events.emit('statusChanged', this.status());
    });
  }
}
