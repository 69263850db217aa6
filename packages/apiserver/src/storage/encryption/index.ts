// Secrets encrypted at rest (ADR 0020).
export { EncryptingStorage, ENCRYPTED_RESOURCES, SEALED_FIELD } from './encrypting-storage.ts';
export { Keyring, ENCRYPTION_PREFIX, loadOrCreateKeyFile, parseKeyFile, renderKeyFile, newKey, writeKeyFile, sealedKeyName, type EncryptionKey } from './keyring.ts';
export { rotateEncryptionKey, type RotationResult } from './rotate.ts';
/** Where `skiff server` keeps the keys (under its data dir): beside the PKI, so copying `pki/` to another server of the same etcd shares them too. */
export { ENCRYPTION_KEY_FILE, rotateDatastoreKey } from './rotate-datastore.ts';
