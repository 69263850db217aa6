import type { KubeObject } from '../object.ts';
import { RESOURCES } from '../resources.ts';
import { applyDefaults } from '../defaults/index.ts';
import { invalidMessage, validateCreate, validateUpdate } from './index.ts';

const res = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

function pod(spec: object, meta: object = { name: 'p', namespace: 'default' }): KubeObject {
  return applyDefaults(res('Pod'), { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec } as KubeObject);
}

function deployment(spec: object, name = 'web'): KubeObject {
  return applyDefaults(res('Deployment'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' }, spec } as KubeObject);
}

const template = (labels: Record<string, string>, containers: object[] = [{ name: 'c', image: 'nginx' }]) => ({ metadata: { labels }, spec: { containers } });

describe('pods', () => {
  it('accepts a defaulted minimal pod', () => {
    expect(validateCreate(res('Pod'), pod({ containers: [{ name: 'c', image: 'nginx' }] }))).toEqual([]);
  });

  it('reports the name with the exact Kubernetes message', () => {
    const causes = validateCreate(res('Pod'), pod({ containers: [{ name: 'c', image: 'nginx' }] }, { name: 'Bad_Name', namespace: 'default' }));
    expect(causes).toEqual([{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}` }]);
  });

  it('returns every failing field, not just the first', () => {
    const causes = validateCreate(
      res('Pod'),
      pod({
        containers: [
          { name: 'c', image: '', ports: [{ containerPort: 70000 }] },
          { name: 'c', image: 'x', imagePullPolicy: 'Sometimes', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
          { name: 'Upper', image: 'x' },
        ],
        restartPolicy: 'Sometimes',
      }),
    );
    const byField = Object.fromEntries(causes.map((c) => [c.field, c]));
    expect(byField['spec.containers[0].image']).toEqual({ reason: 'FieldValueRequired', field: 'spec.containers[0].image', message: 'Required value' });
    expect(byField['spec.containers[0].ports[0].containerPort'].message).toBe('Invalid value: 70000: must be between 1 and 65535, inclusive');
    expect(byField['spec.containers[1].name']).toEqual({ reason: 'FieldValueDuplicate', field: 'spec.containers[1].name', message: 'Duplicate value: "c"' });
    expect(byField['spec.containers[1].imagePullPolicy'].message).toBe('Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"');
    expect(byField['spec.containers[1].resources.requests'].message).toBe('Invalid value: "2": must be less than or equal to cpu limit of 1');
    expect(byField['spec.containers[2].name'].message).toBe(`Invalid value: "Upper": ${LABEL_MSG}`);
    expect(byField['spec.restartPolicy'].message).toBe('Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
  });

  it('requires containers, namespace and a name', () => {
    const causes = validateCreate(res('Pod'), pod({ containers: [] }, {}));
    expect(causes.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'metadata.name: Required value: name or generateName is required',
      'metadata.namespace: Required value',
      'spec.containers: Required value',
    ]);
  });

  it('validates labels, probes, affinity, tolerations, env and volume mounts', () => {
    const causes = validateCreate(
      res('Pod'),
      pod(
        {
          containers: [
            {
              name: 'c',
              image: 'x',
              livenessProbe: { successThreshold: 2, periodSeconds: -1 },
              readinessProbe: { httpGet: { port: 'way-too-long-port-name' }, exec: { command: ['true'] } },
              env: [{ name: 'A=B' }, { name: 'X', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              volumeMounts: [{ name: 'missing', mountPath: '/a' }],
              resources: { requests: { cpu: 'lots', 'foo': '1' } },
            },
          ],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In' }, { key: 'k', operator: 'Gt', values: ['1', '2'] }, { key: 'k', operator: 'Near' }] }] },
              preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }],
            },
          },
          tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Exists', value: 'v' }],
        },
        { name: 'p', namespace: 'default', labels: { 'bad key!': 'ok', ok: 'bad value!' } },
      ),
    );
    const fields = causes.map((c) => `${c.field}: ${c.message}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^metadata\.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters/),
        expect.stringMatching(/^metadata\.labels: Invalid value: "bad value!": a valid label must be an empty string/),
        'spec.containers[0].livenessProbe: Required value: must specify a handler type',
        'spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0',
        'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
        'spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
        "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
        'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
        'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
        expect.stringMatching(/^spec\.containers\[0\]\.resources\.requests\[cpu\]: Invalid value: "lots": quantities must match/),
        'spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource for containers',
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
        'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
        'spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
        "spec.tolerations[1].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
      ]),
    );
  });

  it('forbids pod spec changes other than images', () => {
    const old = pod({ containers: [{ name: 'c', image: 'nginx:1' }] });
    expect(validateUpdate(res('Pod'), { ...old, spec: { ...old.spec, containers: [{ ...old.spec.containers[0], image: 'nginx:2' }] } }, old)).toEqual([]);
    const causes = validateUpdate(res('Pod'), { ...old, spec: { ...old.spec, restartPolicy: 'Never' } }, old);
    expect(causes).toHaveLength(1);
    expect(causes[0].field).toBe('spec');
    expect(causes[0].message).toMatch(/^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
    expect(causes[0].message).toContain('spec.restartPolicy');
    const renamed = validateUpdate(res('Pod'), { ...old, metadata: { ...old.metadata, name: 'q' } }, old);
    expect(renamed).toEqual([{ reason: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: "q": field is immutable' }]);
  });
});

describe('deployments', () => {
  it('accepts a defaulted deployment', () => {
    expect(validateCreate(res('Deployment'), deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }))).toEqual([]);
  });

  it('reports the selector/labels mismatch exactly', () => {
    const causes = validateCreate(res('Deployment'), deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'other' }) }));
    expect(causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.template.metadata.labels',
        message: 'Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
      },
    ]);
    expect(invalidMessage('apps', 'Deployment', 'web', causes)).toBe(
      'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );
  });

  it('requires a selector and rejects negative replicas, bad strategy and restartPolicy', () => {
    const d = deployment({ replicas: -1, template: { ...template({ app: 'web' }), spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Never' } } });
    d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '200%' } };
    d.spec.progressDeadlineSeconds = 5;
    d.spec.minReadySeconds = 10;
    const fields = validateCreate(res('Deployment'), d).map((c) => `${c.field}: ${c.message}`);
    expect(fields).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"200%"}: must not be greater than 100%',
      'spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds',
    ]);
  });

  it('rejects empty selectors and both-zero rolling updates', () => {
    const d = deployment({ selector: {}, template: template({ app: 'web' }) });
    d.spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 };
    expect(validateCreate(res('Deployment'), d).map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ]);
  });

  it('makes the selector immutable on update', () => {
    const old = deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web', v: '1' }) });
    const next = deployment({ selector: { matchLabels: { app: 'web', v: '1' } }, template: template({ app: 'web', v: '1' }) });
    expect(validateUpdate(res('Deployment'), next, old)).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.selector',
        message:
          'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"1"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      },
    ]);
    expect(validateUpdate(res('Deployment'), { ...old, spec: { ...old.spec, replicas: 5 } }, old)).toEqual([]);
  });
});

describe('other kinds', () => {
  it('validates replica sets and replication controllers', () => {
    const rs = applyDefaults(res('ReplicaSet'), { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', namespace: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }) } } as KubeObject);
    expect(validateCreate(res('ReplicaSet'), rs)).toEqual([]);
    const rc = applyDefaults(res('ReplicationController'), { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r', namespace: 'd' }, spec: { template: template({ a: 'b' }) } } as KubeObject);
    expect(validateCreate(res('ReplicationController'), rc)).toEqual([]);
    const noSel = { ...rc, spec: { ...rc.spec, selector: { a: 'c' } } };
    expect(validateCreate(res('ReplicationController'), noSel).map((c) => c.field)).toEqual(['spec.template.metadata.labels']);
  });

  it('validates services', () => {
    const svc = (spec: object, name = 'web') =>
      applyDefaults(res('Service'), { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'd' }, spec } as KubeObject);
    expect(validateCreate(res('Service'), svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }))).toEqual([]);
    const fields = validateCreate(res('Service'), svc({ ports: [{ port: 80, nodePort: 30000 }, { port: 0 }], type: 'Weird' }, '1web')).map((c) => `${c.field}: ${c.message}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^metadata\.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters/),
        'spec.ports[0].name: Required value',
        'spec.ports[1].name: Required value',
        'spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.type: Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ]),
    );
    expect(validateCreate(res('Service'), svc({ ports: [{ port: 80, nodePort: 30000 }] })).map((c) => `${c.field}: ${c.message}`)).toEqual([
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]);
    const old = svc({ ports: [{ port: 80 }], clusterIP: '10.0.0.1' });
    expect(validateUpdate(res('Service'), { ...old, spec: { ...old.spec, clusterIP: '10.0.0.2' } }, old).map((c) => c.field)).toEqual(['spec.clusterIPs[0]']);
  });

  it('validates namespaces, nodes, endpoints, events and leases', () => {
    expect(validateCreate(res('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }).map((c) => c.message)).toEqual([
      'Invalid value: "a.b": must not contain dots',
    ]);
    expect(validateCreate(res('Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', namespace: 'x' } }).map((c) => `${c.field}: ${c.message}`)).toEqual([
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: 'nope', taints: [{ key: 'k', effect: 'Sometimes' }] }, status: { capacity: { cpu: '-1' } } };
    expect(validateCreate(res('Node'), node).map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.podCIDRs[0]: Invalid value: "nope": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'status.capacity[cpu]: Invalid value: "-1": must be greater than or equal to 0',
    ]);
    const ep = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e', namespace: 'd' }, subsets: [{ addresses: [{ ip: '10.0.0.300' }], ports: [{ port: 80, protocol: 'TCP' }] }] };
    expect(validateCreate(res('Endpoints'), ep).map((c) => c.field)).toEqual(['subsets[0].addresses[0].ip']);
    const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'a' }, involvedObject: { namespace: 'b' } };
    expect(validateCreate(res('Event'), ev).map((c) => `${c.field}: ${c.message}`)).toEqual(['involvedObject.namespace: Invalid value: "b": does not match event.namespace']);
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'd' }, spec: { leaseDurationSeconds: 0 } };
    expect(validateCreate(res('Lease'), lease).map((c) => c.field)).toEqual(['spec.leaseDurationSeconds']);
  });

  it('formats multi-cause messages like errors.NewInvalid', () => {
    expect(
      invalidMessage('', 'Pod', 'p', [
        { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' },
        { reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.namespace' },
      ]),
    ).toBe('Pod "p" is invalid: [spec.containers: Required value, metadata.namespace: Required value]');
  });
});

describe('hostile resource names', () => {
  it('reports rather than crashes on prototype-named resources', () => {
    const p = pod({ containers: [{ name: 'c', image: 'x', resources: { requests: { constructor: '1' }, limits: { toString: '1' } } }] });
    const fields = validateCreate(res('Pod'), p).map((c) => c.field);
    expect(fields).toContain('spec.containers[0].resources.requests[constructor]');
    expect(fields).toContain('spec.containers[0].resources.limits[toString]');
  });
});

describe('string rules', () => {
  it('uses the 1.32 wording for lengths and qualified names', () => {
    const long = 'a'.repeat(64);
    const causes = validateCreate(res('Pod'), pod({ containers: [{ name: 'c', image: 'x' }] }, { name: 'p', namespace: 'default', labels: { k: long, 'a/b/c': 'v' } }));
    expect(causes.map((c) => c.message)).toEqual([
      `Invalid value: "${long}": must be no more than 63 characters`,
      "Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
  });
});
