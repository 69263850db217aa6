// Rough cost of the per-create hot path for a typical Pod: decode → default → validate.
// Run: node packages/api/bench/pod.ts
import { applyDefaults, decodeObject, notEnforcedFields, RESOURCES, validateCreate } from '../src/index.ts';

const pod = RESOURCES.find((r) => r.kind === 'Pod')!;
const body = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-7d4b9c-x2k8p', namespace: 'default', labels: { app: 'web', 'pod-template-hash': '7d4b9c' } },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.25',
        ports: [{ containerPort: 80, name: 'http' }],
        env: [{ name: 'MODE', value: 'prod' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
        livenessProbe: { tcpSocket: { port: 80 } },
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  },
};

function time(label: string, n: number, f: () => unknown): void {
  for (let i = 0; i < 2000; i++) f();
  // CPU time rather than wall time: the machine is usually shared, and this is what we spend.
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const used = process.cpuUsage(t0);
  const us = (used.user + used.system) / n;
  console.log(`${label.padEnd(24)} ${us.toFixed(2)} µs/op`);
}

const decoded = decodeObject(pod, body);
if (!decoded.ok) throw new Error(decoded.message);
const defaulted = applyDefaults(pod, decoded.object);
if (validateCreate(pod, defaulted).length) throw new Error('bench pod should be valid');

const N = 20000;
time('decode', N, () => decodeObject(pod, body));
time('applyDefaults', N, () => applyDefaults(pod, decoded.object));
time('validateCreate', N, () => validateCreate(pod, defaulted));
time('notEnforcedFields', N, () => notEnforcedFields(pod, decoded.object));
time('decode+default+validate', N, () => {
  const d = decodeObject(pod, body);
  if (d.ok) validateCreate(pod, applyDefaults(pod, d.object));
});
