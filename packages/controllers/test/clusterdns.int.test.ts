// The cluster DNS Service (controllers/src/clusterdns) against a real API server over HTTPS, the
// controller manager under its own identity (system:kube-controller-manager, RBAC as deployed):
// kube-dns in kube-system, labelled as kubectl cluster-info looks for it, with every node's DNS
// address as its endpoints; and real kubectl cluster-info printing the control plane and it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, until, type TestServer } from '@skiff/apiserver/testing';
import { ApiError, RestClient } from '@skiff/client';
import { createControllerManager, type ControllerManager } from '../src/index.ts';
import { ENDPOINTS, NODES, SERVICES } from '../src/lib/resources.ts';

const run = promisify(execFile);
let server: TestServer;
let admin: RestClient;
let manager: ControllerManager;
let cache: string;

beforeAll(async () => {
  server = await startTestServer({ https: true });
  const tls = server.tls!;
  admin = new RestClient({ server: server.url, ca: tls.ca, ...tls.admin });
  manager = createControllerManager({ server: server.url, ca: tls.ca, ...(await tls.issue({ commonName: 'system:kube-controller-manager' })), leaderElect: false, controllers: ['nodeipam', 'clusterdns'], clusterCIDR: '10.60.0.0/16', log: () => {} });
  void manager.start();
  cache = mkdtempSync(join(tmpdir(), 'skiff-clusterdns-'));
}, 30_000);
afterAll(async () => {
  await manager?.stop();
  admin?.close();
  await server?.close();
  rmSync(cache, { recursive: true, force: true });
});

const dnsAddresses = async () => {
  const ep = await admin.get(ENDPOINTS, 'kube-system', 'kube-dns').catch(() => undefined);
  const subsets = (ep?.subsets ?? []) as { addresses?: { ip: string; nodeName: string }[] }[];
  return (subsets[0]?.addresses ?? []).map((a) => `${a.nodeName}=${a.ip}`);
};

test('kube-dns in kube-system: headless, labelled kubernetes.io/cluster-service=true, its endpoints every node\'s DNS address', async () => {
  for (const n of ['dns-a', 'dns-b']) await admin.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: n }, spec: {} });
  const svc = await until('the kube-dns Service', () => admin.get(SERVICES, 'kube-system', 'kube-dns').catch(() => undefined), 10_000);
  expect(svc.metadata.labels).toEqual({ 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'KubeDNS' });
  expect(svc.spec).toMatchObject({ clusterIP: 'None', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] });
  expect(svc.spec.selector).toBeUndefined();
  const cidrs = async () => Object.fromEntries((await admin.list(NODES)).items.map((n) => [n.metadata.name, n.spec?.podCIDR as string]));
  await until('both nodes have a pod CIDR', async () => Object.values(await cidrs()).every(Boolean), 10_000);
  const gw = (cidr: string) => cidr.replace(/\.0\/24$/, '.1');
  const c = await cidrs();
  await until('the endpoints name both nodes\' DNS', async () => (await dnsAddresses()).length === 2, 10_000);
  expect(await dnsAddresses()).toEqual([`dns-a=${gw(c['dns-a'])}`, `dns-b=${gw(c['dns-b'])}`]);
  const ep = await admin.get(ENDPOINTS, 'kube-system', 'kube-dns');
  expect((ep.subsets as { ports: unknown }[])[0].ports).toEqual([{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }]);
  // A node gone: its address goes.
  await admin.delete(NODES, undefined, 'dns-b');
  await until('dns-b dropped', async () => (await dnsAddresses()).join() === `dns-a=${gw(c['dns-a'])}`, 10_000);
});

test('kubectl cluster-info prints the control plane and the cluster DNS, as against Kubernetes', async () => {
  const r = await run('/usr/bin/kubectl', ['cluster-info', '--kubeconfig', server.tls!.kubeconfig, '--cache-dir', join(cache, 'http')]);
  // eslint-disable-next-line no-control-regex
  const plain = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  expect(plain).toBe(
    `Kubernetes control plane is running at ${server.url}\n` +
      `KubeDNS is running at ${server.url}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\n` +
      "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
  );
  // skiff serves no services/proxy: the link kubectl prints is a 404 (ADR 0002).
  const proxied = await admin.transport.request({ method: 'GET', path: '/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy' }).then(() => undefined, (e: ApiError) => e);
  expect(proxied).toMatchObject({ code: 404, reason: 'NotFound' });
});

test('deleted, the Service is made again; one its owner edits is left as edited', async () => {
  await admin.delete(SERVICES, 'kube-system', 'kube-dns');
  await until('kube-dns made again', async () => {
    const s = await admin.get(SERVICES, 'kube-system', 'kube-dns').catch(() => undefined);
    return !!s && !s.metadata.deletionTimestamp;
  }, 10_000);
  await admin.patch(SERVICES, 'kube-system', 'kube-dns', { metadata: { labels: { 'kubernetes.io/name': 'MyDNS' } } });
  await until('the edit stays', async () => (await admin.get(SERVICES, 'kube-system', 'kube-dns')).metadata.labels?.['kubernetes.io/name'] === 'MyDNS', 5000);
  const r = await run('/usr/bin/kubectl', ['cluster-info', '--kubeconfig', server.tls!.kubeconfig, '--cache-dir', join(cache, 'http')]);
  expect(r.stdout).toContain('MyDNS');
});
