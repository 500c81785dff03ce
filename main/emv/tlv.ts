/**
 * EMV BER-TLV library: codec (tlv-codec), Data Object Lists (dol), the tag dictionary and a
 * log-safe describer. Import from here.
 */
export * from './tlv-codec';
export * from './dol';
export * from './tag-dictionary';
export * from './describe-tlv';
