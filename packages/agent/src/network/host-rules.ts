// The filter and nat rules the pod network needs next to Docker's own:
// - Docker's FORWARD policy is DROP and its isolation chains drop traffic between bridges and
//   new connections into a bridge. DOCKER-USER (which Docker jumps to first and never touches)
//   accepts traffic to and from the cluster CIDR, so pods reach pods on other nodes' bridges,
//   on this host or routed from another.
// - Docker masquerades everything leaving a bridge. Pod-to-pod traffic keeps its source address
//   (as Kubernetes requires), except what the service proxy marked for masquerade (hairpin,
//   traffic from outside the cluster CIDR).
// Each rule is added only when missing and names the cluster CIDR, so that two clusters sharing
// one kernel (test runs side by side on one machine) do not overwrite each other's rules.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The service proxy marks packets to masquerade with this bit, as kube-proxy does. */
export const MASQUERADE_MARK = '0x4000/0x4000';
const FORWARD_CHAIN = 'SKIFF-POD-FORWARD';
const NAT_CHAIN = 'SKIFF-POD-POSTROUTING';

interface Rule {
  table: 'filter' | 'nat';
  chain: string;
  spec: string[];
}

/** The pod network's rules, in order, for one cluster CIDR. */
export function computePodNetworkRules(clusterCIDR: string): Rule[] {
  return [
    { table: 'filter', chain: FORWARD_CHAIN, spec: ['-s', clusterCIDR, '-m', 'comment', '--comment', 'skiff: from pods', '-j', 'ACCEPT'] },
    { table: 'filter', chain: FORWARD_CHAIN, spec: ['-d', clusterCIDR, '-m', 'comment', '--comment', 'skiff: to pods', '-j', 'ACCEPT'] },
    // Marked packets go on to the service proxy's masquerade; the rest of pod-to-pod keeps its source.
    { table: 'nat', chain: NAT_CHAIN, spec: ['-m', 'mark', '--mark', MASQUERADE_MARK, '-j', 'RETURN'] },
    { table: 'nat', chain: NAT_CHAIN, spec: ['-s', clusterCIDR, '-d', clusterCIDR, '-m', 'comment', '--comment', 'skiff: pod to pod keeps its source', '-j', 'ACCEPT'] },
  ];
}

const iptables = (table: string, args: string[]) => run('iptables', ['-w', '-t', table, ...args]);

async function ensureChain(table: string, chain: string): Promise<void> {
  await iptables(table, ['-N', chain]).catch(() => undefined); // exists already
}

async function ensureRule(r: Rule, position?: number): Promise<void> {
  try {
    await iptables(r.table, ['-C', r.chain, ...r.spec]);
  } catch {
    await iptables(r.table, position ? ['-I', r.chain, String(position), ...r.spec] : ['-A', r.chain, ...r.spec]);
  }
}

export async function applyPodNetworkRules(clusterCIDR: string): Promise<void> {
  await ensureChain('filter', FORWARD_CHAIN);
  await ensureChain('nat', NAT_CHAIN);
  // The mark check first: inserted at the top, whatever is there already.
  const rules = computePodNetworkRules(clusterCIDR);
  for (const r of rules) await ensureRule(r, r.spec.includes('mark') ? 1 : undefined);
  await ensureChain('filter', 'DOCKER-USER'); // Docker creates it; made here when Docker has not run yet
  await ensureRule({ table: 'filter', chain: 'DOCKER-USER', spec: ['-j', FORWARD_CHAIN] }, 1);
  await ensureRule({ table: 'nat', chain: 'POSTROUTING', spec: ['-j', NAT_CHAIN] }, 1);
}

/** Removes one cluster's rules, and the chains once they are empty (skiff down, tests). */
export async function removePodNetworkRules(clusterCIDR: string): Promise<void> {
  for (const r of computePodNetworkRules(clusterCIDR)) {
    if (r.spec.includes('mark')) continue;
    await iptables(r.table, ['-D', r.chain, ...r.spec]).catch(() => undefined);
  }
  for (const [table, chain, parent] of [['filter', FORWARD_CHAIN, 'DOCKER-USER'], ['nat', NAT_CHAIN, 'POSTROUTING']]) {
    const { stdout } = await iptables(table, ['-S', chain]).catch(() => ({ stdout: '' }));
    const left = stdout.split('\n').filter((l) => l.startsWith('-A') && !l.includes('--mark'));
    if (left.length) continue;
    await iptables(table, ['-D', parent, '-j', chain]).catch(() => undefined);
    await iptables(table, ['-F', chain]).catch(() => undefined);
    await iptables(table, ['-X', chain]).catch(() => undefined);
  }
}
