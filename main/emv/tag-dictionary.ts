/**
 * EMV data element dictionary (EMV Book 3 Annex A, plus common scheme tags): names, formats and
 * whether a value is sensitive (cardholder data that must never be logged or printed).
 */
export type TagFormat = 'n' | 'cn' | 'a' | 'an' | 'ans' | 'b' | 'template';

export interface TagInfo {
  name: string;
  format: TagFormat;
  /** PAN, track data, cardholder name: never printed, logged or journaled. */
  sensitive?: true;
}

const S = true as const;

export const TAG_DICTIONARY: Readonly<Record<string, TagInfo>> = {
  '4F': { name: 'Application Identifier (AID) - card', format: 'b' },
  '50': { name: 'Application Label', format: 'ans' },
  '56': { name: 'Track 1 Data', format: 'ans', sensitive: S },
  '57': { name: 'Track 2 Equivalent Data', format: 'b', sensitive: S },
  '5A': { name: 'Application Primary Account Number (PAN)', format: 'cn', sensitive: S },
  '5F20': { name: 'Cardholder Name', format: 'ans', sensitive: S },
  '5F24': { name: 'Application Expiration Date', format: 'n' },
  '5F25': { name: 'Application Effective Date', format: 'n' },
  '5F28': { name: 'Issuer Country Code', format: 'n' },
  '5F2A': { name: 'Transaction Currency Code', format: 'n' },
  '5F2D': { name: 'Language Preference', format: 'an' },
  '5F30': { name: 'Service Code', format: 'n' },
  '5F34': { name: 'Application PAN Sequence Number', format: 'n' },
  '5F36': { name: 'Transaction Currency Exponent', format: 'n' },
  '61': { name: 'Application Template', format: 'template' },
  '6F': { name: 'File Control Information (FCI) Template', format: 'template' },
  '70': { name: 'READ RECORD Response Message Template', format: 'template' },
  '71': { name: 'Issuer Script Template 1', format: 'template' },
  '72': { name: 'Issuer Script Template 2', format: 'template' },
  '73': { name: 'Directory Discretionary Template', format: 'template' },
  '77': { name: 'Response Message Template Format 2', format: 'template' },
  '80': { name: 'Response Message Template Format 1', format: 'b' },
  '82': { name: 'Application Interchange Profile', format: 'b' },
  '84': { name: 'Dedicated File (DF) Name', format: 'b' },
  '86': { name: 'Issuer Script Command', format: 'b' },
  '87': { name: 'Application Priority Indicator', format: 'b' },
  '88': { name: 'Short File Identifier (SFI)', format: 'b' },
  '89': { name: 'Authorisation Code', format: 'ans' },
  '8A': { name: 'Authorisation Response Code', format: 'an' },
  '8C': { name: 'Card Risk Management Data Object List 1 (CDOL1)', format: 'b' },
  '8D': { name: 'Card Risk Management Data Object List 2 (CDOL2)', format: 'b' },
  '8E': { name: 'Cardholder Verification Method (CVM) List', format: 'b' },
  '8F': { name: 'Certification Authority Public Key Index', format: 'b' },
  '90': { name: 'Issuer Public Key Certificate', format: 'b' },
  '91': { name: 'Issuer Authentication Data', format: 'b' },
  '92': { name: 'Issuer Public Key Remainder', format: 'b' },
  '93': { name: 'Signed Static Application Data', format: 'b' },
  '94': { name: 'Application File Locator (AFL)', format: 'b' },
  '95': { name: 'Terminal Verification Results', format: 'b' },
  '99': { name: 'Transaction PIN Data', format: 'b', sensitive: S },
  '9A': { name: 'Transaction Date', format: 'n' },
  '9B': { name: 'Transaction Status Information', format: 'b' },
  '9C': { name: 'Transaction Type', format: 'n' },
  '9D': { name: 'Directory Definition File (DDF) Name', format: 'b' },
  '9F01': { name: 'Acquirer Identifier', format: 'n' },
  '9F02': { name: 'Amount, Authorised (Numeric)', format: 'n' },
  '9F03': { name: 'Amount, Other (Numeric)', format: 'n' },
  '9F06': { name: 'Application Identifier (AID) - terminal', format: 'b' },
  '9F07': { name: 'Application Usage Control', format: 'b' },
  '9F08': { name: 'Application Version Number - card', format: 'b' },
  '9F09': { name: 'Application Version Number - terminal', format: 'b' },
  '9F0B': { name: 'Cardholder Name Extended', format: 'ans', sensitive: S },
  '9F0D': { name: 'Issuer Action Code - Default', format: 'b' },
  '9F0E': { name: 'Issuer Action Code - Denial', format: 'b' },
  '9F0F': { name: 'Issuer Action Code - Online', format: 'b' },
  '9F10': { name: 'Issuer Application Data', format: 'b' },
  '9F11': { name: 'Issuer Code Table Index', format: 'n' },
  '9F12': { name: 'Application Preferred Name', format: 'ans' },
  '9F13': { name: 'Last Online ATC Register', format: 'b' },
  '9F15': { name: 'Merchant Category Code', format: 'n' },
  '9F16': { name: 'Merchant Identifier', format: 'ans' },
  '9F17': { name: 'PIN Try Counter', format: 'b' },
  '9F1A': { name: 'Terminal Country Code', format: 'n' },
  '9F1C': { name: 'Terminal Identification', format: 'an' },
  '9F1E': { name: 'Interface Device (IFD) Serial Number', format: 'an' },
  '9F1F': { name: 'Track 1 Discretionary Data', format: 'ans', sensitive: S },
  '9F20': { name: 'Track 2 Discretionary Data', format: 'cn', sensitive: S },
  '9F21': { name: 'Transaction Time', format: 'n' },
  '9F26': { name: 'Application Cryptogram', format: 'b' },
  '9F27': { name: 'Cryptogram Information Data', format: 'b' },
  '9F33': { name: 'Terminal Capabilities', format: 'b' },
  '9F34': { name: 'Cardholder Verification Method (CVM) Results', format: 'b' },
  '9F35': { name: 'Terminal Type', format: 'n' },
  '9F36': { name: 'Application Transaction Counter (ATC)', format: 'b' },
  '9F37': { name: 'Unpredictable Number', format: 'b' },
  '9F38': { name: 'Processing Options Data Object List (PDOL)', format: 'b' },
  '9F39': { name: 'Point-of-Service (POS) Entry Mode', format: 'n' },
  '9F40': { name: 'Additional Terminal Capabilities', format: 'b' },
  '9F41': { name: 'Transaction Sequence Counter', format: 'n' },
  '9F42': { name: 'Application Currency Code', format: 'n' },
  '9F44': { name: 'Application Currency Exponent', format: 'n' },
  '9F46': { name: 'ICC Public Key Certificate', format: 'b' },
  '9F47': { name: 'ICC Public Key Exponent', format: 'b' },
  '9F48': { name: 'ICC Public Key Remainder', format: 'b' },
  '9F49': { name: 'Dynamic Data Authentication Data Object List (DDOL)', format: 'b' },
  '9F4A': { name: 'Static Data Authentication Tag List', format: 'b' },
  '9F4C': { name: 'ICC Dynamic Number', format: 'b' },
  '9F4D': { name: 'Log Entry', format: 'b' },
  '9F53': { name: 'Transaction Category Code', format: 'an' },
  '9F5D': { name: 'Available Offline Spending Amount', format: 'b' },
  '9F6B': { name: 'Track 2 Data (contactless)', format: 'b', sensitive: S },
  '9F6E': { name: 'Form Factor Indicator / Third Party Data', format: 'b' },
  A5: { name: 'File Control Information (FCI) Proprietary Template', format: 'template' },
  BF0C: { name: 'File Control Information (FCI) Issuer Discretionary Data', format: 'template' },
};

export function tagInfo(tag: string): TagInfo | undefined {
  const t = tag.toUpperCase();
  return Object.prototype.hasOwnProperty.call(TAG_DICTIONARY, t) ? TAG_DICTIONARY[t] : undefined;
}

export function isSensitiveTag(tag: string): boolean {
  return tagInfo(tag)?.sensitive === true;
}
