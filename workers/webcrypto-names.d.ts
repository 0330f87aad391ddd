// The core (shared/) is typed with the DOM lib's names for WebCrypto dictionaries; workers-types
// names the same dictionaries differently. These aliases let the Worker typecheck compile the core
// against the workers runtime's own types, without the DOM lib (whose globals clash with them).
type AlgorithmIdentifier = string | SubtleCryptoSignAndVerifyAlgorithm;
type RsaPssParams = SubtleCryptoSignAndVerifyAlgorithm & { saltLength: number };
type EcdsaParams = SubtleCryptoSignAndVerifyAlgorithm & { hash: string | SubtleCryptoHashAlgorithm };
type HmacImportParams = SubtleCryptoImportKeyAlgorithm;
type RsaHashedKeyAlgorithm = CryptoKeyRsaKeyAlgorithm;
