// Two clusters on one kernel (as test files running side by side, or two `skiff up` clusters on
// one machine): each keeps to its own iptables chains (the pod network's), jumped to exactly once
// from the built-in chains, and its own nftables table (the service proxy's); pod-to-pod traffic keeps its source address in both; removing one cluster's rules
// leaves the other's whole. And an agent that was stopped without cleaning up (as a killed one
// is) finds what it left, even tampered with, and restores exactly its own rules when it starts
// again. The pod network's rules of a cluster are in ../../packages/agent/src/network/host-rules.ts.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { clusterChainPrefix, clusterTable } from '@skiff/agent';
import { getPod, isReady, startCluster, until, type TestCluster } from '../support/cluster.ts';

const run = promisify(execFile);
const NS = 'default';
const A = { nodes: [{ name: 'e2e-rules-a1', ip: '127.0.21.1' }, { name: 'e2e-rules-a2', ip: '127.0.21.2' }], cidr: '10.149.0.0/16' };
const B = { nodes: [{ name: 'e2e-rules-b1', ip: '127.0.22.1' }, { name: 'e2e-rules-b2', ip: '127.0.22.2' }], cidr: '10.150.0.0/16' };
let a: TestCluster | undefined;
let b: TestCluster | undefined;

beforeAll(async () => {
  // Both at once, each with the kernel service proxy on its first node: their agents program the kernel together.
  [a, b] = await Promise.all([
    startCluster({ nodes: A.nodes, clusterCIDR: A.cidr, agentOptions: (i) => ({ serviceProxy: i === 0 }) }),
    startCluster({ nodes: B.nodes, clusterCIDR: B.cidr, agentOptions: (i) => ({ serviceProxy: i === 0 }) }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
}, 60_000);

async function save(table: 'nat' | 'filter'): Promise<string[]> {
  return (await run('iptables-save', ['-t', table], { maxBuffer: 64 << 20 })).stdout.split('\n');
}
const nftTables = async () => (await run('nft', ['list', 'tables', 'ip'])).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
const chainsOf = (lines: string[], prefix: string) => lines.filter((l) => l.startsWith(`:${prefix}`)).map((l) => l.slice(1).split(' ')[0]);
const jumpsTo = (lines: string[], from: string, chain: string) => lines.filter((l) => l.startsWith(`-A ${from} `) && l.endsWith(` -j ${chain}`));
const rulesOf = (lines: string[], chain: string) => lines.filter((l) => l.startsWith(`-A ${chain} `));

/** The pod network's host rules of one cluster are all there, each jump exactly once. */
async function podNetworkRulesExact(cidr: string): Promise<boolean> {
  const p = clusterChainPrefix(cidr);
  const [nat, filter] = await Promise.all([save('nat'), save('filter')]);
  return jumpsTo(nat, 'POSTROUTING', `${p}PODNAT`).length === 1
    && jumpsTo(filter, 'DOCKER-USER', `${p}PODFWD`).length === 1
    && JSON.stringify(rulesOf(nat, `${p}PODNAT`)) === JSON.stringify([
      `-A ${p}PODNAT -m mark --mark 0x4000/0x4000 -j RETURN`,
      `-A ${p}PODNAT -s ${cidr} -d ${cidr} -m comment --comment "skiff: pod to pod keeps its source" -j ACCEPT`,
    ])
    && rulesOf(filter, `${p}PODFWD`).length === 2;
}

const peer = (name: string, node: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: { peer: ${name} } }
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: skiff/busybox:1
      command: ["sh", "-c", "mkdir -p /www/cgi-bin && printf '#!/bin/sh\\\\necho Content-Type: text/plain\\\\necho\\\\necho $REMOTE_ADDR\\\\n' > /www/cgi-bin/peer && chmod +x /www/cgi-bin/peer && exec httpd -f -p 8080 -h /www"]
      readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
`;

async function startPeers(c: TestCluster, nodes: { name: string }[]): Promise<[string, string]> {
  await c.kubectl.ok(['apply', '-f', '-'], peer('peer-1', nodes[0].name) + '---\n' + peer('peer-2', nodes[1].name));
  const ip = (name: string) => until(`${name} Ready with an IP`, async () => {
    const p = await getPod(c.client, NS, name);
    return isReady(p) && (p.status?.podIP as string | undefined);
  }, 40_000);
  return [await ip('peer-1'), await ip('peer-2')];
}

/** The address peer-2 sees when peer-1 calls it across nodes (busybox httpd shows IPv4 peers IPv6-mapped). */
async function seenSource(c: TestCluster, ip2: string): Promise<string> {
  const r = await c.kubectl.run(['exec', 'peer-1', '--', 'timeout', '5', 'wget', '-qO-', `http://${ip2}:8080/cgi-bin/peer`]);
  expect(r.code).toBe(0);
  return r.stdout.trim().replace(/^\[::ffff:(.*)\]$/, '$1');
}

describe('two clusters on one kernel', () => {
  let ipsA: [string, string];
  let ipsB: [string, string];

  test('each has its own chains, every jump to them once, and pod-to-pod traffic keeps its source in both', async () => {
    await until('both clusters\' pod network rules in place, each jump once', async () => (await podNetworkRulesExact(A.cidr)) && (await podNetworkRulesExact(B.cidr)), 20_000);
    await until('each cluster\'s service proxy has its table', async () => {
      const tables = await nftTables();
      return tables.includes(`table ip ${clusterTable(A.cidr)}`) && tables.includes(`table ip ${clusterTable(B.cidr)}`);
    }, 20_000);
    // The proxy writes no iptables chains.
    const nat = await save('nat');
    expect(chainsOf(nat, clusterChainPrefix(A.cidr))).toEqual([`${clusterChainPrefix(A.cidr)}PODNAT`]);
    [ipsA, ipsB] = await Promise.all([startPeers(a!, A.nodes), startPeers(b!, B.nodes)]);
    expect(await seenSource(a!, ipsA[1])).toBe(ipsA[0]);
    expect(await seenSource(b!, ipsB[1])).toBe(ipsB[0]);
  }, 90_000);

  test('both use the same ClusterIP for a Service: each cluster\'s pods reach their own cluster\'s', async () => {
    // As every cluster's `kubernetes` Service is 10.96.0.1: the service CIDRs of two clusters on one kernel overlap.
    const same = `apiVersion: v1
kind: Service
metadata: { name: same }
spec:
  clusterIP: 10.96.250.250
  selector: { peer: peer-2 }
  ports: [{ port: 80, targetPort: 8080 }]
`;
    await Promise.all([a!.kubectl.ok(['apply', '-f', '-'], same), b!.kubectl.ok(['apply', '-f', '-'], same)]);
    // peer-2 answers with the address it sees: its own cluster's peer-1 unmasqueraded (the other
    // cluster's table would masquerade a source outside its CIDR).
    const via = async (c: TestCluster) => {
      const r = await c.kubectl.run(['exec', 'peer-1', '--', 'timeout', '5', 'wget', '-qO-', 'http://10.96.250.250/cgi-bin/peer']);
      return r.code === 0 ? r.stdout.trim().replace(/^\[::ffff:(.*)\]$/, '$1') : `exit ${r.code}: ${r.stderr}`;
    };
    await until('the Service answers in both clusters', async () => (await via(a!)) === ipsA[0] && (await via(b!)) === ipsB[0], 20_000);
    for (let i = 0; i < 5; i++) {
      expect(await via(a!)).toBe(ipsA[0]);
      expect(await via(b!)).toBe(ipsB[0]);
    }
  }, 60_000);

  test('an agent stopped without cleaning up (as when killed) restores exactly its cluster\'s rules when it starts again', async () => {
    const p = clusterChainPrefix(B.cidr);
    // The second node's agent stops; the first stays (it serves the exec below, and it programmed
    // the rules once at its start and will not again).
    await b!.stopAgent(1);
    // What a killed earlier run, or the racy check-then-insert of older agents, may leave: the
    // jump doubled, and a rule in the cluster's chain that masquerades pod-to-pod traffic.
    await run('iptables', ['-w', '-t', 'nat', '-I', 'POSTROUTING', '1', '-j', `${p}PODNAT`]);
    await run('iptables', ['-w', '-t', 'nat', '-I', `${p}PODNAT`, '1', '-s', B.cidr, '-j', 'MASQUERADE']);
    expect(await podNetworkRulesExact(B.cidr)).toBe(false);
    expect(await seenSource(b!, ipsB[1])).not.toBe(ipsB[0]);
    await b!.startAgent(1);
    await until('cluster B\'s rules exactly restored', () => podNetworkRulesExact(B.cidr), 20_000);
    expect(await seenSource(b!, ipsB[1])).toBe(ipsB[0]);
    expect(await podNetworkRulesExact(A.cidr)).toBe(true);
  }, 90_000);

  test('closing one cluster removes its chains and jumps and leaves the other\'s working', async () => {
    const pa = clusterChainPrefix(A.cidr);
    await a!.close();
    a = undefined;
    const [nat, filter] = await Promise.all([save('nat'), save('filter')]);
    expect(chainsOf([...nat, ...filter], pa)).toEqual([]);
    expect([...nat, ...filter].filter((l) => l.includes(pa))).toEqual([]);
    expect(await nftTables()).not.toContain(`table ip ${clusterTable(A.cidr)}`);
    expect(await podNetworkRulesExact(B.cidr)).toBe(true);
    expect(await seenSource(b!, ipsB[1])).toBe(ipsB[0]);
  }, 60_000);
});
