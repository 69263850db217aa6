// The real kubectl 1.32 against discovery, OpenAPI and Tables, served by the real API server
// (startTestServer: buildApp on port 0 with SQLite in a temp dir). What kubectl sent is read from
// kubectl's own request log (-v=8: method, URL, request headers and bodies).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../testing/index.ts';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';

/** One request as kubectl logged it. */
interface Seen {
  method: string;
  /** Path and query. */
  url: string;
  contentType?: string;
  body?: unknown;
}

let server: TestServer;
let tmp: string;
const seen: Seen[] = [];

/**
 * Reads kubectl's -v=8 log: `"Request Body" body="..."` comes before the `METHOD URL` line of
 * its request, and the request's own headers are logged from round_trippers.go:480.
 */
function requestsIn(log: string): Seen[] {
  const out: Seen[] = [];
  let body: unknown;
  for (const line of log.split('\n')) {
    const b = /"Request Body" body="((?:[^"\\]|\\.)*)"$/.exec(line);
    if (b) {
      const text = JSON.parse(`"${b[1]}"`) as string;
      body = text ? JSON.parse(text) : undefined;
      continue;
    }
    const r = /round_trippers\.go:\d+\] (GET|POST|PUT|PATCH|DELETE) (https?:\/\/[^/\s]+)(\S*)$/.exec(line);
    if (r) {
      out.push({ method: r[1], url: r[3], body });
      body = undefined;
      continue;
    }
    const h = /round_trippers\.go:480\]\s+Content-Type: (.*)$/.exec(line);
    if (h && out.length) out[out.length - 1].contentType = h[1];
  }
  return out;
}

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const r = await run(KUBECTL, ['--server', server.url, '--cache-dir', join(tmp, 'cache'), '-v=8', ...args], {
    env: { ...process.env, KUBECONFIG: join(tmp, 'none') },
    maxBuffer: 64 * 1024 * 1024,
  });
  seen.push(...requestsIn(r.stderr));
  return r;
}

async function api(method: string, path: string, body: unknown): Promise<void> {
  const type = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  const r = await fetch(server.url + path, { method, headers: { 'content-type': type }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'skiff-kubectl-'));
  server = await startTestServer();
  // web-1 runs on node-a (its status written as the agent would); web-2 is pending.
  const container = { name: 'web', image: 'nginx:1.27' };
  await api('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', labels: { app: 'web' } }, spec: { nodeName: 'node-a', containers: [container] } });
  await api('PATCH', '/api/v1/namespaces/default/pods/web-1/status', {
    status: {
      phase: 'Running',
      podIP: '10.0.0.5',
      podIPs: [{ ip: '10.0.0.5' }],
      containerStatuses: [{ name: 'web', image: 'nginx:1.27', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } } }],
    },
  });
  await api('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-2' }, spec: { containers: [container] } });
});

afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('kubectl 1.32 against discovery', () => {
  it('lists api-resources from aggregated discovery', async () => {
    const { stdout } = await kubectl('api-resources');
    expect(stdout).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(stdout).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(stdout).toMatch(/^nodes\s+no\s+v1\s+false\s+Node$/m);
    expect(stdout).toMatch(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
    expect(seen.find((s) => s.url.startsWith('/apis?'))).toBeDefined();
    expect(seen.some((s) => s.url.startsWith('/apis/apps/v1'))).toBe(false);
  });

  it('lists api-versions', async () => {
    const { stdout } = await kubectl('api-versions');
    expect(stdout.trim().split('\n')).toEqual(['apps/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'batch/v1', 'certificates.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'networking.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1', 'v1']);
  });
});

describe('kubectl 1.32 against OpenAPI v3', () => {
  it('explains deployment.spec.replicas', async () => {
    const { stdout } = await kubectl('explain', 'deployment.spec.replicas');
    expect(stdout).toMatch(/GROUP:\s+apps/);
    expect(stdout).toMatch(/KIND:\s+Deployment/);
    expect(stdout).toContain('FIELD: replicas <integer>');
    expect(stdout).toContain('Number of desired pods.');
  });

  it('explains pods.spec.containers', async () => {
    const { stdout } = await kubectl('explain', 'pods.spec.containers');
    expect(stdout).toContain('FIELD: containers <[]Container>');
    expect(stdout).toMatch(/name\s+<string> -required-/);
    expect(stdout).toMatch(/ports\s+<\[\]ContainerPort>/);
  });

  it('applies a Deployment and a Service with default validation, then patches strategically', async () => {
    const file = join(tmp, 'app.yaml');
    const manifest = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
`;
    writeFileSync(file, manifest(2, 'nginx:1.27'));
    const created = await kubectl('apply', '-f', file);
    expect(created.stdout).toBe('deployment.apps/web created\nservice/web created\n');
    const posts = seen.filter((s) => s.method === 'POST' && !s.url.includes('/pods'));
    expect(posts.map((p) => p.url)).toEqual([
      '/apis/apps/v1/namespaces/default/deployments?fieldManager=kubectl-client-side-apply&fieldValidation=Strict',
      '/api/v1/namespaces/default/services?fieldManager=kubectl-client-side-apply&fieldValidation=Strict',
    ]);

    writeFileSync(file, manifest(3, 'nginx:1.28'));
    const updated = await kubectl('apply', '-f', file);
    expect(updated.stdout).toContain('deployment.apps/web configured');
    const patch = seen.find((s) => s.method === 'PATCH')!;
    expect(patch.url).toContain('fieldValidation=Strict');
    expect(patch.contentType).toBe('application/strategic-merge-patch+json');
    expect((patch.body as any).spec.replicas).toBe(3);
    expect((patch.body as any).spec.template.spec['$setElementOrder/containers']).toEqual([{ name: 'web' }]);
    expect((patch.body as any).spec.template.spec.containers).toEqual([{ image: 'nginx:1.28', name: 'web' }]);
  });
});

// Uses the deployment and service created (and patched to 3 replicas of nginx:1.28) by the apply test above.
describe('kubectl 1.32 printing server-side Tables', () => {
  it('gets pods', async () => {
    const { stdout } = await kubectl('get', 'pods');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines[1]).toMatch(/^web-1\s+1\/1\s+Running\s+0\s+\d+s$/);
    expect(lines[2]).toMatch(/^web-2\s+0\/1\s+Pending\s+0\s+\d+s$/);
  });

  it('gets pods -o wide and --show-labels (from PartialObjectMetadata)', async () => {
    const wide = (await kubectl('get', 'pods', '-o', 'wide')).stdout.trim().split('\n');
    expect(wide[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(wide[1]).toMatch(/^web-1\s+1\/1\s+Running\s+0\s+\d+s\s+10\.0\.0\.5\s+node-a\s+<none>\s+<none>$/);
    const labels = (await kubectl('get', 'pods', '--show-labels')).stdout;
    expect(labels).toMatch(/web-1\s.*app=web$/m);
  });

  it('gets deployments and services', async () => {
    const deploy = (await kubectl('get', 'deploy', '-o', 'wide')).stdout.trim().split('\n');
    expect(deploy[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(deploy[1]).toMatch(/^web\s+0\/3\s+0\s+0\s+\d+s\s+web\s+nginx:1\.28\s+app=web$/);
    const svc = (await kubectl('get', 'svc')).stdout.trim().split('\n');
    expect(svc[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(svc[1]).toMatch(/^web\s+ClusterIP\s+10\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/);
  });
});
