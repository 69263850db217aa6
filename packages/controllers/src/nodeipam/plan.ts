// Node IPAM, as kube-controller-manager's range allocator does it: the cluster CIDR is cut into
// blocks of `nodeMaskSize` bits and each node gets one, in spec.podCIDR(s), for good. A node keeps
// the block it has; a new one takes the lowest block no node holds.
import { formatIPv4CIDR, parseIPv4CIDR, type IPv4CIDR } from '@skiff/api';

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const DEFAULT_NODE_MASK_SIZE = 24;

export interface RangeConfig {
  cluster: IPv4CIDR;
  nodeMaskSize: number;
}

/** Checks a --cluster-cidr / mask pair; throws with a reason a user can act on. */
export function parseRangeConfig(clusterCIDR: string, nodeMaskSize = DEFAULT_NODE_MASK_SIZE): RangeConfig {
  const cluster = parseIPv4CIDR(clusterCIDR);
  if (!cluster) throw new Error(`invalid cluster CIDR "${clusterCIDR}": want an IPv4 CIDR such as ${DEFAULT_CLUSTER_CIDR}`);
  if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < cluster.prefix || nodeMaskSize > 30) {
    throw new Error(`node CIDR mask size ${nodeMaskSize} must be between the cluster CIDR's prefix (${cluster.prefix}) and 30`);
  }
  return { cluster, nodeMaskSize };
}

/** The node's block, if it holds one inside the cluster CIDR. */
export function nodeBlock(cfg: RangeConfig, podCIDR: string | undefined): string | undefined {
  const c = podCIDR ? parseIPv4CIDR(podCIDR) : undefined;
  if (!c || c.prefix !== cfg.nodeMaskSize) return undefined;
  if (c.base < cfg.cluster.base || c.base >= cfg.cluster.base + cfg.cluster.size) return undefined;
  return formatIPv4CIDR(c);
}

/** The lowest block of the cluster CIDR not in `taken`, or undefined when all are. */
export function nextFreeBlock(cfg: RangeConfig, taken: ReadonlySet<string>): string | undefined {
  const blockSize = 2 ** (32 - cfg.nodeMaskSize);
  const count = cfg.cluster.size / blockSize;
  for (let i = 0; i < count; i++) {
    const cidr = formatIPv4CIDR({ base: cfg.cluster.base + i * blockSize, prefix: cfg.nodeMaskSize, size: blockSize });
    if (!taken.has(cidr)) return cidr;
  }
  return undefined;
}
