// Pure: whether a pod being deleted may get its stop signal yet, as far as Service traffic goes.
//
// Kubernetes sends the stop signal (after any preStop hook) as soon as the kubelet sees the
// deletion, while the endpoint controllers and every node's kube-proxy remove the pod from the
// Services concurrently; users bridge the gap with a `preStop: sleep`. skiff orders it instead
// (docs/adr/0002-networking.md): the agent holds the stop until
//   1. every EndpointSlice listing the pod shows it not ready (terminating), and
//   2. every node's kernel proxy has programmed a version of the EndpointSlices at least as new as
//      those slices: each proxy publishes the EndpointSlice resourceVersion its rules reflect in an
//      annotation of its Node (PROXY_PROGRAMMED_ANNOTATION; resourceVersions are the store's
//      revision, one increasing number across the cluster, see packages/apiserver/src/storage),
// bounded by drainLimitMs(). New connections then go to other endpoints on every node before the
// app is told to stop; connections already open keep their conntrack entries and finish.
import type { KubeObject } from '@skiff/api';

/** On a Node: the EndpointSlice resourceVersion its kernel proxy's rules reflect. */
export const PROXY_PROGRAMMED_ANNOTATION = 'skiff.dev/proxy-programmed';

/** The longest an agent holds a deleted pod's stop signal for the proxies, and at most half its grace period. */
export const DRAIN_LIMIT_MS = 10_000;

export type DrainState =
  /** No EndpointSlice lists the pod: nothing routes to it. */
  | { phase: 'none' }
  /** A slice still lists the pod as ready. */
  | { phase: 'endpoints'; slices: string[] }
  /** The slices say not ready; these nodes' proxies have not programmed them yet. */
  | { phase: 'proxies'; resourceVersion: number; behind: string[] }
  /** Every proxy has programmed the pod's removal. */
  | { phase: 'drained'; resourceVersion: number; proxies: number };

interface SliceEndpoint {
  addresses?: string[];
  conditions?: { ready?: boolean | null };
  targetRef?: { kind?: string; uid?: string };
}

const rvOf = (o: KubeObject) => Number(o.metadata.resourceVersion);

const isReadyNode = (n: KubeObject) => ((n.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True');

export function computeDrainState(pod: KubeObject, slices: readonly KubeObject[], nodes: readonly KubeObject[]): DrainState {
  const uid = pod.metadata.uid;
  const listing = slices.filter((s) => s.metadata.namespace === pod.metadata.namespace && ((s.endpoints ?? []) as SliceEndpoint[]).some((e) => e.targetRef?.kind === 'Pod' && e.targetRef.uid === uid));
  if (listing.length === 0) return { phase: 'none' };
  const stillReady = listing.filter((s) => ((s.endpoints ?? []) as SliceEndpoint[]).some((e) => e.targetRef?.uid === uid && e.conditions?.ready !== false));
  if (stillReady.length) return { phase: 'endpoints', slices: stillReady.map((s) => s.metadata.name!).sort() };
  const resourceVersion = Math.max(...listing.map(rvOf));
  // Only nodes that run a proxy publish; a NotReady node's proxy may be gone and is not waited for.
  const proxies = nodes.filter((n) => isReadyNode(n) && n.metadata.annotations?.[PROXY_PROGRAMMED_ANNOTATION] !== undefined);
  const behind = proxies.filter((n) => Number(n.metadata.annotations![PROXY_PROGRAMMED_ANNOTATION]) < resourceVersion).map((n) => n.metadata.name!).sort();
  return behind.length ? { phase: 'proxies', resourceVersion, behind } : { phase: 'drained', resourceVersion, proxies: proxies.length };
}

/** How long to hold a pod's stop signal at most: half its grace period, at most DRAIN_LIMIT_MS. */
export function drainLimitMs(graceSeconds: number): number {
  return Math.max(0, Math.min(DRAIN_LIMIT_MS, (graceSeconds * 1000) / 2));
}

export function describeDrain(s: DrainState): string {
  switch (s.phase) {
    case 'none':
      return 'in no EndpointSlice';
    case 'endpoints':
      return `still ready in EndpointSlice ${s.slices.join(', ')}`;
    case 'proxies':
      return `not yet programmed by the proxies of ${s.behind.join(', ')} (EndpointSlices at ${s.resourceVersion})`;
    case 'drained':
      return `out of the rules of ${s.proxies} node${s.proxies === 1 ? '' : 's'}`;
  }
}
