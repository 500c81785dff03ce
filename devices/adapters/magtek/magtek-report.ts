/**
 * MagTek USB HID swipe reader input report (337 bytes, no report ID): bytes 0-2 decode status of tracks 1-3
 * (0 = decoded), bytes 3-5 track lengths, byte 6 card encode type, then three 110-byte track data fields
 * (ASCII with start/end sentinels). Some HID stacks prepend a zero report ID (338 bytes): it is stripped.
 */
export const REPORT_LENGTH = 337;
export const TRACK_FIELD = 110;
const DATA_OFFSET = 7;

export type CardEncodeType = 'isoAba' | 'aamva' | 'blank' | 'other' | 'undetermined' | 'none' | 'unknown';
const ENCODE_TYPES: Record<number, CardEncodeType> = { 0: 'isoAba', 1: 'aamva', 3: 'blank', 4: 'other', 5: 'undetermined', 6: 'none' };

export type TrackRead = { status: 'ok'; data: string } | { status: 'error' | 'blank' };

export interface MagtekSwipe {
  encodeType: CardEncodeType;
  tracks: [TrackRead, TrackRead, TrackRead];
}

export class ReportError extends Error {}

export function parseMagtekReport(report: Uint8Array): MagtekSwipe {
  let r = report;
  if (r.length === REPORT_LENGTH + 1 && r[0] === 0) r = r.subarray(1);
  // Errors give the length only: a report is raw card data.
  if (r.length < REPORT_LENGTH) throw new ReportError(`MagTek report too short (${report.length} bytes, want ${REPORT_LENGTH})`);
  const tracks = [0, 1, 2].map((i): TrackRead => {
    const status = r[i]!;
    const len = r[3 + i]!;
    if (status !== 0) return { status: 'error' };
    if (len === 0) return { status: 'blank' };
    if (len > TRACK_FIELD) return { status: 'error' };
    const start = DATA_OFFSET + i * TRACK_FIELD;
    return { status: 'ok', data: stripSentinels(Buffer.from(r.subarray(start, start + len)).toString('latin1')) };
  }) as [TrackRead, TrackRead, TrackRead];
  return { encodeType: ENCODE_TYPES[r[6]!] ?? 'unknown', tracks };
}

/** '%'/';' start sentinel and '?' end sentinel are framing, not data (RawCardData carries the data only). */
function stripSentinels(s: string): string {
  let out = s;
  if (out.startsWith('%') || out.startsWith(';')) out = out.slice(1);
  const end = out.indexOf('?');
  return end >= 0 ? out.slice(0, end) : out;
}

/** Builds a report (tests, simulators). Track data is given without sentinels. */
export function buildMagtekReport(tracks: [string | null, string | null, string | null], opts: { status?: [number, number, number]; encodeType?: number } = {}): Uint8Array {
  const r = new Uint8Array(REPORT_LENGTH);
  const sentinels: Array<[string, string]> = [['%', '?'], [';', '?'], [';', '?']];
  tracks.forEach((t, i) => {
    r[i] = opts.status?.[i] ?? 0;
    if (t === null) return;
    const framed = Buffer.from(`${sentinels[i]![0]}${t}${sentinels[i]![1]}`, 'latin1').subarray(0, TRACK_FIELD);
    r[3 + i] = framed.length;
    r.set(framed, DATA_OFFSET + i * TRACK_FIELD);
  });
  r[6] = opts.encodeType ?? 0;
  return r;
}
