/**
 * Primary/secondary bitmap. Bit k (1..128) is bit (k-1) counted from the most significant bit of byte 0.
 * Bit 1 says a secondary bitmap follows; it is set on pack exactly when a field 65..128 is present.
 */
export function buildBitmap(fieldNumbers: readonly number[]): Buffer {
  const secondary = fieldNumbers.some((f) => f > 64);
  const map = Buffer.alloc(secondary ? 16 : 8);
  if (secondary) map[0] = 0x80;
  for (const f of fieldNumbers) {
    const i = (f - 1) >> 3;
    map[i] = (map[i] ?? 0) | (0x80 >> ((f - 1) & 7));
  }
  return map;
}

/** Field numbers (2..128) whose bits are set, ascending. Bit 1 is not a field and is not listed. */
export function bitmapFields(map: Uint8Array): number[] {
  const out: number[] = [];
  for (let f = 2; f <= map.length * 8; f++) {
    if (((map[(f - 1) >> 3] ?? 0) & (0x80 >> ((f - 1) & 7))) !== 0) out.push(f);
  }
  return out;
}

export const hasSecondary = (firstByte: number): boolean => (firstByte & 0x80) !== 0;
