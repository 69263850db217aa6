// The real kubectl 1.32 against discovery, OpenAPI and Tables, served by a fastify app holding only
// these routes plus minimal in-memory stubs for pods, deployments and services.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { resourceByPlural } from '@skiff/api';
import type { KubeObject } from '@skiff/api';
import { registerOpenApiRoutes } from '../openapi/index.ts';
import { tableAccept, toTable } from '../tables/index.ts';
import { registerDiscoveryRoutes } from './index.ts';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';

interface Seen {
  method: string;
  url: string;
  contentType?: string;
  body?: unknown;
}

let app: FastifyInstance;
let server: string;
let tmp: string;
const seen: Seen[] = [];
const store = new Map<string, KubeObject>();
const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();

const pods: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', uid: 'p1', resourceVersion: '7', labels: { app: 'web' }, creationTimestamp: hoursAgo(3) },
    spec: { nodeName: 'node-a', containers: [{ name: 'web', image: 'nginx:1.27' }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.5',
      podIPs: [{ ip: '10.0.0.5' }],
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, state: { running: { startedAt: hoursAgo(3) } } }],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-2', namespace: 'default', uid: 'p2', resourceVersion: '8', creationTimestamp: hoursAgo(3) },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
    status: { phase: 'Pending' },
  },
];

function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(KUBECTL, ['--server', server, '--cache-dir', join(tmp, 'cache'), ...args], { env: { ...process.env, KUBECONFIG: join(tmp, 'none') } });
}

function notFound(name: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `"${name}" not found`, reason: 'NotFound', code: 404 };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'skiff-kubectl-'));
  app = Fastify();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body ? JSON.parse(body as string) : undefined);
    } catch (err) {
      done(err as Error);
    }
  });
  app.addHook('preHandler', async (req) => {
    seen.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body: req.body });
  });
  registerDiscoveryRoutes(app);
  registerOpenApiRoutes(app);

  app.get('/api/v1/namespaces/:ns/pods', (req, reply) => {
    if (tableAccept(req.headers.accept)) return toTable(resourceByPlural('', 'pods')!, pods, { resourceVersion: '9' });
    return reply.send({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '9' }, items: pods });
  });
  for (const [group, plural, base] of [
    ['apps', 'deployments', '/apis/apps/v1/namespaces/:ns/deployments'],
    ['', 'services', '/api/v1/namespaces/:ns/services'],
  ] as const) {
    const info = resourceByPlural(group, plural)!;
    app.get(base, (req) => toTable(info, [...store.values()].filter((o) => o.kind === info.kind), { resourceVersion: '10' }));
    app.get<{ Params: { name: string } }>(`${base}/:name`, (req, reply) => {
      const obj = store.get(`${plural}/${req.params.name}`);
      return obj ? reply.send(obj) : reply.code(404).send(notFound(req.params.name));
    });
    app.post(base, (req, reply) => {
      const obj = req.body as KubeObject;
      obj.metadata = { ...obj.metadata, namespace: 'default', uid: `${plural}-uid`, resourceVersion: '1', creationTimestamp: hoursAgo(1) };
      store.set(`${plural}/${obj.metadata.name}`, obj);
      return reply.code(201).send(obj);
    });
    app.patch<{ Params: { name: string } }>(`${base}/:name`, (req) => store.get(`${plural}/${req.params.name}`));
  }

  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  server = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  await app.close();
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
    expect(stdout.trim().split('\n')).toEqual(['apps/v1', 'batch/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'policy/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1', 'v1']);
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
    const posts = seen.filter((s) => s.method === 'POST');
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

// Uses the deployment and service created by the apply test above.
describe('kubectl 1.32 printing server-side Tables', () => {
  it('gets pods', async () => {
    const { stdout } = await kubectl('get', 'pods');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines[1]).toMatch(/^web-1\s+1\/1\s+Running\s+0\s+3h$/);
    expect(lines[2]).toMatch(/^web-2\s+0\/1\s+Pending\s+0\s+3h$/);
  });

  it('gets pods -o wide and --show-labels (from PartialObjectMetadata)', async () => {
    const wide = (await kubectl('get', 'pods', '-o', 'wide')).stdout.trim().split('\n');
    expect(wide[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(wide[1]).toMatch(/^web-1\s+1\/1\s+Running\s+0\s+3h\s+10\.0\.0\.5\s+node-a\s+<none>\s+<none>$/);
    const labels = (await kubectl('get', 'pods', '--show-labels')).stdout;
    expect(labels).toMatch(/web-1\s.*app=web$/m);
  });

  it('gets deployments and services', async () => {
    const deploy = (await kubectl('get', 'deploy', '-o', 'wide')).stdout.trim().split('\n');
    expect(deploy[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(deploy[1]).toMatch(/^web\s+0\/2\s+0\s+0\s+60m\s+web\s+nginx:1\.27\s+app=web$/);
    const svc = (await kubectl('get', 'svc')).stdout.trim().split('\n');
    expect(svc[0]).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(svc[1]).toMatch(/^web\s+ClusterIP\s+<none>\s+<none>\s+80\/TCP\s+60m$/);
  });
});
