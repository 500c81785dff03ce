import { ISO87_FIELDS } from './iso87-fields';
import type { Packager } from './types';

/** Like jPOS ISO87APackager: ASCII MTI, bitmap as 16/32 hex chars, LL/LLL as ASCII digits, binary as hex text. */
export const ISO87A: Packager = Object.freeze({ name: 'ISO87A', encoding: 'ascii', fields: ISO87_FIELDS });

/**
 * Like jPOS ISO87BPackager: BCD MTI, binary bitmap, BCD length prefixes (LL one byte, LLL two bytes 0L LL),
 * fixed numerics BCD left-padded with a 0 nibble, variable numerics BCD right-padded (jPOS IFB_LLNUM pad=false),
 * alphanumerics ASCII, binary raw.
 */
export const ISO87B: Packager = Object.freeze({ name: 'ISO87B', encoding: 'bcd', fields: ISO87_FIELDS });

export const PACKAGERS: Readonly<Record<string, Packager>> = Object.freeze({ iso87a: ISO87A, iso87b: ISO87B });

/** Looks a packager up by name, case-insensitively ("iso87a", "ISO87B"). */
export function packagerByName(name: string): Packager | undefined {
  const key = name.toLowerCase();
  return Object.prototype.hasOwnProperty.call(PACKAGERS, key) ? PACKAGERS[key] : undefined;
}
