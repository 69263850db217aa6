// The real kubectl 1.32 against the server for what only kubectl sends: the protobuf bodies of
// `kubectl create namespace|deployment|service`, scale without a Content-Type, and exec/log errors.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client } from './support/server.ts';
import { startTestServer } from '../src/testing/index.ts';
import type { TestServer } from './support/server.ts';

let server: TestServer;
let home: string;
let agent: Server;
beforeAll(async () => {
  // A stand-in node agent: exec answers on the channel protocol (stdout on 1, status on 3);
  // `sh -c "exit N"` fails with N the way the real agent reports it.
  agent = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('log line\n');
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : p.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  agent.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      const cmd = new URL(req.url!, 'http://a').searchParams.getAll('command');
      const exit = cmd[0] === 'sh' ? Number(/exit (\d+)/.exec(cmd.join(' '))?.[1] ?? 0) : 0;
      if (exit === 0) ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`${cmd.slice(1).join(' ')}\n`)]));
      const status = exit === 0
        ? { metadata: {}, status: 'Success' }
        : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: ${exit}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(exit) }] } };
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
      ws.close(1000);
    }),
  );
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', () => r()));
  server = await startTestServer();
  home = mkdtempSync(join(tmpdir(), 'skiff-kubectl-'));
  writeFileSync(join(home, 'config'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
});
afterAll(async () => {
  await server.close();
  await new Promise((r) => agent.close(r));
  rmSync(home, { recursive: true, force: true });
});

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

test('kubectl logs and exec reach the node agent through the API server', async () => {
  const api = client(server.url);
  const port = (agent.address() as { port: number }).port;
  await api('POST', '/api/v1/nodes', {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'kn1' },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  });
  await api('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shell' }, spec: { nodeName: 'kn1', containers: [{ name: 'main', image: 'skiff/busybox:1' }] },
  });
  const logs = await kubectl(['logs', 'shell']);
  expect(logs.stdout).toBe('log line\n');
  const hi = await kubectl(['exec', 'shell', '--', 'echo', 'hi']);
  expect(hi.stderr).toBe('');
  expect(hi.stdout).toBe('hi\n');
  expect(hi.code).toBe(0);
  const failed = await kubectl(['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
  expect(failed.code).toBe(3);
});
