import { buildNode } from './node-object.ts';

const host = { cpus: 2, memoryBytes: 8 * 1024 ** 3, os: 'linux', arch: 'amd64', kernelVersion: '6.1', osImage: 'Debian', runtimeVersion: 'docker://20.10' };
const base = { name: 'n1', ip: '127.0.1.1', port: 10250, host, reserved: { cpuMilli: 100, memoryBytes: 256 * 1024 ** 2 }, ready: true, readyMessage: 'kubelet is posting ready status', now: new Date('2026-11-28T12:00:00Z') };

test('capacity from the host, allocatable less the reserve, labels, addresses and endpoint', () => {
  const n = buildNode(base);
  expect(n.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' });
  expect(n.status.capacity).toEqual({ cpu: '2', memory: '8388608Ki', pods: '110' });
  expect(n.status.allocatable).toEqual({ cpu: '1900m', memory: '8126464Ki', pods: '110' });
  expect(n.status.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.1.1' });
  expect(n.status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
  expect(n.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
});

test('flags override capacity; a not-ready runtime gives Ready=False and keeps transition times', () => {
  const n = buildNode({ ...base, capacity: { cpu: '8', memory: '16Gi', pods: '50' }, ready: false, readyMessage: 'container runtime is down', previous: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-11-28T11:00:00Z' }] });
  expect(n.status.capacity).toEqual({ cpu: '8', memory: '16Gi', pods: '50' });
  expect(n.status.allocatable.cpu).toBe('7900m');
  expect(n.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'False', lastTransitionTime: '2026-11-28T11:00:00Z', message: 'container runtime is down' });
});
