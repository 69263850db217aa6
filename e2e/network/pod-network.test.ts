// The pod network on one Docker engine with two nodes: each node gets its own /24 of the cluster
// CIDR, every pod an address of it (held by its holder container), pods reach each other across
// nodes, a sidecar reaches its app over localhost also after the app container restarts, and a
// hostNetwork pod has the node's address (and, with ClusterFirstWithHostNet, the cluster DNS).
// Removing a holder behind the agent's back gives the pod
// a new namespace with its containers restarted in it.
// (busybox-static's `wget -T` crashes, hence `timeout 5 wget`.)
import { request } from 'node:http';
import { cidrContains, parseIPv4CIDR, type KubeObject } from '@skiff/api';
import { podNetworkName } from '@skiff/agent';
import { containerStatus, docker, dockerIds, getPod, isReady, NODES as NODE_RES, startCluster, until, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const NODES = [
  { name: 'e2e-net-1', ip: '127.0.9.1' },
  { name: 'e2e-net-2', ip: '127.0.9.2' },
];
const CLUSTER_CIDR = '10.137.0.0/16';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES, clusterCIDR: CLUSTER_CIDR });
}, 30_000);
afterAll(async () => {
  await cluster?.close();
}, 30_000);

const web = (name: string, node: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: { app: ${name} } }
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: skiff/busybox:1
      command: ["sh", "-c", "mkdir -p /www/cgi-bin && echo \\"hello from $(hostname)\\" > /www/index.html && printf '#!/bin/sh\\\\necho Content-Type: text/plain\\\\necho\\\\necho $REMOTE_ADDR\\\\n' > /www/cgi-bin/peer && chmod +x /www/cgi-bin/peer && exec httpd -f -p 8080 -h /www"]
      readinessProbe: { httpGet: { path: /index.html, port: 8080 }, periodSeconds: 1 }
    - name: sidecar
      image: skiff/busybox:1
      command: ["sleep", "3600"]
`;

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/index.html', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${host}:${port}/ timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const readyPod = (name: string) => until(`${name} Ready with an IP`, async () => {
  const p = await getPod(cluster.client, NS, name);
  return isReady(p) && p.status?.podIP && p;
}, 30_000);
const podCIDR = async (node: string) => (await cluster.client.get(NODE_RES, undefined, node)).spec?.podCIDR as string;
const exec = (pod: string, container: string, cmd: string[]) => cluster.kubectl.run(['exec', pod, '-c', container, '--', ...cmd]);

describe('the pod network', () => {
  let a: KubeObject;
  let b: KubeObject;

  test('each node has its own /24 of the cluster CIDR and a Docker network with that subnet', async () => {
    const cidrs = await until('both nodes have a pod CIDR', async () => {
      const cs = await Promise.all(NODES.map((n) => podCIDR(n.name)));
      return cs.every(Boolean) && cs;
    });
    expect(new Set(cidrs).size).toBe(2);
    for (const c of cidrs) expect(c).toMatch(/^10\.137\.\d+\.0\/24$/);
    await cluster.kubectl.ok(['apply', '-f', '-'], web('net-a', NODES[0].name) + '---\n' + web('net-b', NODES[1].name));
    a = await readyPod('net-a');
    b = await readyPod('net-b');
    for (const [i, n] of NODES.entries()) {
      const subnet = (await docker(['network', 'inspect', podNetworkName(n.name), '-f', '{{(index .IPAM.Config 0).Subnet}}'])).trim();
      expect(subnet).toBe(cidrs[i]);
    }
    expect(cidrContains(parseIPv4CIDR(await podCIDR(NODES[0].name))!, a.status!.podIP)).toBe(true);
    expect(cidrContains(parseIPv4CIDR(await podCIDR(NODES[1].name))!, b.status!.podIP)).toBe(true);
    expect(a.status!.podIPs).toEqual([{ ip: a.status!.podIP }]);
  }, 60_000);

  test('the host and pods on the other node reach a pod at its IP', async () => {
    expect(await httpGet(a.status!.podIP, 8080)).toBe('hello from net-a\n');
    const r = await exec('net-a', 'sidecar', ['timeout', '5', 'wget', '-qO-', `http://${b.status!.podIP}:8080/index.html`]);
    expect(r).toMatchObject({ code: 0, stdout: 'hello from net-b\n' });
    const back = await exec('net-b', 'sidecar', ['timeout', '5', 'wget', '-qO-', `http://${a.status!.podIP}:8080/index.html`]);
    expect(back).toMatchObject({ code: 0, stdout: 'hello from net-a\n' });
  });

  test('pod-to-pod traffic keeps its source address (no masquerade between pods)', async () => {
    const r = await exec('net-a', 'sidecar', ['timeout', '5', 'wget', '-qO-', `http://${b.status!.podIP}:8080/cgi-bin/peer`]);
    expect(r.code).toBe(0);
    // busybox httpd listens on IPv6 too and shows IPv4 peers in their mapped form.
    expect(r.stdout.trim().replace(/^\[::ffff:(.*)\]$/, '$1')).toBe(a.status!.podIP);
  });

  test('containers of a pod share localhost, also after the app container restarts', async () => {
    const holdersBefore = await dockerIds(['--filter', `label=dev.skiff.holder.pod-uid=${a.metadata.uid}`]);
    expect(holdersBefore).toHaveLength(1);
    expect(await exec('net-a', 'sidecar', ['timeout', '5', 'wget', '-qO-', 'http://localhost:8080/index.html'])).toMatchObject({ code: 0, stdout: 'hello from net-a\n' });
    const app = containerStatus(a, 'app')!.containerID!.replace('docker://', '');
    await docker(['kill', app]);
    const restarted = await until('app restarted and Ready', async () => {
      const p = await getPod(cluster.client, NS, 'net-a');
      return containerStatus(p, 'app')!.restartCount === 1 && isReady(p) && p;
    }, 30_000);
    expect(restarted.status!.podIP).toBe(a.status!.podIP);
    expect(await dockerIds(['--filter', `label=dev.skiff.holder.pod-uid=${a.metadata.uid}`])).toEqual(holdersBefore);
    expect(await exec('net-a', 'sidecar', ['timeout', '5', 'wget', '-qO-', 'http://localhost:8080/index.html'])).toMatchObject({ code: 0, stdout: 'hello from net-a\n' });
  }, 60_000);

  test('a holder removed behind the agent\'s back: the pod gets a new namespace and its containers restart in it', async () => {
    const [holder] = await dockerIds(['--filter', `label=dev.skiff.holder.pod-uid=${b.metadata.uid}`]);
    await docker(['rm', '-f', holder]);
    const p = await until('net-b restarted in a new holder and Ready', async () => {
      const x = await getPod(cluster.client, NS, 'net-b');
      return (containerStatus(x, 'app')?.restartCount ?? 0) >= 1 && (containerStatus(x, 'sidecar')?.restartCount ?? 0) >= 1 && isReady(x) && x;
    }, 30_000);
    const [now] = await dockerIds(['--filter', `label=dev.skiff.holder.pod-uid=${b.metadata.uid}`]);
    expect(now).not.toBe(holder);
    expect(await httpGet(p.status!.podIP, 8080)).toBe('hello from net-b\n');
  }, 60_000);

  test('a hostNetwork pod has the node\'s address and no holder', async () => {
    await cluster.kubectl.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Pod
metadata: { name: net-host }
spec:
  nodeName: ${NODES[1].name}
  hostNetwork: true
  terminationGracePeriodSeconds: 1
  containers:
    - { name: main, image: skiff/busybox:1, command: ["sleep", "3600"] }
`);
    const p = await readyPod('net-host');
    expect(p.status!.podIP).toBe(NODES[1].ip);
    expect(await dockerIds(['--filter', `label=dev.skiff.holder.pod-uid=${p.metadata.uid}`])).toEqual([]);
    const mode = (await docker(['inspect', '-f', '{{.HostConfig.NetworkMode}}', containerStatus(p)!.containerID!.replace('docker://', '')])).trim();
    expect(mode).toBe('host');
  }, 60_000);

  test('a hostNetwork pod with dnsPolicy ClusterFirstWithHostNet asks the cluster DNS; with ClusterFirst, the host\'s', async () => {
    await cluster.kubectl.ok(['apply', '-f', '-'], `
apiVersion: v1
kind: Service
metadata: { name: net-a }
spec:
  selector: { app: net-a }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: net-host-dns }
spec:
  nodeName: ${NODES[1].name}
  hostNetwork: true
  dnsPolicy: ClusterFirstWithHostNet
  terminationGracePeriodSeconds: 1
  containers:
    - { name: main, image: skiff/busybox:1, command: ["sleep", "3600"] }
`);
    await readyPod('net-host-dns');
    const gateway = (await podCIDR(NODES[1].name)).replace(/0\/24$/, '1');
    const conf = await cluster.kubectl.ok(['exec', 'net-host-dns', '--', 'cat', '/etc/resolv.conf']);
    expect(conf).toMatch(new RegExp(`^nameserver ${gateway.replace(/\./g, '\\.')}$`, 'm'));
    expect(conf).toMatch(/^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\b/m);
    expect(conf).toMatch(/^options ndots:5$/m);
    const svc = await cluster.client.get({ group: '', version: 'v1', plural: 'services', scope: 'Namespaced' }, NS, 'net-a');
    const r = await cluster.kubectl.run(['exec', 'net-host-dns', '--', 'nslookup', '-type=a', 'net-a']);
    expect(r.stdout).toContain(`Address: ${svc.spec!.clusterIP}`);
    // The first hostNetwork pod (ClusterFirst) kept the host's resolv.conf, as the kubelet does.
    expect(await cluster.kubectl.ok(['exec', 'net-host', '--', 'cat', '/etc/resolv.conf'])).not.toContain(`nameserver ${gateway}`);
  }, 60_000);

  test('deleting a pod removes its holder', async () => {
    await cluster.kubectl.ok(['delete', 'pod', 'net-a', '--wait=true']);
    expect(await dockerIds(['--filter', `label=dev.skiff.holder.pod-uid=${a.metadata.uid}`])).toEqual([]);
  }, 30_000);
});
