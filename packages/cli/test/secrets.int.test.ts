// `skiff secrets rotate-key` through the real CLI on a server's data directory: the key file gains
// a new key and loses the old one; refused while the database is in use.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));

test('rotate-key makes key2 the only key; a database held by a live process is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-rotate-cli-'));
  try {
    const first = await run(SKIFF, ['secrets', 'rotate-key', '--data-dir', dir], { timeout: 30_000 });
    expect(first.stdout).toMatch(/secrets now encrypted with key2: 0 re-encrypted, retired key1/);
    const file = join(dir, 'pki', 'secrets-encryption.json');
    expect((JSON.parse(readFileSync(file, 'utf8')) as { keys: { name: string }[] }).keys.map((k) => k.name)).toEqual(['key2']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The database's lock names a live process (this one): the rotation must not run beside it.
    writeFileSync(join(dir, 'skiff.db.lock'), String(process.pid));
    await expect(run(SKIFF, ['secrets', 'rotate-key', '--data-dir', dir], { timeout: 30_000 })).rejects.toMatchObject({ stderr: expect.stringMatching(/is in use by process \d+/) });
    expect((JSON.parse(readFileSync(file, 'utf8')) as { keys: { name: string }[] }).keys.map((k) => k.name)).toEqual(['key2']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
