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
      hostAliases: [{ ip: '10.0.0.1', hostnames: ['db'] }],
      os: { name: 'linux' },
      // Enforced (the scheduler): no warning.
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
      affinity: { nodeAffinity: {}, podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [] } },
      containers: [{ name: 'a', resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }] }, { name: 'b', volumeMounts: [{ name: 'v', mountPath: '/v', mountPropagation: 'HostToContainer' }] }],
      initContainers: [{ name: 'i', securityContext: { runAsUser: 1000, seLinuxOptions: { level: 's0' } } }],
      securityContext: { fsGroup: 2000, runAsNonRoot: true, sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
    };
    expect(notEnforcedFields(POD, { spec })).toEqual([
      'spec.os',
      'spec.hostAliases',
      'spec.containers[0].resizePolicy',
      'spec.containers[1].volumeMounts[0].mountPropagation',
      'spec.initContainers[0].securityContext.seLinuxOptions',
      'spec.securityContext.sysctls',
    ]);
    expect(notEnforcedWarnings(DEPLOYMENT, { spec: { template: { spec } } })[0]).toBe('spec.template.spec.os is stored but not enforced');
  });

  it('ignores empty values and what the previous object already had', () => {
    expect(notEnforcedFields(POD, { spec: { volumes: [], securityContext: {}, hostNetwork: false, containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] } })).toEqual([]);
    const before = { spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'a' }] } };
    const after = { spec: { volumes: [{ name: 'v', emptyDir: {} }], containers: [{ name: 'a', resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }] }] } };
    expect(notEnforcedFields(POD, after, before)).toEqual(['spec.containers[0].resizePolicy']);
  });

  it('does not warn about what the agent enforces: env sources, init/sidecar containers, securityContext, hooks, termination messages, pull secrets', () => {
    const spec = {
      imagePullSecrets: [{ name: 'reg' }],
      securityContext: { runAsUser: 1000, runAsGroup: 3000, runAsNonRoot: true, supplementalGroups: [4000], fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [{ name: 'proxy', restartPolicy: 'Always' }],
      containers: [{
        name: 'a',
        envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'P_' }],
        env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'Y', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } }, { name: 'Z', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }],
        securityContext: { runAsUser: 1, privileged: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'Unconfined' } },
        lifecycle: { preStop: { sleep: { seconds: 1 } }, postStart: { exec: { command: ['true'] } } },
        terminationMessagePath: '/tmp/m',
        terminationMessagePolicy: 'FallbackToLogsOnError',
      }],
    };
    expect(notEnforcedFields(POD, { spec })).toEqual([]);
  });

  it('knows nothing of kinds without such fields', () => {
    expect(notEnforcedFields({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }, { spec: { holderIdentity: 'x' } })).toEqual([]);
  });
});
