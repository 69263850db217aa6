import type { KubeObject } from '@skiff/api';
import { computePayload, fsUserOf, ProjectionError, projectedObjects, type Payload } from './projection.ts';
import type { VolumeSpec } from './types.ts';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'ns', uid: 'u1', labels: { b: '2', a: 'one "q"' }, annotations: { note: 'x' } },
  spec: { containers: [{ name: 'app', image: 'i', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }] },
} as KubeObject;
const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'ns' }, data: { 'app.conf': 'port=80', other: 'o' }, binaryData: { bin: Buffer.from([0, 1, 2]).toString('base64') } } as unknown as KubeObject;
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw', namespace: 'ns' }, data: { password: Buffer.from('hunter2').toString('base64') } } as unknown as KubeObject;
const sources = {
  configMap: (n: string) => (n === 'cfg' ? cm : undefined),
  secret: (n: string) => (n === 'pw' ? secret : undefined),
  downward: { pod, nodeName: 'n1', nodeIP: '127.0.0.1', allocatable: { cpu: '2', memory: '1Gi' } },
};
const files = (p: Payload) => Object.fromEntries([...p].map(([k, v]) => [k, { text: v.data.toString('utf8'), mode: v.mode.toString(8) }]));

test('a configMap volume shows every key (data and binaryData) with the default mode 0644', () => {
  const p = computePayload({ name: 'v', configMap: { name: 'cfg' } }, sources);
  expect([...p.keys()].sort()).toEqual(['app.conf', 'bin', 'other']);
  expect(p.get('bin')!.data).toEqual(Buffer.from([0, 1, 2]));
  expect(p.get('app.conf')!.mode).toBe(0o644);
});

test('items pick keys onto paths; defaultMode and a per-item mode apply', () => {
  const v: VolumeSpec = { name: 'v', configMap: { name: 'cfg', defaultMode: 0o440, items: [{ key: 'app.conf', path: 'conf/app.conf' }, { key: 'other', path: 'o', mode: 0o600 }] } };
  expect(files(computePayload(v, sources))).toEqual({ 'conf/app.conf': { text: 'port=80', mode: '440' }, o: { text: 'o', mode: '600' } });
});

test('a missing object or key fails with the kubelet message unless optional', () => {
  expect(() => computePayload({ name: 'v', configMap: { name: 'nope' } }, sources)).toThrow(new ProjectionError('configmap "nope" not found'));
  expect(computePayload({ name: 'v', configMap: { name: 'nope', optional: true } }, sources).size).toBe(0);
  expect(() => computePayload({ name: 'v', configMap: { name: 'cfg', items: [{ key: 'missing', path: 'm' }] } }, sources)).toThrow('configmap references non-existent config key: missing');
  expect(() => computePayload({ name: 'v', secret: { secretName: 'gone' } }, sources)).toThrow('secret "gone" not found');
  expect(() => computePayload({ name: 'v', secret: { secretName: 'pw', items: [{ key: 'user', path: 'u' }] } }, sources)).toThrow('references non-existent secret key: user');
  expect(computePayload({ name: 'v', secret: { secretName: 'pw', optional: true, items: [{ key: 'user', path: 'u' }] } }, sources).size).toBe(0);
});

test('a secret volume decodes its base64 data', () => {
  expect(files(computePayload({ name: 'v', secret: { secretName: 'pw', defaultMode: 0o400 } }, sources))).toEqual({ password: { text: 'hunter2', mode: '400' } });
});

test('downwardAPI files: fields, labels as sorted key="value" lines, resources rounded up by the divisor', () => {
  const v: VolumeSpec = {
    name: 'v',
    downwardAPI: {
      items: [
        { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
        { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
        { path: 'a', fieldRef: { fieldPath: "metadata.labels['a']" } },
        { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
        { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'requests.cpu', divisor: '1m' } },
        { path: 'cpulimit', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } },
      ],
    },
  };
  const f = files(computePayload(v, sources));
  expect(f.name.text).toBe('web');
  expect(f.labels.text).toBe('a="one \\"q\\""\nb="2"');
  expect(f.a.text).toBe('one "q"');
  expect(f.mem.text).toBe('64');
  expect(f.cpu.text).toBe('250');
  expect(f.cpulimit.text).toBe('2'); // no limit: the node's allocatable
});

test('a projected volume combines its sources under one defaultMode', () => {
  const v: VolumeSpec = {
    name: 'v',
    projected: {
      defaultMode: 0o444,
      sources: [
        { configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'app.conf' }] } },
        { secret: { name: 'pw', items: [{ key: 'password', path: 'secret/pw', mode: 0o400 }] } },
        { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
  expect(files(computePayload(v, sources))).toEqual({
    'app.conf': { text: 'port=80', mode: '444' },
    'secret/pw': { text: 'hunter2', mode: '400' },
    ns: { text: 'ns', mode: '444' },
  });
  expect(projectedObjects(v)).toEqual({ configMaps: ['cfg'], secrets: ['pw'] });
});

test('the ServiceAccount token file: 0644 under root by default, 0600 and the pod user\'s when all containers run as one user, 0600 with fsGroup (the kubelet\'s projected.go)', () => {
  const v: VolumeSpec = { name: 'kube-api-access', projected: { defaultMode: 0o644, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }, { configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'ca.crt' }] } }] } };
  const withToken = (extra: object) => computePayload(v, { ...sources, token: () => 'jwt', ...extra });
  expect(withToken({}).get('token')).toEqual({ data: Buffer.from('jwt'), mode: 0o644 });
  expect(withToken({ fsUser: 1000 }).get('token')).toEqual({ data: Buffer.from('jwt'), mode: 0o600, uid: 1000 });
  expect(withToken({ fsGroup: 3000 }).get('token')).toEqual({ data: Buffer.from('jwt'), mode: 0o600 });
  // Only the token: the CA bundle beside it keeps the volume's mode and root.
  expect(withToken({ fsUser: 1000 }).get('ca.crt')).toMatchObject({ mode: 0o644 });
  expect(withToken({ fsUser: 1000 }).get('ca.crt')?.uid).toBeUndefined();
});

test('fsUserOf: the one runAsUser of every container (pod-level or its own), else none', () => {
  const p = (podUser: number | undefined, users: (number | undefined)[], init: (number | undefined)[] = []) =>
    ({ ...pod, spec: { securityContext: podUser === undefined ? {} : { runAsUser: podUser }, initContainers: init.map((u, i) => ({ name: `i${i}`, image: 'i', securityContext: u === undefined ? {} : { runAsUser: u } })), containers: users.map((u, i) => ({ name: `c${i}`, image: 'i', securityContext: u === undefined ? {} : { runAsUser: u } })) } }) as KubeObject;
  expect(fsUserOf(p(undefined, [undefined]))).toBeUndefined();
  expect(fsUserOf(p(1000, [undefined, undefined]))).toBe(1000);
  expect(fsUserOf(p(undefined, [1000, 1000]))).toBe(1000);
  expect(fsUserOf(p(1000, [undefined, 2000]))).toBeUndefined();
  expect(fsUserOf(p(undefined, [1000, undefined]))).toBeUndefined();
  expect(fsUserOf(p(1000, [undefined], [0]))).toBeUndefined();
  expect(fsUserOf(p(0, [undefined]))).toBe(0);
});
