import type { KubeObject } from '../object.ts';
import { RESOURCES } from '../resources.ts';
import { applyDefaults } from '../defaults/index.ts';
import { validateCreate } from './index.ts';

const POD = RESOURCES.find((r) => r.kind === 'Pod')!;

function causesOf(spec: object): { field: string; message: string }[] {
  const pod = applyDefaults(POD, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec } as KubeObject);
  return validateCreate(POD, pod).map(({ field, message }) => ({ field, message }));
}

const c = (extra: object = {}) => ({ name: 'c', image: 'nginx', ...extra });

describe('cross-field validation of volumes, mounts and references', () => {
  it('accepts a pod that uses every kind of reference correctly', () => {
    expect(
      causesOf({
        volumes: [
          { name: 'cm', configMap: { name: 'app', items: [{ key: 'a.conf', path: 'conf/a.conf', mode: 0o644 }], defaultMode: 0o440 } },
          { name: 'sec', secret: { secretName: 'tls' } },
          { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
          { name: 'all', projected: { sources: [{ configMap: { name: 'app' } }, { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }] } },
        ],
        containers: [
          c({
            envFrom: [{ configMapRef: { name: 'app' }, prefix: 'APP_' }, { secretRef: { name: 'tls' } }],
            env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'tls', key: 'tls.key' } } }],
            volumeMounts: ['cm', 'sec', 'data', 'all'].map((name) => ({ name, mountPath: `/${name}` })),
          }),
        ],
      }),
    ).toEqual([]);
  });

  it('refuses a mount of a volume the pod does not have', () => {
    expect(causesOf({ containers: [c({ volumeMounts: [{ name: 'missing', mountPath: '/m' }] })] })).toEqual([
      { field: 'spec.containers[0].volumeMounts[0].name', message: 'Not found: "missing"' },
    ]);
  });

  it('refuses a volume with two sources (one with none is defaulted to emptyDir, as Kubernetes does)', () => {
    expect(causesOf({ volumes: [{ name: 'v', emptyDir: {}, configMap: { name: 'x' } }, { name: 'w' }], containers: [c()] })).toEqual([
      { field: 'spec.volumes[0].configMap', message: 'Forbidden: may not specify more than 1 volume type' },
    ]);
  });

  it('refuses illegal env var names, prefixes and keys, and unnamed references', () => {
    expect(
      causesOf({
        volumes: [{ name: 'cm', configMap: { items: [{ key: 'k', path: '../etc', mode: 0o1777 }] } }, { name: 's', secret: {} }],
        containers: [
          c({
            env: [{ name: 'A=B', value: 'x' }, { name: 'K', valueFrom: { configMapKeyRef: { name: 'app', key: 'bad key' } } }],
            envFrom: [{ prefix: 'P=', configMapRef: { name: 'app' } }, {}],
          }),
        ],
      }),
    ).toEqual([
      { field: 'spec.volumes[0].configMap.name', message: 'Required value' },
      { field: 'spec.volumes[0].configMap.items[0].path', message: `Invalid value: "../etc": must not contain '..'` },
      { field: 'spec.volumes[0].configMap.items[0].path', message: `Invalid value: "../etc": must not start with '..'` },
      { field: 'spec.volumes[0].configMap.items[0].mode', message: 'Invalid value: 1023: must be a number between 0 and 0777 (octal), both inclusive' },
      { field: 'spec.volumes[1].secret.secretName', message: 'Required value' },
      { field: 'spec.containers[0].env[0].name', message: `Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='` },
      {
        field: 'spec.containers[0].env[1].valueFrom.configMapKeyRef.key',
        message: `Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      },
      { field: 'spec.containers[0].envFrom[0].prefix', message: `Invalid value: "P=": a valid environment variable name must consist only of printable ASCII characters other than '='` },
      { field: 'spec.containers[0].envFrom', message: 'Invalid value: "": must specify one of: `configMapRef` or `secretRef`' },
    ]);
  });
});
