/** ISO 8583:1987 codec: table-driven, ASCII (ISO87A) and BCD (ISO87B) packagers. */
export { packIso, unpackIso } from './codec';
export { Iso8583Error } from './errors';
export { ISO87A, ISO87B, PACKAGERS, packagerByName } from './packagers';
export { ISO87_FIELDS } from './iso87-fields';
export type { FieldDef, FieldType, IsoMessage, LengthPrefix, Packager, PackagerEncoding } from './types';
