import type { KubeObject } from '@skiff/api';
import { ContainerConfigError, computeEnv, expandCommand, type EnvContainer, type ObjectLookup } from './env.ts';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'a "quoted" value' } },
  spec: { nodeName: 'n1', serviceAccountName: 'builder', containers: [{ name: 'app', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } } }, { name: 'bare' }] },
  status: { podIP: '10.0.0.7' },
} as unknown as KubeObject;
const ctx = { pod, nodeName: 'n1', nodeIP: '127.0.7.1', allocatable: { cpu: '1900m', memory: '8000Mi', 'ephemeral-storage': '10Gi' } };

const cm = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data }) as unknown as KubeObject;
const secret = (name: string, data: Record<string, string>) =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'shop' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) }) as unknown as KubeObject;
const lookup = (objs: KubeObject[]): ObjectLookup => ({
  configMap: (ns, name) => objs.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns && o.metadata.name === name),
  secret: (ns, name) => objs.find((o) => o.kind === 'Secret' && o.metadata.namespace === ns && o.metadata.name === name),
});
const env = (c: Omit<EnvContainer, 'name'>, objs: KubeObject[] = [], name = 'app') => Object.fromEntries(computeEnv({ name, ...c }, ctx, lookup(objs)).env.map((e) => [e.name, e.value]));

test('the downward API: pod fields, labels and annotations, node and addresses', () => {
  const f = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
  expect(
    env({
      env: [
        { name: 'NAME', ...f('metadata.name') },
        { name: 'NS', ...f('metadata.namespace') },
        { name: 'UID', ...f('metadata.uid') },
        { name: 'APP', ...f("metadata.labels['app']") },
        { name: 'LABELS', ...f('metadata.labels') },
        { name: 'NOTE', ...f("metadata.annotations['note']") },
        { name: 'ANNOTATIONS', ...f('metadata.annotations') },
        { name: 'NODE', ...f('spec.nodeName') },
        { name: 'SA', ...f('spec.serviceAccountName') },
        { name: 'POD_IP', ...f('status.podIP') },
        { name: 'HOST_IP', ...f('status.hostIP') },
      ],
    }),
  ).toEqual({
    NAME: 'web', NS: 'shop', UID: 'u-1', APP: 'web', LABELS: 'app="web"\ntier="front"', NOTE: 'a "quoted" value', ANNOTATIONS: 'note="a \\"quoted\\" value"',
    NODE: 'n1', SA: 'builder', POD_IP: '10.0.0.7', HOST_IP: '127.0.7.1',
  });
});

test('resourceFieldRef: rounded up in units of the divisor; an unset limit is the node allocatable', () => {
  const r = (resource: string, divisor?: string) => ({ valueFrom: { resourceFieldRef: { resource, divisor } } });
  // The container's resources come from the pod's spec (container "app").
  expect(env({ env: [
    { name: 'CPU_LIMIT', ...r('limits.cpu') },
    { name: 'CPU_LIMIT_M', ...r('limits.cpu', '1m') },
    { name: 'CPU_REQ', ...r('requests.cpu', '1m') },
    { name: 'MEM_LIMIT_MI', ...r('limits.memory', '1Mi') },
    { name: 'MEM_REQ', ...r('requests.memory') },
    { name: 'EPHEMERAL', ...r('limits.ephemeral-storage', '1Gi') },
  ] })).toEqual({ CPU_LIMIT: '1', CPU_LIMIT_M: '500', CPU_REQ: '250', MEM_LIMIT_MI: '128', MEM_REQ: String(64 * 1024 * 1024), EPHEMERAL: '10' });
  // No limits: the node's allocatable; no request: 0.
  expect(env({ env: [{ name: 'C', ...r('limits.cpu', '1m') }, { name: 'M', ...r('limits.memory', '1Mi') }, { name: 'R', ...r('requests.cpu') }] }, [], 'bare')).toEqual({ C: '1900', M: '8000', R: '0' });
  expect(() => env({ env: [{ name: 'X', ...r('limits.gpu') }] })).toThrow(ContainerConfigError);
});

test('configMapKeyRef and secretKeyRef; missing objects and keys give the kubelet messages unless optional', () => {
  const objs = [cm('conf', { mode: 'fast' }), secret('creds', { password: 's3cr3t' })];
  expect(env({ env: [
    { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'conf', key: 'mode' } } },
    { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
    { name: 'OPT1', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
    { name: 'OPT2', valueFrom: { secretKeyRef: { name: 'creds', key: 'nokey', optional: true } } },
  ] }, objs)).toEqual({ MODE: 'fast', PASS: 's3cr3t' });
  const fails = (e: EnvContainer['env']) => () => env({ env: e }, objs);
  expect(fails([{ name: 'A', valueFrom: { configMapKeyRef: { name: 'x', key: 'k' } } }])).toThrow(new ContainerConfigError('configmap "x" not found'));
  expect(fails([{ name: 'A', valueFrom: { secretKeyRef: { name: 'x', key: 'k' } } }])).toThrow(new ContainerConfigError('secret "x" not found'));
  expect(fails([{ name: 'A', valueFrom: { configMapKeyRef: { name: 'conf', key: 'k' } } }])).toThrow(new ContainerConfigError("couldn't find key k in ConfigMap shop/conf"));
  expect(fails([{ name: 'A', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }])).toThrow(new ContainerConfigError("couldn't find key k in Secret shop/creds"));
});

test('envFrom with a prefix comes first; env overrides it and expands $(VAR) from what is defined before', () => {
  const objs = [cm('conf', { HOST: 'db', PORT: '5432', 'bad key': 'x' }), secret('creds', { USER: 'admin' })];
  const r = computeEnv({ name: 'app', envFrom: [{ configMapRef: { name: 'conf' }, prefix: 'DB_' }, { secretRef: { name: 'creds' } }, { configMapRef: { name: 'missing', optional: true } }], env: [
    { name: 'URL', value: 'pg://$(USER)@$(DB_HOST):$(DB_PORT)/$(LATER)' },
    { name: 'LATER', value: 'x' },
    { name: 'DB_PORT', value: '6543' },
    { name: 'ESCAPED', value: '$$(USER)' },
  ] }, ctx, lookup(objs));
  expect(Object.fromEntries(r.env.map((e) => [e.name, e.value]))).toEqual({ DB_HOST: 'db', DB_PORT: '6543', USER: 'admin', URL: 'pg://admin@db:5432/$(LATER)', LATER: 'x', ESCAPED: '$(USER)' });
  expect(r.skipped).toEqual([{ kind: 'configMap', name: 'conf', keys: ['DB_bad key'] }]);
  expect(() => computeEnv({ name: 'app', envFrom: [{ secretRef: { name: 'gone' } }] }, ctx, lookup(objs))).toThrow(new ContainerConfigError('secret "gone" not found'));
  expect(expandCommand(['sh', '-c', 'echo $(URL) $(NOPE) $$(URL)'], r.env)).toEqual(['sh', '-c', 'echo pg://admin@db:5432/$(LATER) $(NOPE) $(URL)']);
});
