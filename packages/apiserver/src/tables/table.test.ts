import { RESOURCES } from '@skiff/api';
import type { KubeObject, ResourceInfo } from '@skiff/api';
import { toTable } from './table.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');
/** An RFC 3339 timestamp `ms` before NOW. */
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace('.000Z', 'Z');
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

function res(plural: string): ResourceInfo {
  const r = RESOURCES.find((x) => x.plural === plural);
  if (!r) throw new Error(plural);
  return r;
}

function cellsOf(plural: string, obj: KubeObject): unknown[] {
  return toTable(res(plural), [obj], { now: NOW }).rows[0].cells;
}

function columnNames(plural: string): string[] {
  return toTable(res(plural), [], { now: NOW }).columnDefinitions.map((c) => (c.priority ? `${c.name}*` : c.name));
}

function pod(status: any, extra: { spec?: any; metadata?: any } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', uid: 'u1', creationTimestamp: ago(5 * M + 3 * S), ...extra.metadata },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], nodeName: 'node-a', ...extra.spec },
    status,
  };
}

const running = (name = 'web', restartCount = 0, lastFinishedAgo?: number) => ({
  name,
  ready: true,
  started: true,
  restartCount,
  state: { running: { startedAt: ago(M) } },
  ...(lastFinishedAgo !== undefined
    ? { lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(lastFinishedAgo) } } }
    : {}),
});

describe('Table envelope', () => {
  const p = pod({ phase: 'Running', podIP: '10.0.0.5', containerStatuses: [running()] });

  it('has the meta.k8s.io/v1 shape with the list version', () => {
    const t = toTable(res('pods'), [p], { now: NOW, resourceVersion: '42', continue: 'abc' });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata).toEqual({ resourceVersion: '42', continue: 'abc' });
    expect(t.columnDefinitions[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name', priority: 0 });
  });

  it('carries PartialObjectMetadata with the full metadata by default', () => {
    const t = toTable(res('pods'), [p], { now: NOW });
    expect(t.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: p.metadata });
  });

  it('carries the whole object with includeObject=Object and none with None', () => {
    expect(toTable(res('pods'), [p], { now: NOW, includeObject: 'Object' }).rows[0].object).toBe(p);
    expect(toTable(res('pods'), [p], { now: NOW, includeObject: 'None' }).rows[0]).not.toHaveProperty('object');
  });

  it('has one cell per column for every kind', () => {
    for (const r of RESOURCES) {
      const t = toTable(r, [{ apiVersion: 'v1', kind: r.kind, metadata: { name: 'x' } }], { now: NOW });
      expect(t.rows[0].cells).toHaveLength(t.columnDefinitions.length);
    }
  });
});

describe('pods', () => {
  it('has the kubectl columns, wide ones at priority 1', () => {
    expect(columnNames('pods')).toEqual([
      'Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*',
    ]);
  });

  it('prints a running pod', () => {
    const p = pod({ phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], containerStatuses: [running()] });
    expect(cellsOf('pods', p)).toEqual(['web-1', '1/1', 'Running', '0', '5m3s', '10.0.0.5', 'node-a', '<none>', '<none>']);
  });

  it('prints Pending for an unscheduled pod', () => {
    const p = pod({ phase: 'Pending' }, { spec: { nodeName: undefined } });
    expect(cellsOf('pods', p)).toEqual(['web-1', '0/1', 'Pending', '0', '5m3s', '<none>', '<none>', '<none>', '<none>']);
  });

  it('prints the waiting reason: ContainerCreating, CrashLoopBackOff', () => {
    const creating = pod({
      phase: 'Pending',
      containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
    });
    expect(cellsOf('pods', creating).slice(1, 4)).toEqual(['0/1', 'ContainerCreating', '0']);

    const crashing = pod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'web',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * S) } },
        },
      ],
    });
    expect(cellsOf('pods', crashing).slice(1, 4)).toEqual(['0/1', 'CrashLoopBackOff', '5 (5s ago)']);
  });

  it('adds "(… ago)" from the latest restart over all containers', () => {
    const p = pod(
      { phase: 'Running', containerStatuses: [running('a', 2, 3 * H), running('b', 1, 90 * S)] },
      { spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
    );
    expect(cellsOf('pods', p).slice(1, 4)).toEqual(['2/2', 'Running', '3 (90s ago)']);
  });

  it('prints the terminated reason: Completed, Error, OOMKilled, ExitCode, Signal', () => {
    const term = (t: any, phase = 'Failed') =>
      pod({ phase, containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { terminated: t } }] });
    expect(cellsOf('pods', term({ exitCode: 0, reason: 'Completed' }, 'Succeeded'))[2]).toBe('Completed');
    expect(cellsOf('pods', term({ exitCode: 1, reason: 'Error' }))[2]).toBe('Error');
    expect(cellsOf('pods', term({ exitCode: 137, reason: 'OOMKilled' }))[2]).toBe('OOMKilled');
    expect(cellsOf('pods', term({ exitCode: 3 }))[2]).toBe('ExitCode:3');
    expect(cellsOf('pods', term({ exitCode: 143, signal: 15 }))[2]).toBe('Signal:15');
  });

  it('marks succeeded and failed rows completed', () => {
    const t = toTable(res('pods'), [pod({ phase: 'Succeeded' })], { now: NOW });
    expect(t.rows[0].conditions).toEqual([
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
  });

  it('prints Running (or NotReady) when one container completed and another still runs', () => {
    const statuses = [running('a'), { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }];
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    const ready = pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: statuses }, { spec });
    const notReady = pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: statuses }, { spec });
    expect(cellsOf('pods', ready).slice(1, 3)).toEqual(['1/2', 'Running']);
    expect(cellsOf('pods', notReady).slice(1, 3)).toEqual(['1/2', 'NotReady']);
  });

  it('prints Terminating for a pod being deleted, but not for a finished one', () => {
    const deleting = pod({ phase: 'Running', containerStatuses: [running()] }, { metadata: { deletionTimestamp: ago(-30 * S) } });
    expect(cellsOf('pods', deleting)[2]).toBe('Terminating');
    const done = pod(
      { phase: 'Succeeded', containerStatuses: [{ name: 'web', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
      { metadata: { deletionTimestamp: ago(0) } },
    );
    expect(cellsOf('pods', done)[2]).toBe('Completed');
    const lost = pod({ phase: 'Running', reason: 'NodeLost' }, { metadata: { deletionTimestamp: ago(0) } });
    expect(cellsOf('pods', lost)[2]).toBe('Unknown');
  });

  it('prints the pod reason (Evicted) and SchedulingGated', () => {
    expect(cellsOf('pods', pod({ phase: 'Failed', reason: 'Evicted' }))[2]).toBe('Evicted');
    const gated = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
    expect(cellsOf('pods', gated)[2]).toBe('SchedulingGated');
  });

  it('prints init container progress', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
    const waiting = pod(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'i1', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'i2', state: { running: {} } },
        ],
      },
      { spec },
    );
    expect(cellsOf('pods', waiting)[2]).toBe('Init:1/2');
    const failed = pod(
      { phase: 'Pending', initContainerStatuses: [{ name: 'i1', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
      { spec },
    );
    expect(cellsOf('pods', failed).slice(2, 4)).toEqual(['Init:CrashLoopBackOff', '2']);
    const errored = pod({ phase: 'Failed', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2 } } }] }, { spec });
    expect(cellsOf('pods', errored)[2]).toBe('Init:ExitCode:2');
  });

  it('counts a started sidecar as a container', () => {
    const p = pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} } }],
        containerStatuses: [running()],
      },
      { spec: { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] } },
    );
    expect(cellsOf('pods', p).slice(1, 4)).toEqual(['2/2', 'Running', '1']);
  });

  it('prints readiness gates true/total', () => {
    const p = pod(
      { phase: 'Running', containerStatuses: [running()], conditions: [{ type: 'example.com/lb', status: 'True' }] },
      { spec: { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] } },
    );
    expect(cellsOf('pods', p)[8]).toBe('1/2');
  });
});

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] },
};

describe('deployments', () => {
  it('has the kubectl columns', () => {
    expect(columnNames('deployments')).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
  });
  it('prints replicas and the selector', () => {
    const d: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', creationTimestamp: ago(2 * D + 3 * H) },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] },
        template,
      },
      status: { replicas: 3, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 },
    };
    expect(cellsOf('deployments', d)).toEqual(['web', '1/3', 2, 1, '2d3h', 'web,log', 'nginx:1.27,busybox', 'app=web,tier in (be,fe)']);
  });
  it('prints a fresh deployment without status', () => {
    const d: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', creationTimestamp: ago(4 * S) }, spec: { replicas: 2, template } };
    expect(cellsOf('deployments', d).slice(0, 5)).toEqual(['web', '0/2', 0, 0, '4s']);
  });
});

describe('replicasets and replicationcontrollers', () => {
  it('has the kubectl columns', () => {
    const want = ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*'];
    expect(columnNames('replicasets')).toEqual(want);
    expect(columnNames('replicationcontrollers')).toEqual(want);
    expect(toTable(res('replicasets'), []).columnDefinitions[1].type).toBe('integer');
  });
  it('prints a replicaset', () => {
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-7d4b9c8f5d', creationTimestamp: ago(10 * M + 30 * S) },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c8f5d' } }, template },
      status: { replicas: 3, readyReplicas: 2 },
    };
    expect(cellsOf('replicasets', rs)).toEqual([
      'web-7d4b9c8f5d', 3, 3, 2, '10m', 'web,log', 'nginx:1.27,busybox', 'app=web,pod-template-hash=7d4b9c8f5d',
    ]);
  });
  it('prints <none> for an empty selector', () => {
    const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'x' }, spec: { replicas: 0, selector: {} } };
    expect(cellsOf('replicasets', rs)).toEqual(['x', 0, 0, 0, '<unknown>', '', '', '<none>']);
  });
  it('prints a replicationcontroller with its map selector', () => {
    const rc: KubeObject = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'old', creationTimestamp: ago(3 * H + 20 * M) },
      spec: { replicas: 2, selector: { app: 'old', tier: 'be' }, template },
      status: { replicas: 2, readyReplicas: 2 },
    };
    expect(cellsOf('replicationcontrollers', rc)).toEqual(['old', 2, 2, 2, '3h20m', 'web,log', 'nginx:1.27,busybox', 'app=old,tier=be']);
  });
});

describe('services', () => {
  const svc = (spec: any, status?: any): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', creationTimestamp: ago(45 * S) },
    spec,
    status,
  });
  it('has the kubectl columns', () => {
    expect(columnNames('services')).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
  });
  it('prints a ClusterIP service', () => {
    const s = svc({ type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], selector: { app: 'dns' } });
    expect(cellsOf('services', s)).toEqual(['web', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP', '45s', 'app=dns']);
  });
  it('prints a NodePort service', () => {
    const s = svc({ type: 'NodePort', clusterIPs: ['10.96.1.2'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] });
    expect(cellsOf('services', s)).toEqual(['web', 'NodePort', '10.96.1.2', '<none>', '80:30080/TCP', '45s', '<none>']);
  });
  it('prints a LoadBalancer service, pending or with its ingress', () => {
    const spec = { type: 'LoadBalancer', clusterIPs: ['10.96.1.3'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] };
    expect(cellsOf('services', svc(spec))[3]).toBe('<pending>');
    expect(cellsOf('services', svc(spec, { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } }))[3]).toBe(
      '203.0.113.9,lb.example.com',
    );
  });
  it('prints headless and ExternalName services, and defaults type and protocol', () => {
    expect(cellsOf('services', svc({ clusterIP: 'None', ports: [{ port: 80 }] })).slice(1, 5)).toEqual(['ClusterIP', 'None', '<none>', '80/TCP']);
    expect(cellsOf('services', svc({ type: 'ExternalName', externalName: 'db.example.com' })).slice(1, 5)).toEqual([
      'ExternalName', '<none>', 'db.example.com', '<none>',
    ]);
  });
});

describe('endpoints', () => {
  const ep = (subsets: any): KubeObject => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', creationTimestamp: ago(M) }, subsets });
  it('prints <none> without subsets', () => {
    expect(cellsOf('endpoints', ep(undefined))).toEqual(['web', '<none>', '60s']);
  });
  it('prints up to three addresses then the count of the rest', () => {
    const subsets = [
      { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ name: 'http', port: 80 }] },
      { addresses: [{ ip: '10.0.0.3' }, { ip: '10.0.0.4' }], ports: [{ name: 'http', port: 80 }] },
    ];
    expect(cellsOf('endpoints', ep(subsets))[1]).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...');
    expect(cellsOf('endpoints', ep([subsets[0]]))[1]).toBe('10.0.0.1:80,10.0.0.2:80');
  });
  it('prints bare addresses for a portless subset', () => {
    expect(cellsOf('endpoints', ep([{ addresses: [{ ip: '10.0.0.9' }] }]))[1]).toBe('10.0.0.9');
  });
});

describe('nodes', () => {
  const node = (extra: { spec?: any; conditions?: any[]; labels?: any } = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', creationTimestamp: ago(30 * D), labels: extra.labels },
    spec: extra.spec ?? {},
    status: {
      conditions: extra.conditions ?? [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'node-a' }, { type: 'InternalIP', address: '192.168.1.10' }],
      nodeInfo: { kubeletVersion: 'v1.32.0-skiff', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'docker://27.3.1' },
    },
  });
  it('has the kubectl columns', () => {
    expect(columnNames('nodes')).toEqual([
      'Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*',
    ]);
  });
  it('prints a ready node', () => {
    expect(cellsOf('nodes', node())).toEqual([
      'node-a', 'Ready', '<none>', '30d', 'v1.32.0-skiff', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-18-amd64', 'docker://27.3.1',
    ]);
  });
  it('prints NotReady, Unknown and SchedulingDisabled', () => {
    expect(cellsOf('nodes', node({ conditions: [{ type: 'Ready', status: 'Unknown' }] }))[1]).toBe('NotReady');
    expect(cellsOf('nodes', node({ conditions: [] }))[1]).toBe('Unknown');
    expect(cellsOf('nodes', node({ spec: { unschedulable: true } }))[1]).toBe('Ready,SchedulingDisabled');
  });
  it('prints roles from labels', () => {
    const labels = { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'etcd', 'node-role.kubernetes.io/': '' };
    expect(cellsOf('nodes', node({ labels }))[2]).toBe('control-plane,etcd');
  });
});

describe('events', () => {
  const event = (extra: any = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web-1.17f3a', namespace: 'default', creationTimestamp: ago(2 * M) },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled',
    message: 'Successfully pulled image "nginx:1.27"\n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-a' },
    firstTimestamp: ago(2 * M),
    lastTimestamp: ago(30 * S),
    count: 3,
    ...extra,
  });
  it('has the kubectl columns', () => {
    expect(columnNames('events')).toEqual([
      'Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*',
    ]);
  });
  it('prints an event', () => {
    expect(cellsOf('events', event())).toEqual([
      '30s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{web}', 'kubelet, node-a', 'Successfully pulled image "nginx:1.27"', '2m', 3, 'web-1.17f3a',
    ]);
  });
  it('falls back to eventTime, series and the reporting component', () => {
    const e = event({
      firstTimestamp: undefined,
      lastTimestamp: undefined,
      count: undefined,
      eventTime: ago(5 * M),
      source: {},
      reportingComponent: 'skiff-scheduler',
      reportingInstance: '',
      involvedObject: { kind: 'Deployment' },
    });
    expect(cellsOf('events', e)).toEqual(['5m', 'Normal', 'Pulled', 'deployment', '', 'skiff-scheduler', 'Successfully pulled image "nginx:1.27"', '5m', 1, 'web-1.17f3a']);
    expect(cellsOf('events', event({ series: { count: 7, lastObservedTime: ago(9 * S) } })).slice(0, 1)).toEqual(['9s']);
  });
});

describe('namespaces and leases', () => {
  it('prints a namespace', () => {
    expect(columnNames('namespaces')).toEqual(['Name', 'Status', 'Age']);
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', creationTimestamp: ago(400 * D) }, status: { phase: 'Terminating' } };
    expect(cellsOf('namespaces', ns)).toEqual(['dev', 'Terminating', '400d']);
  });
  it('prints a lease', () => {
    expect(columnNames('leases')).toEqual(['Name', 'Holder', 'Age']);
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'skiff-controller-manager', namespace: 'kube-system', creationTimestamp: ago(9 * M + 59 * S) },
      spec: { holderIdentity: 'cm-1_3f2a', leaseDurationSeconds: 15 },
    };
    expect(cellsOf('leases', lease)).toEqual(['skiff-controller-manager', 'cm-1_3f2a', '9m59s']);
    expect(cellsOf('leases', { ...lease, spec: {} })[1]).toBe('');
  });
});
