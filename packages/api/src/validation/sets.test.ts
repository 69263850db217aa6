import { applyDefaults } from '../defaults/index.ts';
import { validateCreate, validateUpdate } from './index.ts';

const STS = { group: 'apps', kind: 'StatefulSet', scope: 'Namespaced' } as const;
const DS = { group: 'apps', kind: 'DaemonSet', scope: 'Namespaced' } as const;
const CR = { group: 'apps', kind: 'ControllerRevision', scope: 'Namespaced' } as const;
const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } };

function sts(spec: Record<string, unknown> = {}) {
  return applyDefaults(STS, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: { serviceName: 'web', selector: { matchLabels: { app: 'a' } }, template, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }], ...spec },
  });
}

test('StatefulSet defaults as Kubernetes 1.32 and accepts mounts of its claim templates', () => {
  const s = sts();
  expect(s.spec).toMatchObject({ replicas: 1, podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } });
  expect(s.spec.volumeClaimTemplates[0]).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  expect(validateCreate(STS, s)).toEqual([]);
});

test('StatefulSet refusals name every failing field', () => {
  const bad = sts({ podManagementPolicy: 'Sometimes', updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep', whenScaled: 'Retain' }, replicas: -1 });
  expect(validateCreate(STS, bad).map((c) => c.field).sort()).toEqual(['spec.persistentVolumeClaimRetentionPolicy.whenDeleted', 'spec.podManagementPolicy', 'spec.replicas', 'spec.updateStrategy.rollingUpdate']);
  const old = { ...sts(), metadata: { ...sts().metadata, resourceVersion: '1' } };
  const changed = { ...old, spec: { ...old.spec, serviceName: 'other' } };
  expect(validateUpdate(STS, changed, old)).toEqual([expect.objectContaining({ field: 'spec', reason: 'FieldValueForbidden' })]);
  expect(validateUpdate(STS, { ...old, spec: { ...old.spec, replicas: 5 } }, old)).toEqual([]);
});

test('DaemonSet defaults and its update strategy rules', () => {
  const ds = applyDefaults(DS, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { ...template, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  expect(ds.spec).toMatchObject({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 });
  expect(validateCreate(DS, ds)).toEqual([]);
  const both = { ...ds, spec: { ...ds.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } } };
  expect(validateCreate(DS, both)).toEqual([expect.objectContaining({ field: 'spec.updateStrategy.rollingUpdate.maxSurge', message: expect.stringContaining('may not be set when maxUnavailable is non-zero') })]);
  const empty = { ...ds, spec: { ...ds.spec, selector: {} } };
  expect(validateCreate(DS, empty)).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'spec.selector', message: expect.stringContaining('empty selector is invalid for daemonset') })]));
});

test('ControllerRevision: data is required and immutable', () => {
  const cr = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r', namespace: 'default' }, data: { a: 1 }, revision: 1 };
  expect(validateCreate(CR, cr)).toEqual([]);
  expect(validateCreate(CR, { ...cr, data: undefined }).map((c) => c.field)).toEqual(['data']);
  expect(validateUpdate(CR, { ...cr, data: { a: 2 } }, cr).map((c) => c.field)).toEqual(['data']);
  expect(validateUpdate(CR, { ...cr, revision: 3 }, cr)).toEqual([]);
});

test('StatefulSet rollingUpdate.maxUnavailable: a positive count or a percentage up to 100%, never 0', () => {
  const causesOf = (maxUnavailable: unknown) => validateCreate(STS, sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable } } })).map((c) => `${c.field}: ${c.message}`);
  expect(causesOf(2)).toEqual([]);
  expect(causesOf('50%')).toEqual([]);
  expect(causesOf(0)).toEqual([
    // Kubernetes passes the IntOrString itself, which Go prints as its struct.
    'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: cannot be 0',
  ]);
  expect(causesOf('150%')).toEqual(['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%']);
  expect(causesOf(-1)[0]).toMatch(/^spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0$/);
});
