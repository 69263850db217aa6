// The application manifest of issue 8 through the real kubectl (v1.32): a Deployment whose pods
// use envFrom, configMap and persistentVolumeClaim volumes, seccompProfile,
// topologySpreadConstraints, podAntiAffinity, an init container and a non-root user. kubectl
// validates strictly on the server; everything is accepted, and every field comes back.
import { Kubectl } from './support/kubectl.ts';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let kubectl: Kubectl;

beforeAll(async () => {
  server = await startTestServer();
  kubectl = new Kubectl(server.url);
});
afterAll(async () => {
  await server.close();
});

const podSpec = {
  securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
  os: { name: 'linux' },
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'shop' } } }],
  affinity: {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'shop' } } } },
      ],
    },
  },
  initContainers: [{ name: 'migrate', image: 'skiff/busybox:1', command: ['sh', '-c', 'echo ok > /work/ready'], volumeMounts: [{ name: 'scratch', mountPath: '/work' }] }],
  containers: [
    {
      name: 'web',
      image: 'skiff/busybox:1',
      envFrom: [{ configMapRef: { name: 'shop-config' } }, { secretRef: { name: 'shop-secret' }, prefix: 'SECRET_' }],
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      volumeMounts: [
        { name: 'scratch', mountPath: '/work' },
        { name: 'config', mountPath: '/etc/shop', readOnly: true },
        { name: 'data', mountPath: '/var/lib/shop' },
      ],
    },
  ],
  volumes: [
    { name: 'scratch', emptyDir: {} },
    { name: 'config', configMap: { name: 'shop-config', items: [{ key: 'shop.conf', path: 'shop.conf' }] } },
    { name: 'data', persistentVolumeClaim: { claimName: 'shop-data' } },
  ],
};

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'shop', labels: { app: 'shop' } },
  spec: { replicas: 2, selector: { matchLabels: { app: 'shop' } }, template: { metadata: { labels: { app: 'shop' } }, spec: podSpec } },
};

/** Paths at which `got` lacks or changed what was `sent`. */
function differences(sent: unknown, got: unknown, path = ''): string[] {
  if (sent !== null && typeof sent === 'object') {
    if (got === null || typeof got !== 'object') return [`${path}: missing`];
    if (Array.isArray(sent)) {
      if (!Array.isArray(got) || got.length !== sent.length) return [`${path}: ${JSON.stringify(got)}`];
      return sent.flatMap((v, i) => differences(v, got[i], `${path}[${i}]`));
    }
    return Object.entries(sent).flatMap(([k, v]) => differences(v, (got as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return sent === got ? [] : [`${path}: sent ${JSON.stringify(sent)}, got ${JSON.stringify(got)}`];
}

test('kubectl apply accepts the manifest (server-side strict validation) and warns about what is not enforced', async () => {
  // JSON is YAML: kubectl reads the manifest from stdin either way.
  const r = await kubectl.run(['apply', '-f', '-'], JSON.stringify(deployment));
  expect([r.code, r.stderr.split('\n').filter((l) => !l.startsWith('Warning: ')).join('')]).toEqual([0, '']);
  expect(r.stdout).toBe('deployment.apps/shop created\n');
  expect(r.stderr).toContain('Warning: spec.template.spec.os is stored but not enforced');
  // The scheduler acts on spreading and pod (anti-)affinity: no warning for those.
  expect(r.stderr).not.toContain('topologySpreadConstraints');
  expect(r.stderr).not.toContain('podAntiAffinity');

  const again = await kubectl.ok(['apply', '-f', '-'], JSON.stringify(deployment));
  expect(again).toBe('deployment.apps/shop unchanged\n');
});

test('kubectl get -o yaml returns every field that was applied', async () => {
  const yaml = await kubectl.ok(['get', 'deployment', 'shop', '-o', 'yaml']);
  for (const key of ['envFrom:', 'persistentVolumeClaim:', 'claimName: shop-data', 'configMap:', 'seccompProfile:', 'topologySpreadConstraints:', 'podAntiAffinity:', 'initContainers:', 'runAsNonRoot: true']) {
    expect([key, yaml.includes(key)]).toEqual([key, true]);
  }
  const got = JSON.parse(await kubectl.ok(['get', 'deployment', 'shop', '-o', 'json']));
  expect(differences(deployment.spec, got.spec, 'spec')).toEqual([]);
});

test('an unknown field is refused with the message Kubernetes gives', async () => {
  const bad = structuredClone(deployment) as any;
  bad.metadata.name = 'shop-typo';
  bad.spec.template.spec.containers[0].envFromm = [];
  const r = await kubectl.run(['apply', '-f', '-'], JSON.stringify(bad));
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('strict decoding error: unknown field "spec.template.spec.containers[0].envFromm"');
  expect((await kubectl.run(['get', 'deployment', 'shop-typo'])).code).not.toBe(0);
});

test('kubectl explain reads the model', async () => {
  const out = await kubectl.ok(['explain', 'pod.spec.volumes.configMap']);
  expect(out).toMatch(/FIELD:\s+configMap <ConfigMapVolumeSource>/);
  expect(out).toContain('Adapts a ConfigMap into a volume');
  expect(out).toMatch(/defaultMode\s+<integer>/);
  expect(out).toMatch(/items\s+<\[\]KeyToPath>/);
  const spread = await kubectl.ok(['explain', 'deployment.spec.template.spec.topologySpreadConstraints.maxSkew']);
  expect(spread).toContain('MaxSkew describes the degree to which pods may be unevenly distributed');
});
