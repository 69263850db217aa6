import type { KubeObject } from '@skiff/api';
import { CycleState } from '../framework.ts';
import { NodeInfo } from '../model/node-info.ts';
import { computePodInfo } from '../model/pod-info.ts';
import type { Pod } from '../model/types.ts';
import type { VolumeLister } from '../volumes.ts';
import { PV_NOT_EXIST, RWOP_CONFLICT, UNBOUND_IMMEDIATE, VOLUME_NODE_CONFLICT, volumeBinding } from './volume-binding.ts';

const objects = new Map<string, KubeObject>();
const users = new Map<string, string[]>();
const lister: VolumeLister = {
  claim: (ns, n) => objects.get(`pvc/${ns}/${n}`),
  volume: (n) => objects.get(`pv/${n}`),
  storageClass: (n) => objects.get(`sc/${n}`),
  selectedNode: (ns, n) => objects.get(`pvc/${ns}/${n}`)?.metadata.annotations?.['volume.kubernetes.io/selected-node'],
  claimUsers: (ns, n) => users.get(`${ns}/${n}`) ?? [],
};
const plugin = volumeBinding(lister);
const node = (name: string) => {
  const n = new NodeInfo(name);
  n.labels = { 'kubernetes.io/hostname': name };
  return n;
};
const pod = (claim: string) => computePodInfo({ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: claim } }] } } as unknown as Pod);
const put = (key: string, o: Record<string, unknown>) => objects.set(key, o as unknown as KubeObject);
const verdict = (claim: string, n: string) => plugin.filter!(new CycleState(), pod(claim), node(n));

beforeAll(() => {
  put('sc/local', { metadata: { name: 'local' }, provisioner: 'skiff.dev/local', volumeBindingMode: 'WaitForFirstConsumer' });
  put('sc/now', { metadata: { name: 'now' }, provisioner: 'x', volumeBindingMode: 'Immediate' });
  put('pvc/ns/bound', { metadata: { name: 'bound' }, spec: { volumeName: 'pv1', storageClassName: 'local' } });
  put('pv/pv1', { metadata: { name: 'pv1' }, spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } } } });
  put('pvc/ns/wffc', { metadata: { name: 'wffc' }, spec: { storageClassName: 'local' } });
  put('pvc/ns/selected', { metadata: { name: 'selected', annotations: { 'volume.kubernetes.io/selected-node': 'n2' } }, spec: { storageClassName: 'local' } });
  put('pvc/ns/immediate', { metadata: { name: 'immediate' }, spec: { storageClassName: 'now' } });
  put('pvc/ns/dangling', { metadata: { name: 'dangling' }, spec: { volumeName: 'nope' } });
  put('pvc/ns/rwop', { metadata: { name: 'rwop' }, spec: { volumeName: 'pv1', accessModes: ['ReadWriteOncePod'] } });
  users.set('ns/rwop', ['ns/other']);
});

test("a bound claim's volume keeps its pods on its node", () => {
  expect(verdict('bound', 'n1').code).toBe('Success');
  expect(verdict('bound', 'n2').reasons).toEqual([VOLUME_NODE_CONFLICT]);
  expect(verdict('dangling', 'n1').reasons).toEqual([PV_NOT_EXIST]);
});

test('an unbound WaitForFirstConsumer claim fits any node until a node is selected for it', () => {
  expect(verdict('wffc', 'n1').code).toBe('Success');
  expect(verdict('selected', 'n1').reasons).toEqual([VOLUME_NODE_CONFLICT]);
  expect(verdict('selected', 'n2').code).toBe('Success');
});

test('missing claims, unbound Immediate claims and ReadWriteOncePod claims in use fit nowhere', () => {
  expect(verdict('missing', 'n1').reasons).toEqual(['persistentvolumeclaim "missing" not found']);
  expect(verdict('immediate', 'n1').reasons).toEqual([UNBOUND_IMMEDIATE]);
  expect(verdict('rwop', 'n1').reasons).toEqual([RWOP_CONFLICT]);
  expect(plugin.preFilter!(new CycleState(), computePodInfo({ metadata: { name: 'q', namespace: 'ns' }, spec: { containers: [] } } as unknown as Pod), [])).toBe('Skip');
});
