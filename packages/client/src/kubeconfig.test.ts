import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig } from './kubeconfig.ts';

/** The file's kubeconfigs live in one temp dir, removed when the file is done. */
const root = mkdtempSync(join(tmpdir(), 'kc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tempDir = () => mkdtempSync(join(root, 'c-'));

describe('loadKubeconfig', () => {
  test('SKIFF_SERVER wins', () => {
    expect(loadKubeconfig('/nonexistent', { SKIFF_SERVER: 'http://127.0.0.1:1', SKIFF_TOKEN: 't' })).toEqual({ server: 'http://127.0.0.1:1', token: 't' });
  });

  test('a JSON kubeconfig: current context, cluster and token', () => {
    const dir = tempDir();
    const file = join(dir, 'config');
    writeFileSync(file, JSON.stringify({
      'current-context': 'skiff',
      contexts: [{ name: 'other', context: { cluster: 'x' } }, { name: 'skiff', context: { cluster: 'local', user: 'admin' } }],
      clusters: [{ name: 'local', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('PEM').toString('base64') } }],
      users: [{ name: 'admin', user: { token: 'secret' } }],
    }));
    const opts = loadKubeconfig(file, {});
    expect(opts).toMatchObject({ server: 'https://127.0.0.1:6443', token: 'secret' });
    expect(opts.ca?.toString()).toBe('PEM');
  });

  test('a cluster listing several servers (skiff.dev/servers) gives them all, for failover; a malformed list is ignored', () => {
    const write = (extension: unknown) => {
      const file = join(tempDir(), 'config');
      writeFileSync(file, JSON.stringify({
        'current-context': 'c',
        contexts: [{ name: 'c', context: { cluster: 'k' } }],
        clusters: [{ name: 'k', cluster: { server: 'http://127.0.0.1:6444', extensions: [{ name: 'skiff.dev/servers', extension }] } }],
      }));
      return file;
    };
    expect(loadKubeconfig(write({ servers: ['http://10.0.0.1:6443', 'http://10.0.0.2:6443'] }), {}).server).toBe('http://10.0.0.1:6443,http://10.0.0.2:6443');
    expect(loadKubeconfig(write({ servers: 'http://10.0.0.1:6443' }), {}).server).toBe('http://127.0.0.1:6444');
    expect(loadKubeconfig(write({ servers: ['http://a:1,http://b:2'] }), {}).server).toBe('http://127.0.0.1:6444');
  });

  test('YAML is refused with a hint', () => {
    const file = join(tempDir(), 'config');
    writeFileSync(file, 'apiVersion: v1\nkind: Config\n');
    expect(() => loadKubeconfig(file, {})).toThrow(/SKIFF_SERVER/);
  });
});
