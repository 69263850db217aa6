import type { KubeObject } from '../object.ts';
import { accessModesString, base64DecodedLength, isDefaultStorageClass, pickDefaultStorageClass, storageClassOf } from './storage.ts';

const sc = (name: string, created: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, creationTimestamp: created, ...(annotations ? { annotations } : {}) },
});
const DEFAULT = { 'storageclass.kubernetes.io/is-default-class': 'true' };

test('the newest class marked default wins; the beta annotation counts; "false" does not', () => {
  const classes = [
    sc('old', '2026-01-01T00:00:00Z', DEFAULT),
    sc('new', '2026-02-01T00:00:00Z', DEFAULT),
    sc('newest-not-default', '2026-03-01T00:00:00Z', { 'storageclass.kubernetes.io/is-default-class': 'false' }),
  ];
  expect(pickDefaultStorageClass(classes)?.metadata.name).toBe('new');
  expect(pickDefaultStorageClass([sc('x', '2026-01-01T00:00:00Z')])).toBeUndefined();
  expect(isDefaultStorageClass(sc('beta', '2026-01-01T00:00:00Z', { 'storageclass.beta.kubernetes.io/is-default-class': 'true' }))).toBe(true);
});

test('access modes print in Kubernetes order, each once', () => {
  expect(accessModesString(['ReadWriteOncePod', 'ReadWriteMany', 'ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteOnce'])).toBe('RWO,ROX,RWX,RWOP');
  expect(accessModesString(undefined)).toBe('');
});

test('a claim or volume names its class by the beta annotation first', () => {
  const pvc = (annotations: Record<string, string> | undefined, storageClassName?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'c', ...(annotations ? { annotations } : {}) },
    spec: storageClassName === undefined ? {} : { storageClassName },
  });
  expect(storageClassOf(pvc({ 'volume.beta.kubernetes.io/storage-class': 'old' }, 'new'))).toBe('old');
  expect(storageClassOf(pvc(undefined, 'new'))).toBe('new');
  expect(storageClassOf(pvc(undefined))).toBe('');
});

test('decoded length of base64 without decoding', () => {
  for (const s of ['', 'a', 'ab', 'abc', 'abcd', '\u00ff\u0000']) {
    expect(base64DecodedLength(Buffer.from(s).toString('base64'))).toBe(Buffer.byteLength(s));
  }
});
