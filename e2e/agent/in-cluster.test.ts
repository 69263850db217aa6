// In-cluster API access on real Docker (issue 12 §1): a pod's container gets the `kubernetes`
// Service's variables and its ServiceAccount token, CA and namespace at
// /var/run/secrets/kubernetes.io/serviceaccount, and @kubernetes/client-node's loadFromCluster()
// in it lists pods through the Service (ClusterIP -> the kernel proxy -> the API server's advertised
// address, over TLS, the token authenticating), which a Role bound to its ServiceAccount allows;
// what the Role does not allow (Secrets, another namespace) is 403. Without a token, or with a
// tampered one: 401.
//
// The API server advertises the Docker engine's default bridge gateway (docker0, an address of
// this machine every container reaches), found as `skiff up` finds it. The pod runs Node.js from
// skiff-test/node (built by scripts/lib/docker.sh) with this checkout mounted read-only, for the
// script and its node_modules.
import { fileURLToPath } from 'node:url';
import { defaultBridgeGateway, DockerRuntime } from '@skiff/agent';
import { docker, getPod, podManifest, startCluster, until, type TestCluster } from '../support/cluster.ts';
import { podVerbs } from '../support/use-cluster.ts';

const NS = 'incluster';
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const NODE_IMAGE = `skiff-test/node:${process.versions.node.split('.')[0]}`;
const NAMESPACES = { group: '', version: 'v1', plural: 'namespaces', scope: 'Cluster' } as const;
const CONFIG_MAPS = { group: '', version: 'v1', plural: 'configmaps', scope: 'Namespaced' } as const;
const ROLES = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', scope: 'Namespaced' } as const;
const ROLE_BINDINGS = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', scope: 'Namespaced' } as const;

let cluster: TestCluster;
let gateway: string;
/** Every line the agent and controller manager log: no token may appear in them. */
const logged: string[] = [];
const JWT = /eyJ[\w-]+\.[\w-]+\./;

beforeAll(async () => {
  await docker(['image', 'inspect', NODE_IMAGE]).catch(() => {
    throw new Error(`the image ${NODE_IMAGE} is missing: scripts/test.sh builds it (scripts/lib/docker.sh ensure_node_image)`);
  });
  gateway = (await defaultBridgeGateway(new DockerRuntime().engine)) ?? '';
  expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  cluster = await startCluster({ nodes: [{ name: 'e2e-incluster-1', ip: '127.0.41.1' }], agentOptions: () => ({ serviceProxy: true }), tls: { advertiseAddress: gateway }, log: (m) => logged.push(m) });
  await cluster.client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
}, 30_000);

interface Report {
  env: Record<string, string>;
  files: Record<string, boolean>;
  server: string;
  namespace: string;
  pods: string[];
  user: string;
  boundPod: string;
  secrets: { status: number; message: string };
  otherNamespace: number;
  anonymous: number;
  tampered: number;
  error: string;
}

test('loadFromCluster() in a pod lists what its ServiceAccount\'s Role allows through the kubernetes Service, 403 for the rest; no token or a tampered one is 401', async () => {
  // The namespace's default ServiceAccount may read pods there, nothing more.
  await cluster.client.create(ROLES, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: NS }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] });
  await cluster.client.create(ROLE_BINDINGS, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'default-reads-pods', namespace: NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: NS }],
  });
  // The root CA publisher made kube-root-ca.crt in the new namespace, holding the cluster CA.
  await until('kube-root-ca.crt published', async () => !!(await cluster.client.get(CONFIG_MAPS, NS, 'kube-root-ca.crt').catch(() => undefined)), { timeoutMs: 10_000 });
  expect((await cluster.client.get(CONFIG_MAPS, NS, 'kube-root-ca.crt')).data).toEqual({ 'ca.crt': cluster.pki!.ca.cert });

  const pods = podVerbs(cluster, NS);
  const created = await pods.create(
    podManifest('client', NS, { image: NODE_IMAGE, command: ['node', `${ROOT}/e2e/fixtures/in-cluster-client.mjs`], volumeMounts: [{ name: 'repo', mountPath: ROOT, readOnly: true }] }, { restartPolicy: 'Never', volumes: [{ name: 'repo', hostPath: { path: ROOT, type: 'Directory' } }] }),
  );
  // The ServiceAccount admission added the token volume.
  expect(created.spec?.serviceAccountName).toBe('default');
  expect((created.spec?.volumes as { name: string }[]).map((v) => v.name)).toEqual(['repo', expect.stringMatching(/^kube-api-access-[a-z0-9]{5}$/)]);

  await until('the client pod finished', async () => ['Succeeded', 'Failed'].includes((await getPod(cluster.client, NS, 'client')).status?.phase), { timeoutMs: 60_000, intervalMs: 250 });
  const logs = await cluster.kubectl.ok(['logs', '-n', NS, 'client']);
  const report = JSON.parse(logs.trim().split('\n').pop()!) as Report;
  expect(report.error).toBe('');
  expect(report.env).toEqual({
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
  });
  expect(report.files).toEqual({ token: true, 'ca.crt': true, namespace: true });
  expect(report.server).toBe('https://10.96.0.1:443');
  expect(report.namespace).toBe(NS);
  expect(report.pods).toEqual(['client']);
  // The agent's TokenRequest: the namespace's default ServiceAccount, bound to this pod.
  expect(report.user).toBe(`system:serviceaccount:${NS}:default`);
  expect(report.boundPod).toBe('client');
  expect(report.secrets).toEqual({ status: 403, message: `secrets is forbidden: User "system:serviceaccount:${NS}:default" cannot list resource "secrets" in API group "" in the namespace "${NS}"` });
  expect(report.otherNamespace).toBe(403);
  expect(report.anonymous).toBe(401);
  expect(report.tampered).toBe(401);
  expect((await getPod(cluster.client, NS, 'client')).status?.phase).toBe('Succeeded');
  // The token never reaches the pod's log (the script prints none) nor the agent's lines.
  expect(logs).not.toMatch(JWT);
  expect(logged.length).toBeGreaterThan(0);
  expect(logged.filter((l) => JWT.test(l))).toEqual([]);
}, 90_000);

test('automountServiceAccountToken: false: no token in the container, the Service variables still there', async () => {
  const pods = podVerbs(cluster, NS);
  await pods.create(podManifest('quiet', NS, { command: ['sh', '-c', 'ls /var/run/secrets/kubernetes.io/serviceaccount 2>&1; echo host=$KUBERNETES_SERVICE_HOST'] }, { restartPolicy: 'Never', automountServiceAccountToken: false }));
  await until('the quiet pod finished', async () => ['Succeeded', 'Failed'].includes((await getPod(cluster.client, NS, 'quiet')).status?.phase), { timeoutMs: 30_000, intervalMs: 250 });
  const logs = await cluster.kubectl.ok(['logs', '-n', NS, 'quiet']);
  expect(logs).toMatch(/No such file or directory/);
  expect(logs).toContain('host=10.96.0.1');
}, 45_000);

test('the token file is the pod user\'s: 0644 root by default, 0600 owned by its runAsUser, 0640 in its fsGroup (as the kubelet writes it)', async () => {
  const pods = podVerbs(cluster, NS);
  const show = ['sh', '-c', 'stat -L -c "%u %g %a" /var/run/secrets/kubernetes.io/serviceaccount/token; head -c 3 /var/run/secrets/kubernetes.io/serviceaccount/token; echo'];
  const cases = [
    { name: 'token-root', securityContext: {}, want: '0 0 644' },
    { name: 'token-user', securityContext: { runAsUser: 1000 }, want: '1000 0 600' },
    { name: 'token-group', securityContext: { runAsUser: 1000, fsGroup: 3000 }, want: '1000 3000 640' },
  ];
  for (const c of cases) await pods.create(podManifest(c.name, NS, { command: show }, { restartPolicy: 'Never', securityContext: c.securityContext }));
  for (const c of cases) {
    await until(`${c.name} finished`, async () => ['Succeeded', 'Failed'].includes((await getPod(cluster.client, NS, c.name)).status?.phase), { timeoutMs: 30_000, intervalMs: 250 });
    // Each pod's own user reads its token (the JWT's first characters).
    expect((await cluster.kubectl.ok(['logs', '-n', NS, c.name])).trim().split('\n')).toEqual([c.want, 'eyJ']);
  }
}, 60_000);
