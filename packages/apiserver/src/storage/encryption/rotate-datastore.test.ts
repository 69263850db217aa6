// `skiff secrets rotate-key` on a SQLite data directory: refused while a server holds the
// database, and after the server stops, every Secret is re-sealed with a new key that the next
// server start reads them with.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../app.ts';
import { ENCRYPTION_KEY_FILE, rotateDatastoreKey } from './rotate-datastore.ts';
import { parseKeyFile } from './keyring.ts';

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, stringData: { password: 'p4ss-rotate-test' } };

test('refused while a server runs; afterwards re-seals, retires key1, and the next start reads the Secret', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-rotate-'));
  const encryptionKeyFile = join(dataDir, ENCRYPTION_KEY_FILE);
  try {
    let app = await buildApp({ dataDir, encryptionKeyFile });
    const created = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/secrets', payload: secret });
    expect(created.statusCode).toBe(201);
    await expect(rotateDatastoreKey({ dataDir })).rejects.toThrow(/already open in this process|in use by process/);
    expect(parseKeyFile(readFileSync(encryptionKeyFile, 'utf8')).map((k) => k.name)).toEqual(['key1']);
    await app.close();

    const r = await rotateDatastoreKey({ dataDir });
    expect(r).toMatchObject({ key: 'key2', retired: ['key1'], resealed: 1, keyFile: encryptionKeyFile });
    expect(parseKeyFile(readFileSync(encryptionKeyFile, 'utf8')).map((k) => k.name)).toEqual(['key2']);

    app = await buildApp({ dataDir, encryptionKeyFile });
    const got = await app.inject({ method: 'GET', url: '/api/v1/namespaces/default/secrets/db' });
    expect(got.statusCode).toBe(200);
    expect(Buffer.from(JSON.parse(got.body).data.password, 'base64').toString()).toBe('p4ss-rotate-test');
    await app.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
