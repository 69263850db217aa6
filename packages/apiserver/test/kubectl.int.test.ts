// The real kubectl 1.32 against the server for what only kubectl sends: the protobuf bodies of
// `kubectl create namespace|deployment|service`, scale without a Content-Type, and exec/log errors.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, startServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

let server: TestServer;
let home: string;
beforeAll(async () => {
  server = await startServer();
  home = mkdtempSync(join(tmpdir(), 'skiff-kubectl-'));
  writeFileSync(join(home, 'config'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
});
afterAll(() => server.close());

function kubectl(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      '/usr/bin/kubectl',
      ['--server', server.url, '--cache-dir', join(home, 'cache'), ...args],
      { env: { ...process.env, KUBECONFIG: join(home, 'config'), HOME: home }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code) || 1 : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

test('kubectl create namespace / deployment / service (protobuf bodies)', async () => {
  expect((await kubectl(['create', 'namespace', 'made'])).stdout).toContain('namespace/made created');
  const d = await kubectl(['create', 'deployment', 'web', '-n', 'made', '--image=skiff/busybox:1', '--replicas=2', '--port=80']);
  expect(d.stderr).toBe('');
  expect(d.stdout).toContain('deployment.apps/web created');
  const s = await kubectl(['create', 'service', 'clusterip', 'web', '-n', 'made', '--tcp=80:8080']);
  expect(s.stdout).toContain('service/web created');
  const api = client(server.url);
  const dep = (await api('GET', '/apis/apps/v1/namespaces/made/deployments/web')).body;
  expect(dep.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: 'web' } } });
  expect(dep.spec.template.spec.containers[0]).toMatchObject({ name: 'busybox', image: 'skiff/busybox:1', ports: [{ containerPort: 80, protocol: 'TCP' }] });
  const svc = (await api('GET', '/api/v1/namespaces/made/services/web')).body;
  expect(svc.spec.ports[0]).toMatchObject({ name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' });
  expect(svc.spec.selector).toEqual({ app: 'web' });
});

test('scale with --current-replicas (PUT without Content-Type) and its precondition', async () => {
  expect((await kubectl(['scale', 'deployment', 'web', '-n', 'made', '--current-replicas=2', '--replicas=3'])).stdout).toContain('scaled');
  const stale = await kubectl(['scale', 'deployment', 'web', '-n', 'made', '--current-replicas=1', '--replicas=4']);
  expect(stale.code).not.toBe(0);
});

test('kubectl prints Status errors as Kubernetes does', async () => {
  const nf = await kubectl(['get', 'pod', 'nope']);
  expect(nf.stderr).toContain('Error from server (NotFound): pods "nope" not found');
  const forbidden = await kubectl(['delete', 'namespace', 'default']);
  expect(forbidden.stderr).toContain('Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted');
});
