import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig } from './kubeconfig.ts';

describe('loadKubeconfig', () => {
  test('SKIFF_SERVER wins', () => {
    expect(loadKubeconfig('/nonexistent', { SKIFF_SERVER: 'http://127.0.0.1:1', SKIFF_TOKEN: 't' })).toEqual({ server: 'http://127.0.0.1:1', token: 't' });
  });

  test('a JSON kubeconfig: current context, cluster and token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
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

  test('YAML is refused with a hint', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kc-')), 'config');
    writeFileSync(file, 'apiVersion: v1\nkind: Config\n');
    expect(() => loadKubeconfig(file, {})).toThrow(/SKIFF_SERVER/);
  });
});
