/** fast-check arbitraries for valid ISO 8583 messages, driven by the packager table. */
import fc from 'fast-check';
import type { FieldDef, IsoMessage, Packager } from '../../../../main/host/iso8583';

const DIGITS = '0123456789'.split('');
const AN = [...DIGITS, ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz '.split('')];
const ANS = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

const chars = (unit: string[], minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...unit), minLength, maxLength });

/** A valid value for the field. Fixed fields may be shorter than their length (pack pads them). */
export function valueArb(def: FieldDef, maxVar = def.length): fc.Arbitrary<string | Buffer> {
  const max = Math.min(def.length, maxVar);
  const min = 0;
  switch (def.type) {
    case 'b':
      return def.lengthPrefix === 0
        ? fc.uint8Array({ minLength: def.length, maxLength: def.length }).map((u) => Buffer.from(u))
        : fc.uint8Array({ minLength: min, maxLength: max }).map((u) => Buffer.from(u));
    case 'n':
      return chars(DIGITS, min, def.lengthPrefix === 0 ? def.length : max);
    case 'z':
      return chars([...DIGITS, '='], min, def.lengthPrefix === 0 ? def.length : max);
    case 'an':
      return chars(AN, min, def.lengthPrefix === 0 ? def.length : max);
    case 'ans':
      return chars(ANS, min, def.lengthPrefix === 0 ? def.length : max);
    case 'xn':
      return fc.tuple(fc.constantFrom('C', 'D'), chars(DIGITS, 0, def.length - 1)).map(([s, d]) => s + d);
  }
}

/** What unpack returns for a value pack accepted: fixed fields padded jPOS-style. */
export function normalised(def: FieldDef, v: string | Buffer): string | Buffer {
  if (typeof v !== 'string' || def.lengthPrefix !== 0) return v;
  if (def.type === 'n' || def.type === 'z') return v.padStart(def.length, '0');
  if (def.type === 'xn') return v.slice(0, 1) + v.slice(1).padStart(def.length - 1, '0');
  return v.padEnd(def.length, ' ');
}

export const mtiArb = chars(DIGITS, 4, 4);

/** A random valid message using any subset of the packager's fields (variable fields capped at maxVar). */
export function messageArb(packager: Packager, maxVar = 120): fc.Arbitrary<IsoMessage> {
  const numbers = Object.keys(packager.fields).map(Number);
  return fc.tuple(mtiArb, fc.subarray(numbers)).chain(([mti, fields]) =>
    fc.tuple(...fields.map((f) => valueArb(packager.fields[f]!, maxVar))).map((values) => {
      const out: Record<number, string | Buffer> = {};
      fields.forEach((f, i) => (out[f] = values[i]!));
      return { mti, fields: out };
    }),
  );
}

/** The message unpack should return for `msg`. */
export function expectedAfterRoundTrip(msg: IsoMessage, packager: Packager): IsoMessage {
  const fields: Record<number, string | Buffer> = {};
  for (const [k, v] of Object.entries(msg.fields)) fields[Number(k)] = normalised(packager.fields[Number(k)]!, v);
  return { mti: msg.mti, fields };
}
