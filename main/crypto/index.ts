/** Payment cryptography and the encrypting PIN pad's key store: public API. */
export * from './errors';
export { encodePinBlock, decodePinBlock, panField64, panField128, type PinBlockFormat } from './pin-block';
export { encryptPin, decryptPin, encryptClearPinBlock, decryptToClearPinBlock, type PinBlockKey } from './pin-block-crypto';
export { tdesEcbEncrypt, tdesEcbDecrypt, desEcbEncrypt, aesEcbEncrypt, aesEcbDecrypt, sm4EcbEncrypt, sm4EcbDecrypt } from './block-cipher';
export * from './pin-verification';
export * from './dukpt-tdes';
export * from './dukpt-aes';
export { cmac } from './cmac';
export { isoMacAlg1, isoMacAlg3, padIso9797, retailMacKeys, type IsoPadding } from './mac-iso9797';
export { kcv, type KcvAlg } from './kcv';
export { hasOddParity, fixOddParity } from './parity';
export { combineComponents, type KeyComponent } from './key-components';
export { unwrapTr31, wrapTr31, type Tr31Header, type Tr31HeaderInput, type Tr31OptionalBlock } from './tr31';
export { KeyStore, type KeyInfo, type KeyStoreOptions } from './key-store';
export { KEY_USAGES, type KeyUsageCode, type KeyAlgorithm, type MacAlgorithm } from './key-usage';
