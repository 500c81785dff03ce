/**
 * The one error type the codec throws. It names the field (0 = MTI, 1 = bitmap, null = the message as a
 * whole) and the byte offset (in the input on unpack, in the output being built on pack).
 * Messages never contain field values, so card data (fields 2, 35, 45, 52, 55, ...) cannot leak into logs.
 */
export class Iso8583Error extends Error {
  override name = 'Iso8583Error';
  constructor(
    readonly field: number | null,
    readonly offset: number,
    reason: string,
  ) {
    super(`${field === null ? 'message' : field === 0 ? 'MTI' : field === 1 ? 'bitmap' : `field ${field}`} at offset ${offset}: ${reason}`);
  }
}
