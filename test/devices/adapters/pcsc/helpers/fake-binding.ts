/**
 * Test support: a fake of the `smartcard` binding at the library boundary (PcscBinding), with pcsc-lite's
 * constants and error texts. Tests drive the monitor's events by hand and script the card's answers.
 */
import { PCSC_LITE_CONSTANTS, type PcscBinding, type PcscCardHandle, type PcscContextHandle, type PcscMonitorEvent, type PcscMonitorHandle, type PcscReaderHandle } from '../../../../../devices/adapters/pcsc/pcsc-binding';

const C = PCSC_LITE_CONSTANTS;
const EMPTY = 0x10;

export type FakeTransmit = (tpdu: Uint8Array) => Promise<Uint8Array>;

export class FakeCard implements PcscCardHandle {
  connected = true;
  readonly sent: string[] = [];
  readonly reconnects: number[] = [];
  constructor(
    private readonly fake: FakePcsc,
    private readonly reader: string,
    public protocol: number,
  ) {}
  get atr(): Buffer | null {
    return this.fake.atr;
  }
  async transmit(command: Buffer): Promise<Buffer> {
    if (!this.connected) throw new Error('Card is not connected');
    this.sent.push(command.toString('hex'));
    return Buffer.from(await this.fake.transmit(Uint8Array.from(command)));
  }
  getStatus() {
    if (!this.fake.cards.has(this.reader)) throw new Error('Card was removed');
    return { state: C.SCARD_STATE_PRESENT, protocol: this.protocol, atr: this.fake.atr };
  }
  disconnect(): void {
    this.connected = false;
  }
  async reconnect(_share?: number, _protocol?: number, init?: number): Promise<number> {
    if (!this.fake.cards.has(this.reader)) throw new Error('Card was removed');
    this.reconnects.push(init ?? -1);
    return this.protocol;
  }
}

export class FakePcsc implements PcscBinding {
  readonly constants = C;
  /** pcscd up: contexts and monitors can be created. */
  serviceUp = true;
  readonly readers = new Set<string>();
  readonly cards = new Set<string>();
  atr = Buffer.from('3B6000', 'hex');
  /** Protocol the fake negotiates (SCARD_PROTOCOL_T0 or _T1). */
  protocol = C.SCARD_PROTOCOL_T1;
  /** Error text connect() rejects with (e.g. 'Sharing violation', 'Card is unresponsive'). */
  connectError: string | null = null;
  transmit: FakeTransmit = async () => Uint8Array.of(0x90, 0x00);
  readonly connected: FakeCard[] = [];
  private monitors: Array<(e: PcscMonitorEvent) => void> = [];
  contextsCreated = 0;

  newContext(): PcscContextHandle {
    if (!this.serviceUp) throw new Error('PC/SC service not running');
    this.contextsCreated++;
    let valid = true;
    return {
      get isValid() {
        return valid;
      },
      listReaders: () => [...this.readers].map((name) => this.readerHandle(name)),
      close: () => {
        valid = false;
      },
    };
  }

  newMonitor(): PcscMonitorHandle {
    let running = false;
    let cb: ((e: PcscMonitorEvent) => void) | null = null;
    return {
      get isRunning() {
        return running;
      },
      start: (callback) => {
        if (!this.serviceUp) throw new Error('PC/SC service not running');
        running = true;
        cb = callback;
        this.monitors.push(callback);
        // Like the binding: existing readers are announced from the monitor thread, i.e. later.
        const initial = [...this.readers].map((name) => ({ type: 'reader-attached' as const, reader: name, state: this.state(name), atr: null }));
        setImmediate(() => initial.forEach((e) => cb?.(e)));
      },
      stop: () => {
        running = false;
        this.monitors = this.monitors.filter((m) => m !== cb);
        cb = null;
      },
    };
  }

  private state(name: string): number {
    return this.cards.has(name) ? C.SCARD_STATE_PRESENT : EMPTY;
  }

  private readerHandle(name: string): PcscReaderHandle {
    return {
      name,
      state: this.state(name),
      atr: this.cards.has(name) ? this.atr : null,
      connect: async (_share, _protocol) => {
        if (this.connectError) throw new Error(this.connectError);
        if (!this.cards.has(name)) throw new Error('No smart card present');
        const card = new FakeCard(this, name, this.protocol);
        this.connected.push(card);
        return card;
      },
    };
  }

  private emit(e: PcscMonitorEvent): void {
    for (const m of [...this.monitors]) m(e);
  }

  attachReader(name: string, withCard = false): void {
    this.readers.add(name);
    if (withCard) this.cards.add(name);
    this.emit({ type: 'reader-attached', reader: name, state: this.state(name), atr: null });
  }
  detachReader(name: string): void {
    this.readers.delete(name);
    this.cards.delete(name);
    this.emit({ type: 'reader-detached', reader: name, state: 0, atr: null });
  }
  insertCard(name: string): void {
    this.cards.add(name);
    this.emit({ type: 'card-inserted', reader: name, state: C.SCARD_STATE_PRESENT, atr: this.atr });
  }
  removeCard(name: string): void {
    this.cards.delete(name);
    this.emit({ type: 'card-removed', reader: name, state: EMPTY, atr: null });
  }
  /** pcscd dies: the monitor reports the error the binding reports, contexts stop working. */
  stopService(): void {
    this.serviceUp = false;
    this.emit({ type: 'error', reader: 'PC/SC service stopped', state: 0, atr: null });
  }
}
