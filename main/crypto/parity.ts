/** DES odd parity: every key byte must have an odd number of one bits (the low bit is the parity bit). */
const popcount8 = (b: number): number => {
  let n = 0;
  for (let x = b; x; x &= x - 1) n++;
  return n;
};

export function hasOddParity(key: Uint8Array): boolean {
  for (const b of key) if (popcount8(b) % 2 === 0) return false;
  return true;
}

/** Returns a copy with each byte's low bit set so that the byte has odd parity. */
export function fixOddParity(key: Uint8Array): Buffer {
  const out = Buffer.from(key);
  for (let i = 0; i < out.length; i++) {
    const b = (out[i] ?? 0) & 0xfe;
    out[i] = popcount8(b) % 2 === 0 ? b | 1 : b;
  }
  return out;
}
