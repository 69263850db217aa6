// The filter and nat rules the pod network needs next to Docker's own:
// - Docker's FORWARD policy is DROP and its isolation chains drop traffic between bridges and
//   new connections into a bridge. DOCKER-USER (which Docker jumps to first and never touches)
//   jumps to the cluster's PODFWD chain, which accepts traffic to and from the cluster CIDR, so
//   pods reach pods on other nodes' bridges, on this host or routed from another.
// - Docker masquerades everything leaving a bridge. nat POSTROUTING jumps to the cluster's PODNAT
//   chain: pod-to-pod traffic keeps its source address (as Kubernetes requires), except what the
//   service proxy marked for masquerade (hairpin, traffic from outside the cluster CIDR), which
//   returns and meets the proxy's masquerade.
// Both chains are the cluster's own (../iptables/cluster-chains.ts): another cluster on the same
// kernel has its own pair, and removing one cluster's rules leaves the other's whole. Applying
// rewrites the chains (so a restarted agent replaces whatever an earlier run left) and the jumps
// to them, in one restore under the host-rules lock. removeClusterRules removes them (with the
// service proxy's chains of the same cluster).
import { applyChainsAndJumps, clusterChainPrefix, type Jump, type Ruleset } from '../iptables/cluster-chains.ts';

/** The service proxy marks packets to masquerade with this bit, as kube-proxy does. */
export const MASQUERADE_MARK = '0x4000/0x4000';

export function podNetworkChains(clusterCIDR: string): { forward: string; nat: string } {
  const prefix = clusterChainPrefix(clusterCIDR);
  return { forward: `${prefix}PODFWD`, nat: `${prefix}PODNAT` };
}

/** The pod network's chains and the jumps to them, for one cluster CIDR. */
export function computePodNetworkRules(clusterCIDR: string): { chains: Ruleset; jumps: Jump[] } {
  const c = podNetworkChains(clusterCIDR);
  return {
    chains: {
      filter: new Map([[c.forward, [
        `-s ${clusterCIDR} -m comment --comment "skiff: from pods" -j ACCEPT`,
        `-d ${clusterCIDR} -m comment --comment "skiff: to pods" -j ACCEPT`,
      ]]]),
      nat: new Map([[c.nat, [
        // Marked packets go on to the service proxy's masquerade; the rest of pod-to-pod keeps its source.
        `-m mark --mark ${MASQUERADE_MARK} -j RETURN`,
        `-s ${clusterCIDR} -d ${clusterCIDR} -m comment --comment "skiff: pod to pod keeps its source" -j ACCEPT`,
      ]]]),
    },
    jumps: [
      { table: 'filter', from: 'DOCKER-USER', to: c.forward },
      { table: 'nat', from: 'POSTROUTING', to: c.nat },
    ],
  };
}

export async function applyPodNetworkRules(clusterCIDR: string): Promise<void> {
  const { chains, jumps } = computePodNetworkRules(clusterCIDR);
  await applyChainsAndJumps({ chains, jumps, comment: `skiff cluster ${clusterCIDR}: pod network` });
}

