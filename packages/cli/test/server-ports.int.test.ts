// Two `skiff server`s on one machine (issue 13 §1): with --port 0 every endpoint gets a free port;
// with fixed API ports, the second server's scheduler does not die on the Kubernetes port 10259
// the first one holds. Uses the fixed port 10259: run under the docker lock like the other CLI tests.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get as httpsGet, request as httpsRequest } from 'node:https';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { freePorts, until } from '@skiff/apiserver/testing';
import { listeningUrl, SKIFF, useSkiffServers } from './support/skiff-server.ts';

const servers = useSkiffServers('skiff-ports-');

interface Started {
  api: string;
  explain: string;
  output: string;
  /** PEM of the server's cluster CA. */
  ca: string;
  /** The server's data directory (pki/, admin.kubeconfig). */
  data: string;
}

/** Starts `skiff server` and resolves once the scheduler reports its endpoint (rejects if it exits first). */
async function startServer(args: string[]): Promise<Started> {
  const dir = servers.tempDir();
  const { ready, output } = await servers.start(dir, ['--no-controllers', ...args], (out) => {
    const api = listeningUrl(out);
    const explain = /explain: (http:\/\/[^)\s]+)\)/.exec(out)?.[1];
    return api && explain ? { api, explain } : undefined;
  });
  return { ...ready, output, ca: readFileSync(join(dir, 'data', 'pki', 'ca.crt'), 'utf8'), data: join(dir, 'data') };
}

const portOf = (url: string) => Number(new URL(url).port);

/** A request to the server as its admin (the client certificate skiff server made in DATA/pki). */
function asAdmin(s: Started, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const pki = (f: string) => readFileSync(join(s.data, 'pki', f), 'utf8');
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${s.api}${path}`, { method: body ? 'POST' : 'GET', ca: s.ca, cert: pki('admin.crt'), key: pki('admin.key'), headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/** GET /readyz over HTTPS, trusting the server's cluster CA (a public path: no credentials needed). */
function readyz(s: Started): Promise<boolean> {
  return new Promise((resolve, reject) => {
    httpsGet(`${s.api}/readyz`, { ca: s.ca }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on('error', reject);
  });
}

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)));
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

test('two servers with --port 0: every endpoint on a free port of its own, both serving', async () => {
  const [a, b] = await Promise.all([startServer(['--port', '0']), startServer(['--port', '0'])]);
  const ports = [a.api, a.explain, b.api, b.explain].map(portOf);
  expect(new Set(ports).size).toBe(4);
  expect(ports).not.toContain(10259);
  for (const s of [a, b]) {
    expect((await fetch(`${s.explain}/healthz`)).status).toBe(200);
    expect((await readyz(s))).toBe(true);
  }
}, 60_000);

test('fixed API ports: the scheduler of a second server takes a free port when 10259 is held', async () => {
  // Whoever holds 10259 (another skiff server, or this test standing in for one).
  const holder = await listenOn(10259);
  try {
    const s = await startServer(['--port', String((await freePorts(1))[0])]);
    expect(portOf(s.explain)).not.toBe(10259);
    expect(s.output).toContain('port 10259 of the scheduler endpoint is in use');
    expect((await readyz(s))).toBe(true);

    // `skiff explain` without --scheduler finds the fallback port on the leader's Lease.
    const post = await asAdmin(s, '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lonely' }, spec: { containers: [{ name: 'c', image: 'skiff/busybox:1' }] } });
    expect(post.status).toBe(201);
    await until('the scheduler tried the pod and the Lease advertises its endpoint', async () => {
      const pod = (await asAdmin(s, '/api/v1/namespaces/default/pods/lonely')).json as { status?: { conditions?: { type: string; status: string }[] } };
      const lease = (await asAdmin(s, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/skiff-scheduler')).json as { metadata?: { annotations?: Record<string, string> } };
      return pod.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') && lease.metadata?.annotations?.['skiff.dev/scheduler-endpoint'] === s.explain;
    }, { timeoutMs: 20_000 });
    const env: NodeJS.ProcessEnv = { ...process.env, SKIFF_HOME: servers.tempDir(), KUBECONFIG: join(s.data, 'admin.kubeconfig') };
    delete env.SKIFF_SCHEDULER;
    const explained = spawnSync(SKIFF, ['explain', 'pod/lonely'], { env, encoding: 'utf8' });
    expect(explained.stderr).toBe('');
    expect(explained.stdout).toContain('lonely');
    expect(explained.status).toBe(0);
  } finally {
    holder?.close();
  }
}, 60_000);

test('an explicit --scheduler-port that is taken is a clear error', async () => {
  const taken = (await listenOn(0))!;
  try {
    const port = (taken.address() as { port: number }).port;
    await expect(startServer(['--port', '0', '--scheduler-port', String(port)])).rejects.toThrow(new RegExp(`scheduler endpoint port ${port} is already in use`));
  } finally {
    taken.close();
  }
}, 60_000);
