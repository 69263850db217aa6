// Differential test: the same object and patch through skiff's engine and through
// `kubectl patch --local --type strategic`, which runs Kubernetes' own strategic merge patch
// (with the patch metadata of its Go types) and never contacts a server. Skipped where
// /usr/bin/kubectl is absent.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';
import type { JsonObject } from './json.ts';

const KUBECTL = '/usr/bin/kubectl';
// The real kubectl is part of the test environment: without it this suite fails, never skips.
const describeWithKubectl = describe;
test('the reference kubectl is installed', () => {
  expect(existsSync(KUBECTL)).toBe(true);
});

const deployment = (podSpec: JsonObject, spec: JsonObject = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a.io/x', 'b.io/y'], ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u1' }] },
  spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec }, ...spec },
});
const three = { containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }] };
const web = {
  containers: [{
    name: 'web', image: 'x:1',
    ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 9090, protocol: 'TCP' }],
    env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }],
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
  }],
  volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', emptyDir: {} }],
  tolerations: [{ key: 'k', operator: 'Exists' }],
};

const cases: [string, JsonObject, JsonObject][] = [
  ['client-side apply: labels null, replicas, $setElementOrder, ports null', deployment(web), {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, labels: null },
    spec: { replicas: 3, template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ image: 'x:2', name: 'web', ports: null }] } } },
  }],
  ['rollout restart annotation', deployment(web), { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } }],
  ['remove a port and an env var', deployment(web), { spec: { template: { spec: {
    '$setElementOrder/containers': [{ name: 'web' }],
    containers: [{ name: 'web', '$setElementOrder/ports': [{ containerPort: 80 }], ports: [{ $patch: 'delete', containerPort: 9090 }], '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }], env: [{ $patch: 'delete', name: 'B' }] }],
  } } } }],
  ['add a container, change env and mounts', deployment(web), { spec: { template: { spec: {
    containers: [{ name: 'side', image: 's' }, { name: 'web', env: [{ name: 'D', value: '4' }, { name: 'A', value: 'one' }], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }],
  } } } }],
  ['$setElementOrder with server-only items', deployment(three), { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'd' }, { name: 'a' }], containers: [{ name: 'd', image: 'd' }] } } } }],
  ['patch order without $setElementOrder', deployment(three), { spec: { template: { spec: { containers: [{ name: 'c', image: 'c2' }, { name: 'a', image: 'a2' }] } } } }],
  ['$retainKeys on a volume', deployment(web), { spec: { template: { spec: { volumes: [{ $retainKeys: ['hostPath', 'name'], name: 'data', hostPath: { path: '/d' } }] } } } }],
  ['$retainKeys on the deployment strategy', deployment(web, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }],
  ['finalizers: set merge and $deleteFromPrimitiveList', deployment(web), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.io/x'], finalizers: ['c.io/z', 'b.io/y'] } }],
  ['ownerReferences by uid', deployment(web), { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'renamed', uid: 'u1' }, { apiVersion: 'v1', kind: 'Y', name: 'p', uid: 'u2' }] } }],
  ['$patch: replace in a list and in a map', deployment(three), { metadata: { labels: { $patch: 'replace', tier: 'front' } }, spec: { template: { spec: { containers: [{ name: 'z', image: 'z' }, { $patch: 'replace' }] } } } }],
  ['tolerations are replaced', deployment(web), { spec: { template: { spec: { tolerations: [{ key: 'other', operator: 'Exists' }] } } } }],
  ['directives in a list the object lacks', deployment(three), { spec: { template: { spec: { initContainers: [{ name: 'gone', $patch: 'delete' }, { name: 'i', image: 'i', command: null }] } } } }],
  ['Pod: containers by name, ports by containerPort', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { containers: [{ name: 'a', image: 'a', ports: [{ containerPort: 80, name: 'http' }] }] },
    status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }], podIPs: [{ ip: '10.0.0.1' }] },
  }, { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 81 }] }] }, status: { conditions: [{ type: 'Ready', status: 'True' }], podIPs: [{ ip: '10.0.0.2' }] } }],
  ['Service: ports by port', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 's' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443 }] },
  }, { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 8443, name: 'alt' }] } }],
  ['Node: taints replaced, conditions and addresses by type', {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' },
    spec: { taints: [{ key: 'a', effect: 'NoSchedule' }], podCIDRs: ['10.0.0.0/24'] },
    status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'MemoryPressure', status: 'False' }], addresses: [{ type: 'InternalIP', address: '127.0.1.1' }] },
  }, { spec: { taints: [{ key: 'b', effect: 'NoExecute' }], podCIDRs: ['10.0.1.0/24'] }, status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'Hostname', address: 'n' }] } }],
  ['Endpoints: subsets replaced', {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' },
    subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
  }, { subsets: [{ addresses: [{ ip: '10.0.0.2' }], ports: [{ port: 80 }] }] }],
  ['Namespace: spec.finalizers replaced, status conditions by type', {
    apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active', conditions: [{ type: 'A', status: 'True' }] },
  }, { spec: { finalizers: ['other'] }, status: { conditions: [{ type: 'B', status: 'True' }] } }],
];

describeWithKubectl('strategic merge patch agrees with kubectl patch --local', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-smp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function kubectlPatch(object: JsonObject, patch: JsonObject): JsonObject {
    const file = join(dir, 'object.json');
    writeFileSync(file, JSON.stringify(object));
    const out = execFileSync(
      KUBECTL,
      ['patch', '--local', '-f', file, '--type', 'strategic', '-p', JSON.stringify(patch), '-o', 'json', '--kubeconfig', '/dev/null', '--cache-dir', join(dir, 'cache')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return JSON.parse(out) as JsonObject;
  }

  test.each(cases)('%s', (_name, object, patch) => {
    expect(applyStrategicMergePatch(object, patch, object.kind as string)).toEqual(kubectlPatch(object, patch));
  });
});
