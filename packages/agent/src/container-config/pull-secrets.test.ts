import type { KubeObject } from '@skiff/api';
import { parseImageRegistry, selectPullCredentials } from './pull-secrets.ts';

const dockerconfig = (name: string, auths: Record<string, { username?: string; password?: string; auth?: string }>) =>
  ({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name }, data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') } }) as unknown as KubeObject;

test('an image reference names its registry and repository path', () => {
  expect(parseImageRegistry('nginx')).toEqual({ host: 'index.docker.io', path: 'library/nginx' });
  expect(parseImageRegistry('team/app:1.2')).toEqual({ host: 'index.docker.io', path: 'team/app' });
  expect(parseImageRegistry('registry.example.com:5000/team/app@sha256:abc')).toEqual({ host: 'registry.example.com:5000', path: 'team/app' });
  expect(parseImageRegistry('localhost/app:latest')).toEqual({ host: 'localhost', path: 'app' });
});

test('the matching credentials, most specific path first; other registries and other secret types are ignored', () => {
  const a = dockerconfig('a', {
    'registry.example.com': { username: 'host', password: 'p1' },
    'registry.example.com/team': { auth: Buffer.from('team:p2').toString('base64') },
    'other.example.com': { username: 'x', password: 'y' },
  });
  const b = dockerconfig('b', { 'https://registry.example.com/team/app': { username: 'app', password: 'p3' } });
  const opaque = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'o' }, data: { '.dockerconfigjson': (a as unknown as { data: Record<string, string> }).data['.dockerconfigjson'] } } as unknown as KubeObject;
  expect(selectPullCredentials('registry.example.com/team/app:1', [a, b, opaque]).map((c) => [c.username, c.password, c.serveraddress])).toEqual([
    ['app', 'p3', 'https://registry.example.com/team/app'],
    ['team', 'p2', 'registry.example.com/team'],
    ['host', 'p1', 'registry.example.com'],
  ]);
  expect(selectPullCredentials('registry.example.com/teammate/app', [a]).map((c) => c.username)).toEqual(['host']);
  expect(selectPullCredentials('nginx', [a])).toEqual([]);
  const hub = dockerconfig('hub', { 'https://index.docker.io/v1/': { username: 'me', password: 'pw' } });
  expect(selectPullCredentials('team/app', [hub])).toEqual([{ username: 'me', password: 'pw', serveraddress: 'https://index.docker.io/v1/' }]);
  expect(selectPullCredentials('docker.io/library/busybox', [hub]).map((c) => c.username)).toEqual(['me']);
});
