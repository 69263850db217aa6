import { Keyring, loadOrCreateKeyFile, newKey, parseKeyFile, renderKeyFile, sealedKeyName } from './keyring.ts';

test('seals with the first key, opens with any listed key, refuses an unknown key or another object\'s value', () => {
  const k1 = newKey();
  const k2 = newKey([k1]);
  expect([k1.name, k2.name]).toEqual(['key1', 'key2']);
  const old = new Keyring([k1]);
  const sealed = old.seal('{"a":1}', 'secrets/ns/a');
  expect(sealed.startsWith('k8s:enc:aesgcm:v1:key1:')).toBe(true);
  expect(sealedKeyName(sealed)).toBe('key1');
  expect(old.seal('{"a":1}', 'secrets/ns/a')).not.toBe(sealed); // a fresh nonce each time
  const both = new Keyring([k2, k1]);
  expect(both.open(sealed, 'secrets/ns/a')).toBe('{"a":1}');
  expect(sealedKeyName(both.seal('x', 'k'))).toBe('key2');
  expect(() => new Keyring([k2]).open(sealed, 'secrets/ns/a')).toThrow(/key "key1", which the encryption key file does not list/);
  expect(() => both.open(sealed, 'secrets/ns/b')).toThrow(/does not open/);
});

test('the key file round-trips; a malformed one is refused without printing a key', () => {
  const first = newKey();
  const keys = [newKey([first]), first];
  expect(parseKeyFile(renderKeyFile(keys))).toEqual(keys);
  expect(() => parseKeyFile('{')).toThrow(/not JSON/);
  expect(() => parseKeyFile('{"keys":[]}')).toThrow(/non-empty/);
  expect(() => parseKeyFile('{"keys":[{"name":"Key","secret":""}]}')).toThrow(/DNS label/);
  const short = Buffer.alloc(16, 7).toString('base64');
  let message = '';
  try {
    parseKeyFile(JSON.stringify({ keys: [{ name: 'k', secret: short }] }));
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/must be 32 bytes/);
  expect(message).not.toContain(short);
});

test('the key file is made 0600 on first start; one others can read is loaded with a warning', async () => {
  const { mkdtempSync, rmSync, statSync, chmodSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'skiff-keys-'));
  try {
    const path = join(dir, 'pki', 'secrets-encryption.json');
    const warnings: string[] = [];
    const keys = loadOrCreateKeyFile(path, (m) => warnings.push(m));
    expect(keys.map((k) => k.name)).toEqual(['key1']);
    expect([statSync(path).mode & 0o777, statSync(join(dir, 'pki')).mode & 0o777]).toEqual([0o600, 0o700]);
    expect(warnings).toEqual([]);
    chmodSync(path, 0o644);
    expect(loadOrCreateKeyFile(path, (m) => warnings.push(m))).toEqual(keys);
    expect(warnings).toEqual([expect.stringMatching(/secrets-encryption\.json holds secrets but mode 0644 lets every user read/)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
