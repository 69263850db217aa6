// Environment from ConfigMaps, Secrets and the downward API on real Docker: env.valueFrom and
// envFrom with a prefix, `$(VAR)` expansion in env and command, and a missing reference holding the
// container in CreateContainerConfigError with Kubernetes' message until the object appears.
import type { KubeObject } from '@skiff/api';
import { containerStatus, podManifest, until } from '../support/cluster.ts';
import { podVerbs, useCluster } from '../support/use-cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-env-1', ip: '127.0.43.1' }];
const CONFIGMAPS = { group: '', version: 'v1', plural: 'configmaps', scope: 'Namespaced' } as const;
const SECRETS = { group: '', version: 'v1', plural: 'secrets', scope: 'Namespaced' } as const;

const cluster = useCluster({ nodes: NODES });

const { create, pod } = podVerbs(cluster, NS);
const configMap = (name: string, data: Record<string, string>) => cluster.client.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data } as unknown as KubeObject, {});
const secret = (name: string, data: Record<string, string>) =>
  cluster.client.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NS }, type: 'Opaque', data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) } as unknown as KubeObject, {});
const succeeded = (name: string) =>
  until(`${name} Succeeded`, async () => {
    const p = await pod(name);
    return p.status?.phase === 'Succeeded' ? p : undefined;
  }, 20_000);

test('secret and configMap env (valueFrom, envFrom with a prefix), $(VAR) expansion and resourceFieldRef reach the process', async () => {
  await configMap('app-config', { MODE: 'fast', HOST: 'db.internal' });
  await secret('app-creds', { password: 's3cr3t', USER: 'admin' });
  await create(podManifest('env', NS, {
    command: ['sh', '-c', 'echo "mode=$MODE host=$CFG_HOST user=$USER pass=$PASSWORD url=$URL cpu=$CPU"; echo "arg=$(URL)"'],
    envFrom: [{ configMapRef: { name: 'app-config' }, prefix: 'CFG_' }, { secretRef: { name: 'app-creds' } }],
    env: [
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'MODE' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-creds', key: 'password' } } },
      { name: 'URL', value: 'pg://$(USER)@$(CFG_HOST)' },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
    ],
    resources: { limits: { cpu: '250m', memory: '64Mi' } },
  }, { restartPolicy: 'Never' }));
  await succeeded('env');
  expect(await cluster.kubectl.ok(['logs', 'env'])).toBe('mode=fast host=db.internal user=admin pass=s3cr3t url=pg://admin@db.internal cpu=250\narg=pg://admin@db.internal\n');
}, 40_000);

test('a missing ConfigMap holds the container in CreateContainerConfigError with the kubelet message; it starts once the ConfigMap appears', async () => {
  await create(podManifest('waits', NS, { command: ['sh', '-c', 'echo "got $GREETING"'], env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'late', key: 'greeting' } } }] }, { restartPolicy: 'Never' }));
  const p = await until('waits in CreateContainerConfigError', async () => {
    const p = await pod('waits');
    return containerStatus(p)?.state.waiting?.reason === 'CreateContainerConfigError' ? p : undefined;
  });
  expect(containerStatus(p)!.state.waiting!.message).toBe('configmap "late" not found');
  expect(await cluster.kubectl.ok(['get', 'pod', 'waits', '--no-headers'])).toMatch(/^waits\s+0\/1\s+CreateContainerConfigError\s+0/);
  // The ConfigMap without the key: the kubelet's other message.
  await configMap('late', { other: 'x' });
  await until('the missing-key message', async () => containerStatus(await pod('waits'))?.state.waiting?.message === "couldn't find key greeting in ConfigMap default/late");
  await cluster.client.patch(CONFIGMAPS, NS, 'late', { data: { greeting: 'hello' } }, 'merge');
  await succeeded('waits');
  expect(await cluster.kubectl.ok(['logs', 'waits'])).toBe('got hello\n');
}, 40_000);

test('a missing Secret, and optional references that are skipped', async () => {
  await create(podManifest('opt', NS, {
    command: ['sh', '-c', 'echo "a=${A:-unset} b=${B:-unset}"'],
    envFrom: [{ secretRef: { name: 'nope', optional: true } }],
    env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }, { name: 'B', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } }],
  }, { restartPolicy: 'Never' }));
  await succeeded('opt');
  expect(await cluster.kubectl.ok(['logs', 'opt'])).toBe('a=unset b=unset\n');
  await create(podManifest('nosecret', NS, { command: ['true'], envFrom: [{ secretRef: { name: 'absent' } }] }, { restartPolicy: 'Never' }));
  const p = await until('nosecret in CreateContainerConfigError', async () => {
    const p = await pod('nosecret');
    return containerStatus(p)?.state.waiting?.reason === 'CreateContainerConfigError' ? p : undefined;
  });
  expect(containerStatus(p)!.state.waiting!.message).toBe('secret "absent" not found');
  await secret('absent', { K: 'v' });
  await succeeded('nosecret');
}, 40_000);
