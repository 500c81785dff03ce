import { describe, expect, it } from 'vitest';
import { crc16Xmodem, encodeCommand, encodeNegative, encodePositive, scanFrame } from '../../../../devices/adapters/sankyo/sankyo-frame';
import { mapNegative } from '../../../../devices/adapters/sankyo/sankyo-codes';

describe('Sankyo ICT3K5 framing', () => {
  it('computes CRC16-XMODEM (check value 0x31C3 for "123456789")', () => {
    expect(crc16Xmodem(Buffer.from('123456789'))).toBe(0x31c3);
  });
  it("encodes F2 LEN(BE) 'C' cm pm data CRC(BE) with LEN counting the text", () => {
    const f = encodeCommand(0x31, 0x30);
    expect([...f.subarray(0, 6)]).toEqual([0xf2, 0x00, 0x03, 0x43, 0x31, 0x30]);
    const crc = crc16Xmodem(f, 6);
    expect([...f.subarray(6)]).toEqual([crc >> 8, crc & 0xff]);
  });
  it('scans positive and negative replies, skipping noise, and flags bad CRCs and lengths', () => {
    const p = encodePositive(0x36, 0x32, 0x32, 0x30, Buffer.from('data'));
    expect(scanFrame(Buffer.concat([Buffer.from([0x00, 0x06]), p]))).toMatchObject({ kind: 'frame', text: { type: 0x50, cm: 0x36, pm: 0x32 } });
    const scanned = scanFrame(p);
    expect(scanned.kind === 'frame' && scanned.text.rest.toString()).toBe('20data');
    expect(scanFrame(p.subarray(0, p.length - 1))).toEqual({ kind: 'need-more' });
    const bad = Buffer.from(encodeNegative(0x33, 0x30, 0x31, 0x30));
    bad[4] = 0x34;
    expect(scanFrame(bad)).toMatchObject({ kind: 'bad', length: bad.length });
    expect(scanFrame(Buffer.from([0xf2, 0xff, 0xff, 0x43]))).toMatchObject({ kind: 'bad' });
  });
  it('maps negative codes', () => {
    expect(mapNegative(0x31, 0x30)).toMatchObject({ code: '10', completionCode: 'commandErrorCode', errorCode: 'mediaJam' });
    expect(mapNegative(0x35, 0x30)).toMatchObject({ errorCode: 'retainBinFull' });
    expect(mapNegative(0x42, 0x30)).toMatchObject({ completionCode: 'deviceNotReady' });
    expect(mapNegative(0x39, 0x39)).toMatchObject({ completionCode: 'hardwareError', text: 'reader error 99' });
  });
});
