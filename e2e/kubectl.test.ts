// The real kubectl (v1.32) against a real skiff API server: everything a user types on day one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kubectl } from './support/kubectl.ts';
import { useKubectlServer } from './support/server.ts';

const fixtures = join(process.cwd(), 'e2e/fixtures');
const webYaml = readFileSync(join(fixtures, 'web.yaml'), 'utf8');
let kubectl: Kubectl;
useKubectlServer((k) => (kubectl = k));

const json = async (args: string[]) => JSON.parse(await kubectl.ok([...args, '-o', 'json']));

describe('apply', () => {
  test('creates a Deployment and a Service, then updates the image on a second apply', async () => {
    const first = await kubectl.ok(['apply', '-f', '-'], webYaml);
    expect(first).toContain('deployment.apps/web created');
    expect(first).toContain('service/web created');

    const created = await json(['get', 'deployment', 'web']);
    expect(created.spec.replicas).toBe(2);
    expect(created.spec.strategy.rollingUpdate).toEqual({ maxSurge: '25%', maxUnavailable: '25%' });
    expect(created.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBeDefined();

    const second = await kubectl.ok(['apply', '-f', '-'], webYaml.replace('skiff/busybox:1', 'skiff/busybox:2'));
    expect(second).toContain('deployment.apps/web configured');
    expect(second).toContain('service/web unchanged');
    const updated = await json(['get', 'deployment', 'web']);
    expect(updated.spec.template.spec.containers[0].image).toBe('skiff/busybox:2');
    expect(updated.metadata.generation).toBe(2);

    const svc = await json(['get', 'service', 'web']);
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, targetPort: 80, protocol: 'TCP' });
  });

  test('server-side apply creates and then updates', async () => {
    const cm = webYaml.split('---')[0].replace(/name: web\n/, 'name: ssa\n');
    expect(await kubectl.ok(['apply', '--server-side', '-f', '-'], cm)).toContain('deployment.apps/ssa serverside-applied');
    await kubectl.ok(['apply', '--server-side', '-f', '-'], cm.replace('replicas: 2', 'replicas: 3'));
    expect((await json(['get', 'deployment', 'ssa'])).spec.replicas).toBe(3);
  });
});

describe('get', () => {
  test('prints server-side Tables with kubectl columns', async () => {
    const out = await kubectl.ok(['get', 'deployments']);
    expect(out).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    expect(out).toMatch(/\nweb\s+0\/2\s+0\s+0\s+\d+s/);
    const svc = await kubectl.ok(['get', 'svc', 'web']);
    expect(svc).toMatch(/web\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP/);
  });

  test('-o wide adds the priority columns; -o yaml/json/name print the object', async () => {
    expect(await kubectl.ok(['get', 'deploy', '-o', 'wide'])).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR/);
    expect(await kubectl.ok(['get', 'deploy', 'web', '-o', 'yaml'])).toMatch(/kind: Deployment[\s\S]*replicas: 2/);
    expect(await kubectl.ok(['get', 'deploy', '-o', 'name'])).toContain('deployment.apps/web');
  });

  test('-l filters by label and -A lists every namespace', async () => {
    await kubectl.ok(['create', 'namespace', 'other']);
    await kubectl.ok(['apply', '-n', 'other', '-f', '-'], webYaml.split('---')[0].replace(/name: web\n  labels:\n    app: web/, 'name: api\n  labels:\n    app: api'));
    const labelled = await kubectl.ok(['get', 'deploy', '-A', '-l', 'app=api']);
    expect(labelled).toMatch(/^NAMESPACE\s+NAME/);
    expect(labelled).toMatch(/other\s+api/);
    expect(labelled).not.toMatch(/\bweb\b/);
  });

  test('a missing pod is a NotFound error', async () => {
    const r = await kubectl.run(['get', 'pod', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (NotFound): pods "nope" not found');
  });

  test('get -w sees changes as they happen', async () => {
    const w = kubectl.spawn(['get', 'pods', '-w']);
    try {
      // Whether the pod comes in kubectl's initial list or as a watch event, it is printed.
      await kubectl.ok(['apply', '-f', '-'], podYaml('watched'));
      await w.waitFor(/watched\s+0\/1\s+Pending/);
      // Each later change is one more line for the pod.
      await kubectl.ok(['label', 'pod', 'watched', 'seen=yes']);
      await w.waitFor(/(watched\s+0\/1\s+Pending[^\n]*\n[\s\S]*){2}/);
      await kubectl.ok(['delete', 'pod', 'watched', '--wait=false']);
      await w.waitFor(/(watched\s+0\/1\s+Pending[^\n]*\n[\s\S]*){3}/);
    } finally {
      w.child.kill();
    }
  });
});

describe('describe, scale and rollout', () => {
  test('describe shows the deployment with defaults filled in', async () => {
    const out = await kubectl.ok(['describe', 'deployment', 'web']);
    expect(out).toMatch(/Name:\s+web/);
    expect(out).toMatch(/Replicas:\s+2 desired/);
    expect(out).toMatch(/StrategyType:\s+RollingUpdate/);
    expect(out).toMatch(/RollingUpdateStrategy:\s+25% max unavailable, 25% max surge/);
    expect(out).toMatch(/Port:\s+80\/TCP/);
  });

  test('scale patches the scale subresource, and --current-replicas does GET then PUT', async () => {
    expect(await kubectl.ok(['scale', 'deployment', 'web', '--replicas=4'])).toContain('deployment.apps/web scaled');
    expect((await json(['get', 'deploy', 'web'])).spec.replicas).toBe(4);
    expect(await kubectl.ok(['scale', 'deployment', 'web', '--current-replicas=4', '--replicas=5'])).toContain('scaled');
    expect((await json(['get', 'deploy', 'web'])).spec.replicas).toBe(5);
    const stale = await kubectl.run(['scale', 'deployment', 'web', '--current-replicas=1', '--replicas=6']);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toMatch(/Expected replicas to be 1, was 5/);
  });

  test('rollout restart stamps the template', async () => {
    expect(await kubectl.ok(['rollout', 'restart', 'deployment', 'web'])).toContain('deployment.apps/web restarted');
    const d = await json(['get', 'deploy', 'web']);
    expect(d.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);
  });

  test('rollout history lists the revisions recorded on ReplicaSets', async () => {
    const d = await json(['get', 'deploy', 'web']);
    // The controller manager records revisions; here two ReplicaSets stand in for its work so that
    // this test checks only what the API server serves to kubectl.
    for (const rev of [1, 2]) {
      await kubectl.ok(['create', '-f', '-'], JSON.stringify({
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: {
          name: `web-rev${rev}`, labels: { app: 'web', 'pod-template-hash': `h${rev}` },
          annotations: { 'deployment.kubernetes.io/revision': String(rev) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: 'web', 'pod-template-hash': `h${rev}` } },
          template: { metadata: { labels: { app: 'web', 'pod-template-hash': `h${rev}` } }, spec: d.spec.template.spec },
        },
      }));
    }
    const out = await kubectl.ok(['rollout', 'history', 'deployment', 'web']);
    expect(out).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  });
});

describe('discovery and explain', () => {
  test('api-resources lists every kind with short names', async () => {
    const out = await kubectl.ok(['api-resources']);
    expect(out).toMatch(/pods\s+po\s+v1\s+true\s+Pod/);
    expect(out).toMatch(/deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    expect(out).toMatch(/nodes\s+no\s+v1\s+false\s+Node/);
    expect(out).toMatch(/leases\s+coordination.k8s.io\/v1\s+true\s+Lease/);
  });

  test('explain reads the OpenAPI schema', async () => {
    const out = await kubectl.ok(['explain', 'deployment.spec.replicas']);
    expect(out).toMatch(/GROUP:\s+apps/);
    expect(out).toMatch(/FIELD:\s+replicas <integer>/);
  });
});

describe('errors', () => {
  test('create -f of an invalid object prints every cause', async () => {
    const r = await kubectl.run(['create', '-f', join(fixtures, 'invalid-deployment.yaml')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Deployment "bad" is invalid');
    expect(r.stderr).toMatch(/\* spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    expect(r.stderr).toMatch(/\* spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/);
    expect(r.stderr).toMatch(/\* spec\.template\.spec\.containers\[0\]\.image: Required value/);
    expect((await kubectl.run(['get', 'deploy', 'bad'])).code).not.toBe(0);
  });

  test('strict field validation names the unknown field', async () => {
    const r = await kubectl.run(['create', '-f', '-'], webYaml.split('---')[0].replace('name: web\n', 'name: typo\n').replace('replicas: 2', 'replica: 2'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown field "spec\.replica"/);
  });
});

describe('delete', () => {
  test('by name, with -f and with -l', async () => {
    await kubectl.ok(['apply', '-f', '-'], podYaml('p1') + '---\n' + podYaml('p2', 'doomed') + '---\n' + podYaml('p3', 'doomed'));
    expect(await kubectl.ok(['delete', 'pod', 'p1'])).toContain('pod "p1" deleted');
    expect(await kubectl.ok(['delete', 'pods', '-l', 'tier=doomed'])).toMatch(/pod "p2" deleted\s+pod "p3" deleted/);
    expect(await kubectl.ok(['delete', '-f', '-'], webYaml)).toMatch(/deployment.apps "web" deleted\s+service "web" deleted/);
    const left = await kubectl.ok(['get', 'pods,deploy,svc', '-o', 'name']);
    expect(left).not.toMatch(/pod\/p[123]|deployment.apps\/web|service\/web/);
  });
});

function podYaml(name: string, tier = 'web'): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels:\n    tier: ${tier}\nspec:\n  containers:\n    - name: main\n      image: skiff/busybox:1\n      command: ["sleep", "3600"]\n`;
}
