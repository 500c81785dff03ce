import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { Xfs4IotEndpoint } from '../../../devices/xfs4iot/endpoint';
import { command } from '../../../devices/xfs4iot/service-adapter';
import { message, type Message } from '../../../devices/xfs4iot/messages';
import { startRig, until, validateMessage, type Rig } from './harness';

/** A raw XFS4IoT client that records what it receives. */
class Raw {
  readonly got: Message[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.got.push(JSON.parse(d.toString()) as Message));
  }
  static async open(uri: string, headers?: Record<string, string>): Promise<Raw> {
    const ws = new WebSocket(uri, { headers });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Raw(ws);
  }
  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }
  of(requestId: number): Message[] {
    return this.got.filter((m) => m.header.requestId === requestId);
  }
  async completion(requestId: number): Promise<Message> {
    await until(() => this.of(requestId).some((m) => m.header.type === 'completion'), `completion ${requestId}`);
    return this.of(requestId).find((m) => m.header.type === 'completion')!;
  }
}

let rig: Rig;
let raw: Raw;
const cmd = (name: string, requestId: unknown, payload: object = {}) => ({ header: { type: 'command', name, requestId, version: '1.0' }, payload });

beforeEach(async () => {
  rig = await startRig();
  raw = await Raw.open(rig.endpoint.serviceUri('CardReader'));
});
afterEach(async () => {
  raw.ws.close();
  expect(rig.violations()).toEqual([]);
  await rig.close();
});

describe('XFS4IoT endpoint protocol', () => {
  it('listens on loopback by default and publishes the service URIs', async () => {
    expect(rig.endpoint.host).toBe('127.0.0.1');
    expect(rig.endpoint.serviceUri('CardReader')).toBe(`ws://127.0.0.1:${rig.endpoint.port}/xfs4iot/v1.0/CardReader/`);
    const pub = await Raw.open(rig.endpoint.publisherUri);
    pub.send(cmd('ServicePublisher.GetServices', 1));
    const c = await pub.completion(1);
    expect(pub.of(1).map((m) => m.header.type)).toEqual(['acknowledge', 'event', 'completion']);
    expect(c.payload).toMatchObject({ completionCode: 'success', services: ['CardReader', 'CashDispenser', 'PinPad', 'Printer'].map((s) => ({ serviceURI: rig.endpoint.serviceUri(s) })) });
    pub.ws.close();
  });

  it('refuses unknown paths and browser origins', async () => {
    await expect(Raw.open(`ws://127.0.0.1:${rig.endpoint.port}/xfs4iot/v1.0/Nope/`)).rejects.toThrow(/404/);
    await expect(Raw.open(rig.endpoint.serviceUri('CardReader'), { Origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });

  it('acknowledge, completion of Common.Status / Common.Capabilities / Storage.GetStorage', async () => {
    raw.send(cmd('Common.Status', 1));
    raw.send(cmd('Common.Capabilities', 2));
    raw.send(cmd('Storage.GetStorage', 3));
    expect((await raw.completion(1)).payload).toMatchObject({ completionCode: 'success', common: { device: 'online' }, cardReader: { media: 'notPresent' } });
    expect((await raw.completion(2)).payload).toMatchObject({ completionCode: 'success', interfaces: [{ name: 'Common' }, { name: 'CardReader' }, { name: 'Storage' }] });
    expect((await raw.completion(3)).payload).toMatchObject({ storage: { unitRETAIN: { card: { status: { count: 0 } } } } });
    expect(raw.of(1).map((m) => `${m.header.type}:${m.payload.status ?? m.payload.completionCode}`)).toEqual(['acknowledge:ok', 'completion:success']);
  });

  it('malformed JSON and non-command messages are acknowledged invalidMessage; never a crash', async () => {
    raw.send('{not json');
    raw.send({ header: { type: 'event', name: 'CardReader.ReadRawData', requestId: 5 }, payload: {} });
    raw.send({ header: { type: 'command', name: 'no dots', requestId: 6 }, payload: {} });
    raw.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await until(() => raw.got.length === 4, 'four acknowledges');
    expect(raw.got.map((m) => [m.header.type, m.payload.status])).toEqual(Array(4).fill(['acknowledge', 'invalidMessage']));
    raw.send(cmd('Common.Status', 7));
    expect((await raw.completion(7)).payload.completionCode).toBe('success');
  });

  it('an invalid requestId is acknowledged invalidRequestID', async () => {
    for (const id of [0, -1, 1.5, 'x', null]) raw.send(cmd('Common.Status', id));
    await until(() => raw.got.length === 5, 'five acknowledges');
    expect(raw.got.every((m) => m.header.type === 'acknowledge' && m.payload.status === 'invalidRequestID')).toBe(true);
  });

  it('a duplicate requestId in flight is refused; the first command completes normally', async () => {
    raw.send(cmd('CardReader.ReadRawData', 10, { track2: true }));
    await until(() => raw.of(10).some((m) => m.header.name === 'CardReader.InsertCardEvent'), 'InsertCardEvent');
    raw.send(cmd('CardReader.Move', 10, { to: 'exit' }));
    await until(() => raw.of(10).filter((m) => m.header.type === 'acknowledge').length === 2, 'second acknowledge');
    expect(raw.of(10).filter((m) => m.header.type === 'acknowledge').map((m) => m.payload.status)).toEqual(['ok', 'invalidRequestID']);
    rig.reader.insertCard({ id: 'x', label: 'x', pan: '4761739001010010', expiry: '3012', serviceCode: '201', pin: '1234', balance: 0 });
    const c = await raw.completion(10);
    expect(c.header.name).toBe('CardReader.ReadRawData');
    expect(c.payload.completionCode).toBe('success');
    expect(raw.of(10).map((m) => m.header.type)).toEqual(['acknowledge', 'event', 'acknowledge', 'event', 'completion']);
    // Once completed, the id may be used again.
    raw.send(cmd('Common.Status', 10));
    await until(() => raw.of(10).filter((m) => m.header.type === 'completion').length === 2, 'reuse');
  });

  it('unknown commands: invalidCommand; known interface but not implemented: unsupportedCommand; bad payload: invalidData', async () => {
    raw.send(cmd('Foo.Bar', 1));
    raw.send(cmd('CardReader.WriteRawData', 2));
    raw.send(cmd('CardReader.ReadRawData', 3, { track2: 'yes' }));
    raw.send(cmd('CardReader.ChipIO', 4, { chipData: '***' }));
    raw.send(cmd('CardReader.ReadRawData', 5, {}));
    raw.send({ header: { type: 'command', name: 'CardReader.Move', requestId: 6 }, payload: 'exit' });
    expect((await raw.completion(1)).payload.completionCode).toBe('invalidCommand');
    expect((await raw.completion(2)).payload.completionCode).toBe('unsupportedCommand');
    expect((await raw.completion(3)).payload).toMatchObject({ completionCode: 'invalidData', errorDescription: 'invalid payload at track2' });
    expect((await raw.completion(4)).payload.completionCode).toBe('invalidData');
    expect((await raw.completion(5)).payload.completionCode).toBe('invalidData');
    await until(() => raw.of(6).length === 1, 'ack 6');
    expect(raw.of(6)[0]!.payload.status).toBe('invalidMessage');
  });

  it('Common.Cancel cancels a pending ReadRawData and a queued Move; unknown ids: noMatchingRequestIDs', async () => {
    raw.send(cmd('CardReader.ReadRawData', 1, { track2: true }));
    raw.send(cmd('CardReader.Move', 2, { to: 'exit' }));
    await until(() => raw.of(1).some((m) => m.header.type === 'event'), 'InsertCardEvent');
    raw.send(cmd('Common.Cancel', 3, { requestIds: [99] }));
    expect((await raw.completion(3)).payload).toMatchObject({ completionCode: 'commandErrorCode', errorCode: 'noMatchingRequestIDs' });
    raw.send(cmd('Common.Cancel', 4, { requestIds: [2, 1] }));
    expect((await raw.completion(4)).payload.completionCode).toBe('success');
    expect((await raw.completion(1)).payload.completionCode).toBe('canceled');
    expect((await raw.completion(2)).payload.completionCode).toBe('canceled');
    // Common.Cancel without ids cancels all of this connection's commands.
    raw.send(cmd('CardReader.ReadRawData', 5, { track1: true }));
    await until(() => raw.of(5).some((m) => m.header.type === 'event'), 'InsertCardEvent');
    raw.send(cmd('Common.Cancel', 6));
    expect((await raw.completion(5)).payload.completionCode).toBe('canceled');
  });

  it('payload.timeout completes a command with timeOut; the queue moves on', async () => {
    raw.send(cmd('CardReader.ReadRawData', 1, { track2: true, timeout: 30 }));
    raw.send(cmd('CardReader.Reset', 2));
    expect((await raw.completion(1)).payload.completionCode).toBe('timeOut');
    expect((await raw.completion(2)).payload.completionCode).toBe('success');
  });

  it('commands of one service run one at a time, in order, across connections', async () => {
    const other = await Raw.open(rig.endpoint.serviceUri('CardReader'));
    raw.send(cmd('CardReader.ReadRawData', 1, { track2: true }));
    other.send(cmd('CardReader.Move', 1, { to: 'exit' }));
    await until(() => raw.of(1).some((m) => m.header.type === 'event'), 'InsertCardEvent');
    expect(other.of(1).map((m) => m.header.type)).toEqual(['acknowledge']);
    rig.reader.insertCard({ id: 'x', label: 'x', pan: '4761739001010010', expiry: '3012', serviceCode: '201', pin: '1234', balance: 0 });
    expect((await raw.completion(1)).payload.completionCode).toBe('success');
    expect((await other.completion(1)).payload.completionCode).toBe('success');
    expect(rig.reader.cardInReader()?.position).toBe('gate');
    // Unsolicited events go to every connection of the service, without requestId.
    rig.reader.takeCard();
    await until(() => [raw, other].every((r) => r.got.some((m) => m.header.name === 'CardReader.MediaRemovedEvent')), 'MediaRemovedEvent');
    expect(raw.got.find((m) => m.header.name === 'CardReader.MediaRemovedEvent')?.header).toEqual({ type: 'unsolicited', name: 'CardReader.MediaRemovedEvent', version: '1.0' });
    other.ws.close();
  });

  it('a client that disconnects has its commands canceled (the reader is free again)', async () => {
    raw.send(cmd('CardReader.ReadRawData', 1, { track2: true }));
    await until(() => raw.of(1).some((m) => m.header.type === 'event'), 'InsertCardEvent');
    raw.ws.close();
    const next = await Raw.open(rig.endpoint.serviceUri('CardReader'));
    next.send(cmd('CardReader.ReadRawData', 1, { track2: true, timeout: 20 }));
    expect((await next.completion(1)).payload.completionCode).toBe('timeOut');
    next.ws.close();
  });

  it('a device whose command throws completes with hardwareError (no error text leaks)', async () => {
    const ep = await Xfs4IotEndpoint.start({
      port: 0,
      services: [{
        serviceName: 'Broken', interfaces: ['Common', 'Printer'], status: () => ({ common: { device: 'online' } }), capabilities: () => ({}), subscribe: () => () => undefined,
        commands: { 'Printer.PrintRaw': command({ schema: z.looseObject({}), queued: true, run: () => Promise.reject(new Error('track 4761739001010010')) }) },
      }],
    });
    const r = await Raw.open(ep.serviceUri('Broken'));
    r.send(cmd('Printer.PrintRaw', 1, { data: 'QQ==' }));
    const c = await r.completion(1);
    expect(c.payload).toEqual({ completionCode: 'hardwareError', errorDescription: 'device failed (Error)' });
    expect(validateMessage(c)).toBeNull();
    r.ws.close();
    await ep.close();
  });

  it('the schema check itself rejects wrong messages (control)', () => {
    expect(validateMessage(message('completion', 'CardReader.Move', 1, { completionCode: 'commandErrorCode', errorCode: 'retainBinFull' }))).not.toBeNull();
    expect(validateMessage(message('acknowledge', 'Common.Status', 1, { status: 'fine' }))).not.toBeNull();
    expect(validateMessage(message('completion', 'Common.Status', 1, { completionCode: 'success' }))).not.toBeNull();
    expect(validateMessage(message('completion', 'CardReader.ReadRawData', 1, { completionCode: 'success', track2: { status: 'ok', data: '' } }))).not.toBeNull();
    expect(validateMessage(message('completion', 'CardReader.Move', 1, { completionCode: 'commandErrorCode', errorCode: 'full' }))).toBeNull();
  });
});
