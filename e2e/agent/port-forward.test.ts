// kubectl port-forward with the real kubectl 1.32 against a real cluster on Docker: kubectl opens
// a WebSocket tunnelling SPDY (SPDY/3.1+portforward.k8s.io) through the API server to the agent,
// and with KUBECTL_PORT_FORWARD_WEBSOCKETS=false a plain SPDY/3.1 upgrade; both forward local
// connections to the pod's port.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { KubeObject } from '@skiff/api';
import { getPod, isReady, podManifest, PODS, startCluster, until, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-pf-1', ip: '127.0.15.1' }];
let cluster: TestCluster;

// A web server in the pod with a small page and a 1 MiB file (more than any SPDY window, so a
// transfer that needed flow control would stall).
const SERVE = 'mkdir -p /www && echo hello-from-pod > /www/index.html && head -c 1048576 /dev/urandom > /www/big && sha256sum /www/big | cut -d" " -f1 > /www/big.sha && exec httpd -f -p 8080 -h /www';

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES });
  await cluster.client.create(PODS, podManifest('web', NS, { command: ['sh', '-c', SERVE], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }, { terminationGracePeriodSeconds: 0 }) as KubeObject, {});
  await until('web ready', async () => isReady(await getPod(cluster.client, NS, 'web')), { timeoutMs: 30_000 });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
}, 60_000);

function get(port: number, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} through the forwarded port timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function forwarding(env: NodeJS.ProcessEnv, body: (port: number) => Promise<void>): Promise<string> {
  const pf = cluster.kubectl.spawn(['port-forward', 'pod/web', ':8080'], env);
  try {
    await pf.waitFor(/Forwarding from 127\.0\.0\.1:\d+ -> 8080/);
    const port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf.output())![1]);
    await body(port);
    return pf.output();
  } finally {
    pf.child.kill('SIGINT');
    await new Promise((r) => (pf.child.exitCode !== null ? r(undefined) : pf.child.once('exit', r)));
  }
}

async function checkForwarding(port: number): Promise<void> {
  const page = await get(port, '/index.html');
  expect(page.status).toBe(200);
  expect(page.body.toString()).toBe('hello-from-pod\n');
  // Several connections, one after another and at once: each is its own pair of streams.
  const [big, sha] = await Promise.all([get(port, '/big'), get(port, '/big.sha')]);
  expect(big.body.length).toBe(1048576);
  expect(createHash('sha256').update(big.body).digest('hex')).toBe(sha.body.toString().trim());
  expect((await get(port, '/index.html')).body.toString()).toBe('hello-from-pod\n');
}

describe('kubectl port-forward', () => {
  test('over a WebSocket tunnelling SPDY (kubectl 1.32 default)', async () => {
    const out = await forwarding({}, checkForwarding);
    expect(out).toContain('Handling connection for');
    expect(out).not.toMatch(/error|fail/i);
  }, 60_000);

  test('over SPDY/3.1 (the fallback, forced)', async () => {
    const out = await forwarding({ KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, checkForwarding);
    expect(out).not.toMatch(/error|fail/i);
  }, 60_000);

  test('a port nothing listens on: the connection is closed and kubectl reports the error', async () => {
    const pf = cluster.kubectl.spawn(['port-forward', 'pod/web', ':9999']);
    try {
      await pf.waitFor(/Forwarding from 127\.0\.0\.1:\d+ -> 9999/);
      const port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf.output())![1]);
      await expect(get(port, '/')).rejects.toThrow();
      await pf.waitFor(/error forwarding port 9999 to pod default\/web/);
    } finally {
      pf.child.kill('SIGINT');
    }
  }, 60_000);

  test('a pod that does not exist is an error from the server', async () => {
    const r = await cluster.kubectl.run(['port-forward', 'pod/nope', ':8080']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pods "nope" not found');
  });
});
