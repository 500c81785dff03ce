import { describe, expect, it } from 'vitest';
import { REPORT_LENGTH, buildMagtekReport, parseMagtekReport } from '../../../../devices/adapters/magtek/magtek-report';

const T1 = 'B4761739001010010^TEST/CARDHOLDER^3012201000000000';
const T2 = '4761739001010010=30122010000000000000';

describe('MagTek HID report parser', () => {
  it('parses a constructed 337-byte report: status, lengths, encode type, sentinel-stripped tracks', () => {
    const r = buildMagtekReport([T1, T2, null]);
    expect(r.length).toBe(REPORT_LENGTH);
    expect([r[3], r[4], r[5]]).toEqual([T1.length + 2, T2.length + 2, 0]);
    expect(r[7]).toBe(0x25); // '%'
    expect(r[117]).toBe(0x3b); // ';'
    expect(parseMagtekReport(r)).toEqual({ encodeType: 'isoAba', tracks: [{ status: 'ok', data: T1 }, { status: 'ok', data: T2 }, { status: 'blank' }] });
  });
  it('reports decode errors per track and the encode type', () => {
    const r = buildMagtekReport([T1, T2, '123'], { status: [1, 0, 0], encodeType: 1 });
    expect(parseMagtekReport(r)).toEqual({ encodeType: 'aamva', tracks: [{ status: 'error' }, { status: 'ok', data: T2 }, { status: 'ok', data: '123' }] });
    const bad = buildMagtekReport([null, T2, null], { encodeType: 9 });
    bad[4] = 200;
    expect(parseMagtekReport(bad)).toMatchObject({ encodeType: 'unknown', tracks: [{ status: 'blank' }, { status: 'error' }, { status: 'blank' }] });
  });
  it('strips a leading zero report id; a short report errors by length only', () => {
    const r = buildMagtekReport([null, T2, null]);
    expect(parseMagtekReport(Uint8Array.from([0, ...r])).tracks[1]).toEqual({ status: 'ok', data: T2 });
    const short = r.subarray(0, 200);
    expect(() => parseMagtekReport(short)).toThrow('MagTek report too short (200 bytes, want 337)');
    try {
      parseMagtekReport(short);
    } catch (e) {
      expect(String(e)).not.toContain('4761');
    }
  });
});
