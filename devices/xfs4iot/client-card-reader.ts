/** An external XFS4IoT CardReader service as our CardReaderService. */
import type { CardReaderCapabilities, CardReaderErrorCode, CardReaderEvents, CardReaderService, CardReaderStatus, MediaStatus, RawCardData } from '../card-reader/types';
import { TypedEmitter, type Completion, type DeviceState } from '../common/types';
import { fromWire } from './codes';
import { Xfs4IotClientBase, obj, str } from './client-base';
import type { Payload, WireCompletion } from './messages';
import { base64ToText, fromBase64, RETAIN_UNIT, toBase64 } from './wire-values';

const TRACKS = ['track1', 'track2', 'track3'] as const;
type Empty = Record<string, never>;

export class Xfs4IotCardReader extends Xfs4IotClientBase implements CardReaderService {
  readonly events = new TypedEmitter<CardReaderEvents>();
  private state: CardReaderStatus = { device: 'offline', media: 'unknown', retainBin: { count: 0, capacity: 0, state: 'ok' } };
  private caps: CardReaderCapabilities = { type: 'motor', readTracks: [], chip: false, retainCapable: false };

  status(): CardReaderStatus {
    return { ...this.state, retainBin: { ...this.state.retainBin } };
  }
  capabilities(): CardReaderCapabilities {
    return { ...this.caps, readTracks: [...this.caps.readTracks] };
  }

  async readRawData(req: { tracks: Array<'track1' | 'track2' | 'track3'>; chip?: boolean; timeoutMs?: number }, signal?: AbortSignal): Promise<Completion<RawCardData, CardReaderErrorCode>> {
    const payload: Payload = { ...Object.fromEntries(req.tracks.map((t) => [t, true])), ...(req.chip ? { chip: true } : {}) };
    const w = await this.connection.send('CardReader.ReadRawData', payload, {
      timeoutMs: req.timeoutMs,
      signal,
      onEvent: (name) => {
        if (name === 'CardReader.MediaInsertedEvent') this.events.emit('mediaInserted', {});
      },
    });
    return fromWire('CardReader.ReadRawData', w, decodeCardData);
  }

  async move(req: { to: 'exit' | 'retain' }): Promise<Completion<Empty, CardReaderErrorCode>> {
    return this.simple('CardReader.Move', { to: req.to === 'exit' ? 'exit' : RETAIN_UNIT });
  }

  async reset(req?: { to?: 'exit' | 'retain' | 'currentPosition' }): Promise<Completion<Empty, CardReaderErrorCode>> {
    return this.simple('CardReader.Reset', req?.to ? { to: req.to } : {});
  }

  async chipIO(req: { apdu: Uint8Array }): Promise<Completion<{ response: Uint8Array }, CardReaderErrorCode>> {
    const w = await this.connection.send('CardReader.ChipIO', { chipProtocol: 'chipT1', chipData: toBase64(req.apdu) });
    return fromWire('CardReader.ChipIO', w, (x) => (typeof x.chipData === 'string' ? { response: fromBase64(x.chipData) } : x.completionCode === 'success' ? { response: new Uint8Array() } : undefined));
  }

  async chipPower(req: { action: 'cold' | 'warm' | 'off' }): Promise<Completion<{ atr?: Uint8Array }, CardReaderErrorCode>> {
    const w = await this.connection.send('CardReader.ChipPower', { chipPower: req.action });
    return fromWire('CardReader.ChipPower', w, (x) => (typeof x.chipData === 'string' ? { atr: fromBase64(x.chipData) } : {}));
  }

  cancel(): void {
    const ids = this.connection.pendingIds('CardReader.ReadRawData');
    if (ids.length) void this.connection.send('Common.Cancel', { requestIds: ids });
  }

  private async simple(name: string, payload: Payload): Promise<Completion<Empty, CardReaderErrorCode>> {
    return fromWire(name, await this.connection.send(name, payload), (): Empty => ({}));
  }

  protected async loadState(): Promise<void> {
    const [status, caps, storage] = await Promise.all([this.commonStatus(), this.connection.send('Common.Capabilities'), this.connection.send('Storage.GetStorage')]);
    if (status) this.applyStatus({ ...obj(status.common), cardReader: status.cardReader });
    if (caps.completionCode === 'success') {
      const cr = obj(caps.cardReader);
      const tracks = obj(cr.readTracks);
      const chip = obj(cr.chipProtocols);
      this.caps = {
        type: cr.type === 'dip' || cr.type === 'swipe' ? cr.type : 'motor',
        readTracks: TRACKS.filter((t) => tracks[t] === true),
        chip: Object.values(chip).some((v) => v === true),
        retainCapable: false,
      };
    }
    if (storage.completionCode === 'success') this.applyStorage(obj(storage.storage));
  }

  protected onDisconnected(): void {
    this.state = { ...this.state, device: 'offline' };
    this.events.emit('statusChanged', this.status());
  }

  protected onUnsolicited(name: string, payload: Payload): void {
    if (name === 'CardReader.MediaRemovedEvent') this.events.emit('mediaRemoved', {});
    else if (name === 'CardReader.CardActionEvent') {
      const to = str(payload.to) ?? '';
      this.events.emit('cardAction', { action: to === 'exit' ? 'ejected' : to.startsWith('unit') ? 'retained' : 'reset' });
    } else if (name === 'Common.StatusChangedEvent') this.applyStatus(payload);
    else if (name === 'Storage.StorageChangedEvent' || name === 'Storage.StorageThresholdEvent') this.applyStorage(payload);
  }

  /** `flat` = the common fields plus an optional `cardReader` object (StatusChangedEvent layout). */
  private applyStatus(flat: Payload): void {
    const media = str(obj(flat.cardReader).media);
    this.state = {
      ...this.state,
      ...(str(flat.device) ? { device: str(flat.device) as DeviceState } : {}),
      ...(media ? { media: (media === 'notSupported' ? 'unknown' : media) as MediaStatus } : {}),
    };
    this.events.emit('statusChanged', this.status());
  }

  private applyStorage(storage: Payload): void {
    for (const unit of Object.values(storage)) {
      const card = obj(obj(unit).card);
      if (obj(card.capabilities).type !== 'retain') continue;
      const st = obj(card.status);
      const count = typeof st.count === 'number' ? st.count : 0;
      const capacity = typeof obj(unit).capacity === 'number' ? (obj(unit).capacity as number) : this.state.retainBin.capacity;
      const rs = str(st.replenishmentStatus);
      this.caps = { ...this.caps, retainCapable: true };
      this.state = { ...this.state, retainBin: { count, capacity, state: rs === 'full' || rs === 'high' ? rs : 'ok' } };
    }
  }
}

function decodeCardData(w: WireCompletion): RawCardData {
  const data: RawCardData = {};
  for (const t of TRACKS) {
    const d = obj(w[t]);
    if (d.status === 'ok' && typeof d.data === 'string') data[t] = base64ToText(d.data);
  }
  const chip = Array.isArray(w.chip) ? obj(w.chip[0]) : {};
  if (chip.status === 'ok' && typeof chip.data === 'string') data.chipAtr = fromBase64(chip.data);
  return data;
}
