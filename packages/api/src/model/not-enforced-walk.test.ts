import { NOT_ENFORCED } from '../not-enforced.ts';
import { modelType } from './model.ts';
import { notEnforcedFields, notEnforcedWarnings } from './not-enforced-walk.ts';

const POD = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };

describe('notEnforcedFields', () => {
  it('names only fields the model has', () => {
    for (const entry of NOT_ENFORCED) {
      const dot = entry.lastIndexOf('.');
      expect([entry, modelType(entry.slice(0, dot))?.props[entry.slice(dot + 1)]]).toEqual([entry, expect.any(String)]);
    }
  });

  it('reports every set field with its path, in pods and in pod templates', () => {
    const spec = {
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
      affinity: { nodeAffinity: {}, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [] } },
      containers: [{ name: 'a', envFrom: [{ configMapRef: { name: 'cm' } }] }, { name: 'b', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }],
      initContainers: [{ name: 'i', securityContext: { runAsUser: 1000 } }],
      securityContext: { fsGroup: 2000, runAsNonRoot: true },
    };
    expect(notEnforcedFields(POD, { spec })).toEqual([
      'spec.topologySpreadConstraints',
      'spec.affinity.podAntiAffinity',
      'spec.containers[0].envFrom',
      'spec.containers[1].env[0].valueFrom.secretKeyRef',
      'spec.initContainers[0].securityContext',
      'spec.securityContext.runAsNonRoot',
    ]);
    expect(notEnforcedWarnings(DEPLOYMENT, { spec: { template: { spec } } })[0]).toBe('spec.template.spec.topologySpreadConstraints is stored but not enforced');
  });

  it('ignores empty values and what the previous object already had', () => {
    expect(notEnforcedFields(POD, { spec: { volumes: [], securityContext: {}, hostNetwork: false, containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] } })).toEqual([]);
    const before = { spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'a' }] } };
    const after = { spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'a', lifecycle: { preStop: { sleep: { seconds: 1 } } } }] } };
    expect(notEnforcedFields(POD, after, before)).toEqual(['spec.containers[0].lifecycle']);
  });

  it('knows nothing of kinds without such fields', () => {
    expect(notEnforcedFields({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }, { spec: { holderIdentity: 'x' } })).toEqual([]);
  });
});
