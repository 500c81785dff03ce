/**
 * Chip access through PC/SC: one contact reader (the first, or the first whose name contains `reader`), its card
 * insert/remove and attach/detach events from the binding's monitor, power on/off (SCardConnect / SCardReconnect
 * with unpower or reset / SCardDisconnect) and APDU exchange through the transport layer of ./apdu-exchange.
 *
 * Failures are PcscErrors with a kind: no library, pcscd not running (at start, or stopped later: the adapter
 * then re-establishes its context every `retryMs` and the reader reappears with a readerAttached event), no
 * reader, no card, card removed (also in the middle of an APDU exchange: the failed transmit is matched with the
 * removal event that follows it), mute card, card held by another application. Nothing here logs or puts APDU
 * contents into messages.
 */
import { TypedEmitter } from '../../common/types';
import { realTimers, type Timers } from '../serial/timers';
import { exchangeApdu, type TransportProtocol } from './apdu-exchange';
import { loadSmartcardBinding, PcscUnavailableError, type PcscBinding, type PcscCardHandle, type PcscContextHandle, type PcscMonitorEvent, type PcscMonitorHandle } from './pcsc-binding';
import { classifyPcscError, PcscError, pcscMessage } from './pcsc-errors';

export interface PcscChipAccessOptions {
  /** The library (default: the `smartcard` module, loaded on start). */
  binding?: PcscBinding | (() => Promise<PcscBinding>);
  /** Case-insensitive part of the reader's name; default: the first reader PC/SC lists. */
  reader?: string;
  /** Share the card with other PC/SC clients (default: exclusive, as an ATM should). */
  shared?: boolean;
  /** After pcscd stopped: try to re-establish the context this often (ms; 0 = never). Default 2000. */
  retryMs?: number;
  /** pcscd not running at start: report the service down and keep trying (every `retryMs`) instead of throwing. */
  retryAtStart?: boolean;
  /** After a failed exchange: how long to wait for the removal event that tells a pulled card from a line error. */
  removalGraceMs?: number;
  timers?: Timers;
}

export interface ChipAccessEvents extends Record<string, unknown> {
  readerAttached: { reader: string };
  readerDetached: { reader: string };
  cardInserted: { reader: string };
  cardRemoved: { reader: string };
  serviceLost: { reason: string };
  serviceRestored: Record<string, never>;
}

export interface ChipAccessState {
  service: 'stopped' | 'up' | 'down';
  /** The reader in use, when one is attached. */
  reader: string | null;
  cardPresent: boolean;
  powered: boolean;
  protocol: TransportProtocol | null;
  /** Why the service is down (operator text). */
  detail?: string;
}

export class PcscChipAccess {
  readonly events = new TypedEmitter<ChipAccessEvents>();
  private binding: PcscBinding | null = null;
  private context: PcscContextHandle | null = null;
  private monitor: PcscMonitorHandle | null = null;
  private service: ChipAccessState['service'] = 'stopped';
  private detail: string | undefined;
  private readers = new Set<string>();
  private reader: string | null = null;
  private cardPresent = false;
  private card: PcscCardHandle | null = null;
  private protocol: TransportProtocol | null = null;
  private retryTimer: unknown = null;
  private readonly timers: Timers;

  constructor(private readonly opts: PcscChipAccessOptions = {}) {
    this.timers = opts.timers ?? realTimers;
  }

  /**
   * Loads the library, connects to pcscd and starts watching readers. Throws PcscError `unavailable` (no
   * library) or `serviceUnavailable` (pcscd not running; with `retryAtStart` that is the `down` state instead,
   * retried). A missing reader is not an error here: it is the `noDevice` state until one is attached.
   */
  async start(): Promise<void> {
    if (this.service === 'up') return;
    try {
      this.binding ??= typeof this.opts.binding === 'function' ? await this.opts.binding() : (this.opts.binding ?? (await loadSmartcardBinding()));
    } catch (e) {
      if (e instanceof PcscUnavailableError) throw new PcscError('unavailable', e.message);
      throw e;
    }
    try {
      this.connectService();
    } catch (e) {
      if (!this.opts.retryAtStart || !(e instanceof PcscError)) throw e;
      this.service = 'down';
      this.detail = e.message;
      this.scheduleRetry();
    }
  }

  /** Stops watching, releases the card and the context. */
  close(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.teardown();
    this.service = 'stopped';
  }

  state(): ChipAccessState {
    return {
      service: this.service,
      reader: this.reader,
      cardPresent: this.cardPresent,
      powered: this.card !== null,
      protocol: this.card ? this.protocol : null,
      ...(this.detail ? { detail: this.detail } : {}),
    };
  }

  /** Resolves when a card is in the reader ('present'), or on timeout (0 = none), abort, loss of the reader or the service. */
  waitForCard(timeoutMs: number, signal?: AbortSignal): Promise<'present' | 'timeout' | 'canceled' | 'gone'> {
    if (this.cardPresent) return Promise.resolve('present');
    if (this.service !== 'up') return Promise.resolve('gone');
    if (signal?.aborted) return Promise.resolve('canceled');
    return new Promise((resolve) => {
      let timer: unknown = null;
      const offs: Array<() => void> = [];
      const done = (r: 'present' | 'timeout' | 'canceled' | 'gone') => {
        if (timer !== null) this.timers.clearTimeout(timer);
        for (const off of offs) off();
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => done('canceled');
      signal?.addEventListener('abort', onAbort, { once: true });
      offs.push(
        this.events.on('cardInserted', () => done('present')),
        this.events.on('readerDetached', () => done('gone')),
        this.events.on('serviceLost', () => done('gone')),
      );
      if (timeoutMs > 0) timer = this.timers.setTimeout(() => done('timeout'), timeoutMs);
    });
  }

  /** Cold (unpower + power) or warm (reset) ATR; connects to the card on first use. */
  async powerOn(kind: 'cold' | 'warm'): Promise<{ atr: Uint8Array; protocol: TransportProtocol }> {
    const reader = this.requireReader();
    if (!this.cardPresent) throw new PcscError('noCard', `no card in ${reader}`);
    const c = this.binding!.constants;
    const share = this.opts.shared ? c.SCARD_SHARE_SHARED : c.SCARD_SHARE_EXCLUSIVE;
    const protocols = c.SCARD_PROTOCOL_T0 | c.SCARD_PROTOCOL_T1;
    try {
      if (this.card) {
        await this.card.reconnect(share, protocols, kind === 'warm' ? c.SCARD_RESET_CARD : c.SCARD_UNPOWER_CARD);
      } else {
        const handle = this.context!.listReaders().find((r) => r.name === reader);
        if (!handle) throw new PcscError('noReader', `reader ${reader} is no longer listed by PC/SC`);
        this.card = await handle.connect(share, protocols);
      }
      const status = this.card.getStatus();
      this.protocol = status.protocol === c.SCARD_PROTOCOL_T0 ? 'T0' : 'T1';
      if (!status.atr || status.atr.length === 0) throw new PcscError('unresponsive', 'card gave no ATR');
      return { atr: Uint8Array.from(status.atr), protocol: this.protocol };
    } catch (e) {
      throw await this.explain(e, 'power on');
    }
  }

  /** Powers the card down (SCardDisconnect with unpower). Never fails: a card that is gone is unpowered. */
  powerOff(): void {
    const card = this.card;
    this.card = null;
    this.protocol = null;
    if (!card) return;
    try {
      card.disconnect(this.binding!.constants.SCARD_UNPOWER_CARD);
    } catch {
      // The handle is already invalid (card or reader gone): nothing left to power down.
    }
  }

  /** Sends one C-APDU, resolves with the complete R-APDU (61xx / 6Cxx handled). */
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const reader = this.requireReader();
    const card = this.card;
    if (!card || !this.protocol) throw new PcscError(this.cardPresent ? 'notPowered' : 'noCard', this.cardPresent ? 'chip not powered' : `no card in ${reader}`);
    const raw = async (tpdu: Uint8Array): Promise<Uint8Array> => {
      if (this.card !== card) throw new PcscError('cardRemoved', 'card removed during the APDU exchange');
      let response: Uint8Array;
      try {
        response = Uint8Array.from(await card.transmit(Buffer.from(tpdu), { maxRecvLength: 258 }));
      } catch (e) {
        throw await this.explain(e, 'the APDU exchange');
      }
      // Some drivers (vpcd among them) report a card that vanished mid-exchange as an empty answer.
      if (response.length < 2) throw await this.explain(new Error(`Communication error: ${response.length}-byte answer`), 'the APDU exchange');
      return response;
    };
    return exchangeApdu(raw, apdu, this.protocol);
  }

  // ---- internals ----

  private requireReader(): string {
    if (this.service === 'stopped') throw new PcscError('serviceUnavailable', 'PC/SC chip access not started');
    if (this.service === 'down') throw new PcscError('serviceUnavailable', this.detail ?? 'PC/SC service (pcscd) not running');
    if (!this.reader) throw new PcscError('noReader', this.opts.reader ? `no PC/SC reader matching "${this.opts.reader}"` : 'no PC/SC reader attached');
    return this.reader;
  }

  /**
   * Turns a binding failure into a PcscError. A card pulled out during an exchange usually fails the transmit
   * as a line error and shows up as removed at pcscd's next poll: wait (bounded) for that event to say which.
   */
  private async explain(e: unknown, what: string): Promise<PcscError> {
    if (e instanceof PcscError) return e;
    let kind = classifyPcscError(e);
    if (kind === 'communication' || kind === 'other' || kind === 'unresponsive') {
      if (!this.cardPresent || (await this.removalWithin(this.opts.removalGraceMs ?? 1500))) kind = 'cardRemoved';
    }
    if (kind === 'cardRemoved' || kind === 'noCard') {
      this.powerOff();
      return new PcscError(kind, kind === 'cardRemoved' ? `card removed during ${what}` : `no card for ${what}`);
    }
    if (kind === 'serviceUnavailable') {
      this.serviceLost(pcscMessage(e));
      return new PcscError(kind, `PC/SC service (pcscd) stopped during ${what}`);
    }
    if (kind === 'cardReset') this.powerOff();
    return new PcscError(kind, `${what} failed: ${pcscMessage(e)}`);
  }

  private removalWithin(ms: number): Promise<boolean> {
    if (!this.cardPresent || this.service !== 'up') return Promise.resolve(true);
    return new Promise((resolve) => {
      const offs = [this.events.on('cardRemoved', () => done(true)), this.events.on('serviceLost', () => done(true))];
      const timer = this.timers.setTimeout(() => done(false), ms);
      const done = (removed: boolean) => {
        this.timers.clearTimeout(timer);
        for (const off of offs) off();
        resolve(removed);
      };
    });
  }

  private connectService(): void {
    const b = this.binding!;
    let context: PcscContextHandle;
    try {
      context = b.newContext();
    } catch (e) {
      throw new PcscError('serviceUnavailable', `PC/SC service (pcscd) not reachable: ${pcscMessage(e)}`);
    }
    const monitor = b.newMonitor();
    try {
      monitor.start((ev) => this.onMonitorEvent(monitor, ev));
    } catch (e) {
      context.close();
      throw new PcscError('serviceUnavailable', `PC/SC service (pcscd) not reachable: ${pcscMessage(e)}`);
    }
    this.context = context;
    this.monitor = monitor;
    const wasDown = this.service === 'down';
    this.service = 'up';
    this.detail = undefined;
    // The readers there now, at once (the monitor announces them again a moment later: ignored then).
    try {
      for (const r of context.listReaders()) {
        this.readers.add(r.name);
        if (!this.reader && this.matches(r.name)) this.selectReader(r.name, (r.state & b.constants.SCARD_STATE_PRESENT) !== 0);
      }
    } catch {
      // Listing failed: the monitor's announcements will do.
    }
    if (wasDown) this.events.emit('serviceRestored', {});
  }

  private matches(name: string): boolean {
    return !this.opts.reader || name.toLowerCase().includes(this.opts.reader.toLowerCase());
  }

  private onMonitorEvent(source: PcscMonitorHandle, ev: PcscMonitorEvent): void {
    if (source !== this.monitor) return; // a late event of a monitor already stopped
    const present = (state: number) => (state & this.binding!.constants.SCARD_STATE_PRESENT) !== 0;
    switch (ev.type) {
      case 'reader-attached':
        this.readers.add(ev.reader);
        if (!this.reader && this.matches(ev.reader)) this.selectReader(ev.reader, present(ev.state));
        return;
      case 'reader-detached':
        this.readers.delete(ev.reader);
        if (ev.reader !== this.reader) return;
        this.dropReader();
        for (const other of this.readers) {
          if (this.matches(other)) {
            const handle = this.context?.listReaders().find((r) => r.name === other);
            this.selectReader(other, handle ? present(handle.state) : false);
            break;
          }
        }
        return;
      case 'card-inserted':
        if (ev.reader !== this.reader || this.cardPresent) return;
        this.cardPresent = true;
        this.events.emit('cardInserted', { reader: ev.reader });
        return;
      case 'card-removed':
        if (ev.reader !== this.reader || !this.cardPresent) return;
        this.cardPresent = false;
        this.powerOff();
        this.events.emit('cardRemoved', { reader: ev.reader });
        return;
      case 'error':
        if (classifyPcscError(new Error(ev.reader)) === 'serviceUnavailable') this.serviceLost(ev.reader);
        return;
    }
  }

  private selectReader(name: string, cardPresent: boolean): void {
    this.reader = name;
    this.events.emit('readerAttached', { reader: name });
    if (cardPresent) {
      this.cardPresent = true;
      this.events.emit('cardInserted', { reader: name });
    }
  }

  private dropReader(): void {
    const name = this.reader;
    if (!name) return;
    this.powerOff();
    const hadCard = this.cardPresent;
    this.cardPresent = false;
    this.reader = null;
    if (hadCard) this.events.emit('cardRemoved', { reader: name });
    this.events.emit('readerDetached', { reader: name });
  }

  private teardown(): void {
    this.dropReader();
    this.readers.clear();
    const monitor = this.monitor;
    const context = this.context;
    this.monitor = null;
    this.context = null;
    try {
      monitor?.stop();
    } catch {
      // already stopped
    }
    try {
      context?.close();
    } catch {
      // already released
    }
  }

  private serviceLost(reason: string): void {
    if (this.service !== 'up') return;
    this.teardown();
    this.service = 'down';
    this.detail = `PC/SC service (pcscd) not running: ${reason}`;
    this.events.emit('serviceLost', { reason });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const ms = this.opts.retryMs ?? 2000;
    if (ms <= 0 || this.retryTimer !== null) return;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (this.service !== 'down') return;
      try {
        this.connectService();
      } catch {
        this.scheduleRetry();
      }
    }, ms);
  }
}
