// Host-gateway routing, as flannel's host-gw backend and kube-router do it: every node routes each
// other node's pod CIDR via that node's InternalIP. That needs the nodes on one L2 segment (or a
// router that knows the pod CIDRs); see docs/adr/0002-networking.md. Pure planning beside a thin
// applier that runs `ip route`.
import { execFile } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';
import type { KubeObject } from '@skiff/api';

const run = promisify(execFile);

/** The routing protocol number that marks skiff's routes, so they can be found and removed. */
export const ROUTE_PROTOCOL = '245';

export interface Route {
  cidr: string;
  via: string;
}

export function nodeInternalIP(node: KubeObject): string | undefined {
  return (node.status?.addresses as { type: string; address: string }[] | undefined)?.find((a) => a.type === 'InternalIP')?.address;
}

/**
 * The routes this node needs: one per other node with a pod CIDR, via its InternalIP. Nodes whose
 * address is local to this host (several nodes sharing one kernel, e.g. loopback nodes on one
 * machine) need none: their pod networks are bridges of this very kernel.
 */
export function planHostRoutes(self: string, nodes: readonly KubeObject[], isLocal: (ip: string) => boolean): Route[] {
  const routes: Route[] = [];
  for (const n of nodes) {
    if (n.metadata.name === self) continue;
    const cidr = n.spec?.podCIDR as string | undefined;
    const via = nodeInternalIP(n);
    if (!cidr || !via || isLocal(via)) continue;
    routes.push({ cidr, via });
  }
  return routes.sort((a, b) => a.cidr.localeCompare(b.cidr));
}

/** What to replace and what to delete, given the routes in place. */
export function diffRoutes(desired: readonly Route[], current: readonly Route[]): { replace: Route[]; remove: Route[] } {
  const want = new Map(desired.map((r) => [r.cidr, r.via]));
  const have = new Map(current.map((r) => [r.cidr, r.via]));
  return {
    replace: desired.filter((r) => have.get(r.cidr) !== r.via),
    remove: current.filter((r) => !want.has(r.cidr)),
  };
}

/** True for loopback addresses and addresses of this host's interfaces. */
export function isLocalAddress(ip: string): boolean {
  if (ip.startsWith('127.')) return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address === ip));
}

export async function currentRoutes(): Promise<Route[]> {
  const { stdout } = await run('ip', ['-j', 'route', 'show', 'proto', ROUTE_PROTOCOL]);
  const list = JSON.parse(stdout || '[]') as { dst: string; gateway?: string }[];
  return list.filter((r) => r.gateway).map((r) => ({ cidr: r.dst, via: r.gateway! }));
}

export async function applyRoutes(plan: { replace: Route[]; remove: Route[] }): Promise<void> {
  for (const r of plan.replace) await run('ip', ['route', 'replace', r.cidr, 'via', r.via, 'proto', ROUTE_PROTOCOL]);
  for (const r of plan.remove) await run('ip', ['route', 'del', r.cidr, 'proto', ROUTE_PROTOCOL]).catch(() => undefined);
}

/** Removes every route skiff added (skiff down). */
export async function removeAllRoutes(): Promise<void> {
  await applyRoutes({ replace: [], remove: await currentRoutes() });
}
