import { RESOURCES } from '../resources.ts';
import type { KubeObject } from '../object.ts';
import { applyDefaults } from './index.ts';
import { defaultPullPolicy, imageTag } from './pod.ts';

const res = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;
const k = (o: KubeObject): KubeObject => o;
const obj = (kind: string, rest: Partial<KubeObject>): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name: 'x', namespace: 'd' }, ...rest });

describe('image pull policy', () => {
  it.each([
    ['nginx', 'Always', 'latest'],
    ['nginx:latest', 'Always', 'latest'],
    ['nginx:1.25', 'IfNotPresent', '1.25'],
    ['localhost:5000/nginx', 'Always', 'latest'],
    ['localhost:5000/nginx:v1', 'IfNotPresent', 'v1'],
    ['registry.example.com/team/app', 'Always', 'latest'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent', ''],
    ['Nginx', 'IfNotPresent', ''],
  ])('%s → %s', (image, policy, tag) => {
    expect(defaultPullPolicy(image)).toBe(policy);
    expect(imageTag(image)).toBe(tag);
  });
});

describe('applyDefaults', () => {
  it('defaults a pod like Kubernetes and does not touch the input', () => {
    const input = obj('Pod', {
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: '0.5', memory: '128Mi' } },
            livenessProbe: { httpGet: { port: 80 } },
            env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          },
        ],
        volumes: [{ name: 'v' }],
      },
    });
    const before = JSON.stringify(input);
    const out = applyDefaults(res('Pod'), input);
    expect(JSON.stringify(input)).toBe(before);
    expect(out.spec).toEqual({
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '500m', memory: '128Mi' } },
          livenessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
          env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }],
          imagePullPolicy: 'Always',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      volumes: [{ name: 'v', emptyDir: {} }],
      enableServiceLinks: true,
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
    });
  });

  it('defaults host ports under hostNetwork, only for pods', () => {
    const out = applyDefaults(res('Pod'), obj('Pod', { spec: { hostNetwork: true, containers: [{ name: 'c', image: 'a:1', ports: [{ containerPort: 8080 }] }] } }));
    expect(out.spec.containers[0].ports[0].hostPort).toBe(8080);
  });

  it('rounds quantities up to milli precision', () => {
    const out = applyDefaults(res('Pod'), obj('Pod', { spec: { containers: [{ name: 'c', image: 'a:1', resources: { requests: { cpu: '0.1m', memory: '1.5Gi' } } }] } }));
    expect(out.spec.containers[0].resources.requests).toEqual({ cpu: '1m', memory: '1536Mi' });
  });

  it('defaults deployments without pod-only defaults in the template', () => {
    const out = applyDefaults(res('Deployment'), k({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'a:1', resources: { limits: { cpu: '1' } } }] } } },
    }));
    expect(out.spec.replicas).toBe(1);
    expect(out.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    expect(out.spec.revisionHistoryLimit).toBe(10);
    expect(out.spec.progressDeadlineSeconds).toBe(600);
    expect(out.spec.template.spec.restartPolicy).toBe('Always');
    expect(out.spec.template.spec.enableServiceLinks).toBeUndefined();
    expect(out.spec.template.spec.containers[0].resources.requests).toBeUndefined();
    expect(out.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  it('keeps explicit values, including Recreate without rollingUpdate', () => {
    const out = applyDefaults(res('Deployment'), k({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: {},
      spec: { replicas: 0, strategy: { type: 'Recreate' }, revisionHistoryLimit: 2 },
    }));
    expect(out.spec.replicas).toBe(0);
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
    expect(out.spec.revisionHistoryLimit).toBe(2);
  });

  it('defaults replica sets and replication controllers', () => {
    expect(applyDefaults(res('ReplicaSet'), k({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: {}, spec: {} })).spec.replicas).toBe(1);
    const rc = applyDefaults(res('ReplicationController'), obj('ReplicationController', {
      spec: { template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    }));
    expect(rc.spec.selector).toEqual({ app: 'a' });
    expect(rc.metadata.labels).toEqual({ app: 'a' });
    expect(rc.spec.replicas).toBe(1);
  });

  it('defaults services', () => {
    const svc = applyDefaults(res('Service'), obj('Service', { spec: { ports: [{ port: 80 }, { port: 81, targetPort: 'http' }] } }));
    expect(svc.spec).toEqual({
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 81, protocol: 'TCP', targetPort: 'http' }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    });
    const lb = applyDefaults(res('Service'), obj('Service', { spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } }));
    expect(lb.spec.externalTrafficPolicy).toBe('Cluster');
    expect(lb.spec.allocateLoadBalancerNodePorts).toBe(true);
    expect(lb.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });

  it('defaults namespaces, nodes and endpoints', () => {
    const ns = applyDefaults(res('Namespace'), k({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }));
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team' });
    expect(ns.status).toEqual({ phase: 'Active' });
    const node = applyDefaults(res('Node'), k({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '2', memory: '4Gi' } } }));
    expect(node.status.allocatable).toEqual({ cpu: '2', memory: '4Gi' });
    const ep = applyDefaults(res('Endpoints'), obj('Endpoints', { subsets: [{ ports: [{ port: 80 }] }] }));
    expect((ep.subsets as any)[0].ports[0].protocol).toBe('TCP');
  });
});

